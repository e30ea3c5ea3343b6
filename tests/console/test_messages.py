"""What a person reads after each command: the next step with its exact command, and no noise."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bulk_tasks.cli import main
from bulk_tasks.console.messages import Command, plural
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from helpers import write_csv
from runs import QUO_HEADER, TRAVTUS_HEADER, input_file, quo_rows, results_of, travtus_rows


def advice(out: str, start: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(start))


def suggested(line: str) -> list[str]:
    """The command after ': ' in an advice line, as argv after ``bulk-tasks``."""
    words = shlex.split(line.split(": ", 1)[1])
    assert words[0] == "bulk-tasks"
    return words[1:]


def test_plural_agrees():
    assert plural(1, "row") == "1 row" and plural(2, "row") == "2 rows" and plural(1500, "task") == "1,500 tasks"


def test_command_quotes_paths_with_spaces_and_swaps_the_input():
    command = Command(("validate", "My Tasks.xlsx", "-p", "quo", "--results", "out.xlsx"), "My Tasks.xlsx",
                      shell="posix")
    assert command.text() == "bulk-tasks validate 'My Tasks.xlsx' -p quo --results out.xlsx"
    assert command.sending().text() == "bulk-tasks run 'My Tasks.xlsx' -p quo --results out.xlsx"
    assert command.on("out.xlsx").text() == "bulk-tasks validate out.xlsx -p quo --results out.xlsx"
    assert command.on("My Tasks.results.xlsx").text() == "bulk-tasks validate 'My Tasks.results.xlsx' -p quo"


def test_all_valid_says_so_with_the_command_that_sends_them(tmp_path, capsys):
    path = input_file(tmp_path, "travtus", 15)
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "Europe/London"]) == 0
    line = advice(capsys.readouterr().out, "All ")
    assert line.startswith("All 15 rows are valid. Send them with: ")
    assert suggested(line) == ["run", str(path), "-p", "travtus", "--timezone", "Europe/London"]
    assert main([*suggested(line), "--sandbox", "-q"]) == 0
    assert set(results_of(tmp_path / "travtus.results.csv")["_status"]) == {"created"}


def test_one_invalid_row_is_singular_and_the_fix_names_the_results_file(tmp_path, capsys):
    path = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, [["PROP-1", "T-1", "Task", "2026-12-01", "Hgh"]])
    assert main(["run", str(path), "-p", "travtus", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "1 of 1 row is invalid:" in out and "1 row: 1 invalid" in out and "1 rows" not in out
    fix = advice(out, "Fix the 1 invalid row in ")
    assert suggested(fix) == ["run", str(tmp_path / "t.results.csv"), "-p", "travtus", "--dry-run"]


def test_a_blocked_run_says_why_once_and_lists_no_innocent_row(tmp_path, capsys):
    rows = travtus_rows(30)
    rows[3][4], rows[9][3] = "Hgh", "31/31/2026"
    path = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, rows)
    assert main(["run", str(path), "-p", "travtus", "--sandbox"]) == 1
    out, err = capsys.readouterr()
    assert "not_sent" not in out.replace("28 not_sent", "")
    assert out.count("Nothing was sent because 2 rows are invalid.") == 1
    assert "(row 5)" in out and "(row 11)" in out and "rows 2, 3" not in out
    assert "sandbox" not in err.lower()
    skip = advice(out, "Or send the 28 valid rows now")
    assert suggested(skip) == ["run", str(path), "-p", "travtus", "--sandbox", "--skip-invalid"]


def test_quiet_is_accepted_by_validate_template_and_dry_run_and_drops_the_advice(tmp_path, capsys):
    path = input_file(tmp_path, "quo", 3)
    assert main(["validate", str(path), "-p", "quo", "-q"]) == 0
    assert main(["run", str(path), "-p", "quo", "--dry-run", "--quiet"]) == 0
    assert main(["template", "quo", "--output", str(tmp_path / "t.xlsx"), "-q"]) == 0
    out = capsys.readouterr().out
    assert out.count("3 rows: 3 dry_run") == 2 and "All 3" not in out and "Template written" not in out
    assert (tmp_path / "t.xlsx").exists()


def test_wrong_credentials_reason_is_printed_once(tmp_path, capsys, monkeypatch):
    path = input_file(tmp_path, "quo", 20)
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        monkeypatch.setenv("QUO_API_KEY", "wrong-key")
        assert main(["run", str(path), "-p", "quo", "--base-url", sandbox.url, "--concurrency", "2"]) == 1
    out, err = capsys.readouterr()
    screen = out + err
    assert screen.count("Invalid API key") == 1 and screen.count("HTTP 401") == 1
    assert "Once that is fixed, run the same command again to send the remaining 20 rows." in out


def test_an_unexplained_500_and_the_two_ways_on_for_uncertain_rows(tmp_path, capsys, monkeypatch):
    path = input_file(tmp_path, "quo", 12)
    config = SandboxConfig(seed=1, fault_500_after_create_rate=0.4, quo_rate_per_second=None)
    with sandbox_in_thread(config) as sandbox:
        monkeypatch.setenv("QUO_API_KEY", sandbox.environment()["QUO_API_KEY"])
        assert main(["run", str(path), "-p", "quo", "--base-url", sandbox.url]) == 1
        out = capsys.readouterr().out
        report = results_of(tmp_path / "quo.results.csv")
        uncertain = report.loc[report["_status"] == "uncertain", "_row"].tolist()
        assert uncertain and "Unknown" not in out and "Unknown" not in " ".join(report["_error"])
        assert "uncertain: HTTP 500 with no explanation from the provider (row" in out
        assert f"{plural(len(uncertain), 'row')} may have been created" in out and "look them up in Quo" in out
        resend = advice(out, "  - if none exists")
        assert suggested(resend) == ["run", str(path), "-p", "quo", "--base-url", sandbox.url, "--retry-uncertain"]
        mark = advice(out, "  - or set _status to created in ")
        results = str(tmp_path / "quo.results.csv")
        assert suggested(mark) == ["run", results, "-p", "quo", "--base-url", sandbox.url, "--retry-uncertain"]
        found, missing = uncertain[0], uncertain[1:]
        report.loc[report["_row"] == found, "_status"] = "created"
        held = len(sandbox.state.tasks)
        config.fault_500_after_create_rate = 0.0
        report.to_csv(results, index=False)
        assert main(suggested(mark)) == 0
        # the 500s came after creating: --retry-uncertain looks the rows up in Quo first and finds them all
        assert len(sandbox.state.tasks) == held
        assert f"Looked the {len(missing)} uncertain rows up in Quo first: {len(missing)} were created" \
            in capsys.readouterr().err
    again = results_of(tmp_path / "quo.results.csv").set_index("_row")
    assert again.loc[found, "_status"] == "already_created"
    assert set(again["_status"]) == {"already_created"}  # found ones included: their tasks are the real ones


def test_a_cell_pair_is_quoted_cell_by_cell(tmp_path):
    path = write_csv(tmp_path / "q.csv", [*QUO_HEADER, "Conversation"], [[*quo_rows(1)[0], "CN9"]])
    assert main(["validate", str(path), "-p", "quo"]) == 1
    error = results_of(tmp_path / "q.results.csv")["_error"][0]
    assert "phoneNumberId = 'PNk3Ra9XwQ2m', Conversation = 'CN9': fill exactly one" in error
    assert "phoneNumberId=" not in error


def test_after_ctrl_c_it_says_how_many_rows_remain(tmp_path):
    path = input_file(tmp_path, "quo", 60)
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        env = {**os.environ, **sandbox.environment()}
        process = subprocess.Popen([sys.executable, "-m", "bulk_tasks", "run", str(path), "-p", "quo",
                                    "--base-url", sandbox.url, "--rate", "10"],
                                   env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(sandbox.state.tasks) < 5:
            assert time.monotonic() < deadline and process.poll() is None, "the run never got going"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    remaining = int((results_of(tmp_path / "quo.results.csv")["_status"] == "not_sent").sum())
    assert remaining > 0
    assert f"Run the same command again to send the remaining {plural(remaining, 'row')}." in out
    assert "interrupted" not in out


def test_the_readme_quick_start_is_the_same_command_in_powershell_and_posix():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    posix = quick.split("```bash\n", 1)[1].split("```", 1)[0]
    powershell = quick.split("```powershell\n", 1)[1].split("```", 1)[0]
    posix_run = posix.split(".venv/bin/bulk-tasks ", 1)[1].split()
    windows_run = powershell.split(".venv\\Scripts\\bulk-tasks ", 1)[1].split()
    assert [word.replace("\\", "/") for word in windows_run] == posix_run
    assert "pip install -q -e ." in powershell and "&&" not in powershell


def test_failed_rows_are_sent_again_from_the_results_file(tmp_path, capsys, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    # linked to conversations: no reference to look up, so the sends are what fail
    path = write_csv(tmp_path / "quo.csv", ["Title", "Description", "conversationId"],
                     [["Call back", "d", "CN1"], ["Send deck", "d", "CN2"]])
    monkeypatch.setenv("QUO_API_KEY", "k-1")
    assert main(["run", str(path), "-p", "quo", "--base-url", closed, "--max-attempts", "1", "-y"]) == 1
    out = capsys.readouterr().out
    again = advice(out, "2 rows failed (see their _error).")
    assert suggested(again) == ["run", str(tmp_path / "quo.results.csv"), "-p", "quo", "--base-url", closed,
                                "--max-attempts", "1", "-y"]


def test_a_new_template_says_how_to_check_it_once_filled(tmp_path, capsys):
    target = tmp_path / "my tasks.xlsx"
    assert main(["template", "quo", "--output", str(target)]) == 0
    line = advice(capsys.readouterr().out, "Fill it in")
    assert 'the "How to fill" sheet explains each column' in line
    assert suggested(line) == ["validate", str(target), "-p", "quo"]


@pytest.mark.parametrize("on_path", [False, True])
def test_the_advice_starts_bulk_tasks_the_way_it_was_started(tmp_path, on_path):
    script = Path(sys.executable).parent / "bulk-tasks"
    if not script.exists():
        pytest.skip("bulk-tasks is not installed as a script beside this Python")
    path = input_file(tmp_path, "quo", 2)
    folders = [folder for folder in os.environ.get("PATH", "").split(os.pathsep) if Path(folder) != script.parent]
    env = {**os.environ, "PATH": os.pathsep.join([str(script.parent)] * on_path + folders)}
    done = subprocess.run([str(script), "validate", str(path), "-p", "quo"], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    words = shlex.split(advice(done.stdout, "All 2 rows are valid.").split(": ", 1)[1])
    assert words[0] == ("bulk-tasks" if on_path else str(script))


def test_python_dash_m_is_suggested_as_python_dash_m(tmp_path):
    path = input_file(tmp_path, "quo", 2)
    done = subprocess.run([sys.executable, "-m", "bulk_tasks", "validate", str(path), "-p", "quo"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    words = shlex.split(advice(done.stdout, "All 2 rows are valid.").split(": ", 1)[1])
    assert words[:3] == [sys.executable, "-m", "bulk_tasks"]
