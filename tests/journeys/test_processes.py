"""Never twice, never lost, when processes misbehave: double launches, stale locks, signals, full files.

Every test here runs ``bulk-tasks`` in its own process against a sandbox served over loopback from a
thread of the test process, and waits for observed progress (tasks the sandbox holds), not the clock.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bulk_tasks.record.journal import journal_path
from bulk_tasks.record.lock import lock_path
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from runs import input_file, results_of


def launch(path: Path, provider: str, sandbox, *options: str, **popen) -> subprocess.Popen:
    """``bulk-tasks run`` in its own process against ``sandbox``, quiet, with the sandbox's credentials."""
    env = {**os.environ, **sandbox.environment()}
    return subprocess.Popen([sys.executable, "-m", "bulk_tasks", "run", str(path), "-p", provider,
                             "--base-url", sandbox.url, "--quiet", *options],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.05)


def refs(sandbox) -> Counter:
    return Counter(task.payload["external_ref"] for task in sandbox.state.tasks)


def test_a_second_run_on_the_same_results_exits_2_naming_the_first_and_nothing_is_created_twice(tmp_path):
    path = input_file(tmp_path, "travtus", 20)
    with sandbox_in_thread(SandboxConfig(latency=1.0)) as sandbox:
        first = launch(path, "travtus", sandbox, "--concurrency", "1")
        wait_until(lambda: len(sandbox.state.tasks) >= 1)
        second = launch(path, "travtus", sandbox)
        out, err = second.communicate(timeout=120)
        first.send_signal(signal.SIGTERM)
        first_out, first_err = first.communicate(timeout=120)
        third = launch(path, "travtus", sandbox)
        third_out, third_err = third.communicate(timeout=120)
        created = refs(sandbox)
    assert second.returncode == 2, err
    assert f"process {first.pid}" in err and "travtus.results.csv" in err and "--results" in err
    assert "Traceback" not in err
    assert first.returncode == 130, first_err
    assert third.returncode == 0, third_err
    assert len(created) == 20 and max(created.values()) == 1
    assert not lock_path(tmp_path / "travtus.results.csv").exists()


def test_the_lock_of_a_killed_run_is_taken_over_and_the_run_completes(tmp_path):
    path = input_file(tmp_path, "travtus", 40)
    results = tmp_path / "travtus.results.csv"
    with sandbox_in_thread(SandboxConfig(latency=0.05)) as sandbox:
        killed = launch(path, "travtus", sandbox, "--rate", "20", "--concurrency", "2")
        wait_until(lambda: len(sandbox.state.tasks) >= 3)
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=30)
        assert json.loads(lock_path(results).read_text())["pid"] == killed.pid
        again = launch(path, "travtus", sandbox, "--retry-uncertain")
        out, err = again.communicate(timeout=120)
        created = refs(sandbox)
    assert again.returncode == 0, err
    assert len(created) == 40
    assert set(results_of(results)["_status"]) <= {"created", "already_created"}
    assert not lock_path(results).exists()


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_journal_that_cannot_grow_stops_the_run_consistently_and_the_rerun_creates_no_duplicate(tmp_path):
    path = input_file(tmp_path, "travtus", 200)
    results = tmp_path / "out" / "travtus.results.csv"
    results.parent.mkdir()
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        full = launch(path, "travtus", sandbox, "--results", str(results), "--rate", "400",
                      preexec_fn=_limit_file_size(16_000))
        out, err = full.communicate(timeout=120)
        sent_while_full = len(sandbox.state.tasks)
        sent_refs = {"ref:" + ref for ref in refs(sandbox)}
        journal = journal_path(results).read_bytes()
        again = launch(path, "travtus", sandbox, "--results", str(results))
        again_out, again_err = again.communicate(timeout=120)
        created = refs(sandbox)
    assert full.returncode == 1, err
    assert "file-size limit" in err and "nothing more is sent" in err and "Traceback" not in err
    assert 0 < sent_while_full < 200
    assert journal.endswith(b"\n") and len(journal) <= 16_000
    assert all(json.loads(line) for line in journal.splitlines())
    intents = {json.loads(line)["id"] for line in journal.splitlines() if b'"intent"' in line}
    assert sent_refs <= intents and len(intents - sent_refs) <= 64
    assert again.returncode in (0, 1), again_err
    report = results_of(results)
    assert set(report["_status"]) <= {"created", "already_created", "uncertain"}
    uncertain = set(report.loc[report["_status"] == "uncertain", "Task Ref"])
    assert {"ref:" + ref for ref in uncertain} <= intents and len(uncertain) <= 64
    assert set(created) | uncertain == set(report["Task Ref"]) and max(created.values()) == 1


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_like_ctrl_c_letting_requests_in_flight_finish(tmp_path, number):
    path = input_file(tmp_path, "travtus", 30)
    with sandbox_in_thread(SandboxConfig(latency=1.5)) as sandbox:
        process = launch(path, "travtus", sandbox, "--concurrency", "4")
        wait_until(lambda: len(sandbox.state.tasks) >= 4)
        process.send_signal(number)
        out, err = process.communicate(timeout=60)
        created = refs(sandbox)
    assert process.returncode == 130, err
    report = results_of(tmp_path / "travtus.results.csv")
    assert len(report) == 30 and "Traceback" not in err and "Stopping" in err
    done = report[report["_status"] == "created"]
    assert len(done) >= 4 and set(done["Task Ref"]) == set(created)
    assert set(report["_status"]) == {"created", "not_sent"}


def _terminate_twice_with_requests_in_flight(process: subprocess.Popen, sandbox, timeout: float) -> tuple[str, str]:
    """Once 4 requests are in flight: SIGTERM, and a second one after the first is acknowledged."""
    wait_until(lambda: len(sandbox.state.tasks) >= 4)
    process.send_signal(signal.SIGTERM)
    wait_until(lambda: process.stderr.readline().startswith("Stopping"))
    process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=timeout)


def test_a_second_sigterm_abandons_requests_in_flight_and_still_writes_the_results(tmp_path):
    path = input_file(tmp_path, "travtus", 20)
    with sandbox_in_thread(SandboxConfig(latency=30.0)) as sandbox:
        process = launch(path, "travtus", sandbox, "--concurrency", "4")
        out, err = _terminate_twice_with_requests_in_flight(process, sandbox, timeout=30)
    assert process.returncode == 130, err
    report = results_of(tmp_path / "travtus.results.csv")
    assert (report["_status"] == "uncertain").sum() == 4 and (report["_status"] == "not_sent").sum() == 16


def test_sigterm_while_reading_the_input_ends_as_an_interrupt_without_a_traceback(tmp_path):
    path = input_file(tmp_path, "travtus", 50_000)
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        process = launch(path, "travtus", sandbox)
        wait_until(lambda: lock_path(tmp_path / "travtus.results.csv").exists())
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        sent = len(sandbox.state.tasks)
    assert process.returncode == 130 and "Traceback" not in err and sent == 0


def test_a_journal_that_cannot_be_written_while_abandoning_requests_is_reported(tmp_path):
    path = input_file(tmp_path, "travtus", 200)
    results = tmp_path / "out" / "travtus.results.csv"
    results.parent.mkdir()
    with sandbox_in_thread(SandboxConfig(latency=30.0)) as sandbox:
        process = launch(path, "travtus", sandbox, "--results", str(results), "--concurrency", "4",
                         preexec_fn=_limit_file_size(2_000))
        out, err = _terminate_twice_with_requests_in_flight(process, sandbox, timeout=60)
    assert process.returncode == 1, err
    assert "file-size limit" in err and "has every outcome" not in err and "Traceback" not in err
    journal = journal_path(results).read_bytes()
    assert journal.endswith(b"\n") and all(json.loads(line) for line in journal.splitlines())


def test_results_that_cannot_be_written_in_full_leave_the_old_file_and_say_why(tmp_path):
    """The CSV results are hashed and written in a second thread: a write that fails there (here a
    file-size limit, as a full disk would) still ends the command with a sentence and the exit code of
    an unwritable results file, and the results written before are left as they were."""
    path, small = input_file(tmp_path, "travtus", 3000), input_file(tmp_path, "travtus", 2, name="small.csv")
    results = tmp_path / "travtus.results.csv"
    first = subprocess.run([sys.executable, "-m", "bulk_tasks", "validate", str(small), "-p", "travtus",
                            "--results", str(results)], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    before = results.read_bytes()
    limited = subprocess.run([sys.executable, "-m", "bulk_tasks", "validate", str(path), "-p", "travtus",
                              "--results", str(results)], capture_output=True, text=True, timeout=120,
                             preexec_fn=_limit_file_size(100_000))
    assert limited.returncode == 2, limited.stderr
    assert f"Cannot write the results file {results}" in limited.stderr and "Traceback" not in limited.stderr
    assert results.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("command", [["validate"], ["run", "--sandbox", "--quiet"], ["run", "--dry-run"]])
def test_main_in_process_gives_back_the_signal_handlers_it_found(tmp_path, command):
    from bulk_tasks.cli import STOP_SIGNALS, main

    def mine(number, frame):  # pragma: no cover - never delivered
        raise AssertionError("not expected")

    path = input_file(tmp_path, "quo", 2)
    before = {number: signal.signal(number, mine) for number in STOP_SIGNALS}
    try:
        assert main([command[0], str(path), "-p", "quo", *command[1:]]) == 0
        assert {number: signal.getsignal(number) for number in STOP_SIGNALS} == dict.fromkeys(STOP_SIGNALS, mine)
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
