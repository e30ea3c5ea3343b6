"""A FIFO or /dev/stdin given as the input or the --env-file is refused with a sentence, never waited on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import write_csv


def _bulk_tasks(*words: str) -> subprocess.CompletedProcess[str]:
    # stdin is a pipe nobody writes to: reading /dev/stdin (or a FIFO nobody opens) would wait forever
    return subprocess.run([sys.executable, "-m", "bulk_tasks", *words], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.PIPE)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "tasks.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_fifo_as_the_input_is_refused(fifo, command):
    done = _bulk_tasks(command, str(fifo), "-p", "quo", "--sandbox" if command == "run" else "--quiet")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"Error: {fifo} is not a regular file (it is a pipe, a device or a socket), so it cannot be "
                           "read as a sheet: save the sheet as a .csv or .xlsx file and give that file's path.\n")


def test_dev_stdin_as_the_input_is_refused(tmp_path):
    done = _bulk_tasks("validate", "/dev/stdin", "-p", "quo", "--results", str(tmp_path / "out.csv"))
    assert done.returncode == 2, done.stderr
    assert "/dev/stdin is not a regular file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("which", ["fifo", "/dev/stdin"])
def test_a_fifo_or_stdin_as_the_env_file_is_refused(tmp_path, fifo, which):
    sheet = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId"], [["Call", "d", "PN1"]])
    env_file = str(fifo) if which == "fifo" else which
    done = _bulk_tasks("run", str(sheet), "-p", "quo", "--env-file", env_file, "--base-url", "http://127.0.0.1:9",
                       "--yes")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"Error: The --env-file {env_file} is not a regular file (it is a folder, a pipe or a "
                           "device): save the credentials in a text file of NAME=value lines and give that file's "
                           "path.\n")
