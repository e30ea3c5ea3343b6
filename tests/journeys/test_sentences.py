"""A sentence, never an internal error: odd paths, odd numbers, odd files, and outputs that fail.

Where the failure is about the process's own streams (a pipe closed early, a full device, a console
that cannot show an emoji) ``bulk-tasks`` runs in its own process with real file descriptors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bulk_tasks.cli import main
from helpers import write_csv
from runs import QUO_HEADER, input_file, quo_rows


def bulk_tasks(*words: str, cwd: Path, env: dict[str, str] | None = None, **popen) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bulk_tasks", *words], cwd=cwd, env={**os.environ, **(env or {})},
                          timeout=120, **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen})


def one_sentence(capsys, argv, fragment: str, code: int = 2) -> str:
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal problem" not in err
    assert fragment in err, err
    return err


@pytest.mark.parametrize("folder", [".", "/"])
def test_a_folder_as_the_input_is_named_a_folder(capsys, tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    one_sentence(capsys, ["validate", folder, "-p", "quo"], f"{folder} is a folder, not a spreadsheet")


@pytest.mark.parametrize("option", ["--rate", "--timeout", "--max-wait"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_a_number_that_is_not_finite_is_refused_before_anything_runs(capsys, tmp_path, option, value):
    path = input_file(tmp_path, "quo", 1)
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(path), "-p", "quo", "--sandbox", "-q", f"{option}={value}"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: '{value}' is not a number bulk-tasks can use" in err
    assert not list(tmp_path.glob("*.results.*"))


def test_a_damaged_utf16_env_file_names_its_line_and_never_shows_it(capsys, tmp_path):
    path = input_file(tmp_path, "quo", 1)
    env = tmp_path / "quo.env"
    env.write_bytes("# keys\nQUO_API_KEY=sek-LEAK-1234\n".encode("utf-16") + b"\x00\xd8")
    err = one_sentence(capsys, ["run", str(path), "-p", "quo", "--env-file", str(env), "-y"],
                       "Line 3 of the --env-file")
    assert "UTF-16" in err and "sek-LEAK" not in err


@pytest.mark.parametrize("command", ["validate", "run"])
def test_results_with_another_suffix_is_refused_not_written_as_csv(capsys, tmp_path, command):
    path = input_file(tmp_path, "quo", 1)
    extra = ["--dry-run"] if command == "run" else []
    one_sentence(capsys, [command, str(path), "-p", "quo", *extra, "--results", str(tmp_path / "x.txt")],
                 "must end in .csv or .xlsx")
    assert not (tmp_path / "x.txt").exists()


def test_results_on_a_device_is_refused_as_not_a_file(capsys, tmp_path):
    path = input_file(tmp_path, "quo", 1)
    err = one_sentence(capsys, ["validate", str(path), "-p", "quo", "--results", os.devnull], "is not a regular file")
    assert "changed after" not in err


def test_results_naming_a_folder_is_refused_as_a_folder(capsys, tmp_path):
    path = input_file(tmp_path, "quo", 1)
    (tmp_path / "out.csv").mkdir()
    for folder in (tmp_path, tmp_path / "out.csv"):
        err = one_sentence(capsys, ["validate", str(path), "-p", "quo", "--results", str(folder)], "is a folder")
        assert "changed after" not in err


def test_output_into_a_pipe_closed_early_ends_in_a_sentence(tmp_path):
    path = input_file(tmp_path, "quo", 3)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (head -c 10) is gone before anything is written
    try:
        done = bulk_tasks("validate", str(path), "-p", "quo", cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "Traceback" not in err and "internal problem" not in err and "Exception ignored" not in err
    assert "could not be written (the program reading it" in err
    assert (tmp_path / "quo.results.csv").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_into_a_full_device_ends_in_a_sentence(tmp_path):
    path = input_file(tmp_path, "quo", 3)
    with open("/dev/full", "wb") as full:
        done = bulk_tasks("validate", str(path), "-p", "quo", cwd=tmp_path, stdout=full, stderr=subprocess.PIPE)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "Traceback" not in err and "internal problem" not in err and "Exception ignored" not in err
    assert "could not be written (the disk it goes to is full)" in err


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_an_emoji_in_a_header_cell_on_a_console_that_cannot_show_it(tmp_path, encoding):
    path = write_csv(tmp_path / "tasks.csv", ["Title \U0001f600", "Description", "phoneNumberId"], [["", "d", "PNk3Ra9XwQ2m"]])
    done = bulk_tasks("validate", str(path), "-p", "quo", "-v", cwd=tmp_path, env={"PYTHONIOENCODING": encoding})
    out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)
    assert done.returncode == 1, err
    assert "Traceback" not in err and "internal problem" not in err
    assert "Title \\U0001f600: is required" in out


def test_a_file_name_with_terminal_escape_codes_is_shown_escaped(tmp_path):
    name = "t\x1b]0;owned\x07\x1b[2J.csv"
    write_csv(tmp_path / name, QUO_HEADER, quo_rows(1))
    done = bulk_tasks("validate", name, "-p", "quo", cwd=tmp_path)
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "t\\x1b]0;owned\\x07\\x1b[2J.results.csv" in out
