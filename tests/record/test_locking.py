"""The run lock on its own: held by another process, released by its death, the fallback without OS locks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from bulk_tasks.errors import ResultsInUseError
from bulk_tasks.record.lock import RunLock, lock_path

HOLD = """
import sys
from pathlib import Path
from bulk_tasks.record.lock import RunLock
lock = RunLock(Path(sys.argv[1]), os_lock=sys.argv[2] == "os").acquire()
print("held", flush=True)
sys.stdin.read()
"""


def holder(results, kind: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(results), kind], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


@pytest.mark.parametrize("kind", ["os", "file"])
def test_a_lock_held_by_a_running_process_is_refused_naming_it(tmp_path, kind):
    results = tmp_path / "t.results.csv"
    process = holder(results, kind)
    try:
        with pytest.raises(ResultsInUseError) as caught:
            RunLock(results, os_lock=kind == "os").acquire()
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    text = str(caught.value)
    assert f"process {process.pid} on {socket.gethostname()}" in text and "t.results.csv" in text
    assert "--results" in text


@pytest.mark.parametrize("kind", ["os", "file"])
def test_the_lock_of_a_dead_process_is_taken_over(tmp_path, kind):
    results = tmp_path / "t.results.csv"
    process = holder(results, kind)
    process.kill()
    process.wait(timeout=30)
    assert json.loads(lock_path(results).read_text())["pid"] == process.pid
    with RunLock(results, os_lock=kind == "os") as lock:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    assert not lock_path(results).exists()


def test_a_released_lock_can_be_taken_again_and_two_in_one_process_exclude_each_other(tmp_path):
    results = tmp_path / "t.results.xlsx"
    with RunLock(results):
        with pytest.raises(ResultsInUseError):
            RunLock(results).acquire()
    with RunLock(results):
        pass
