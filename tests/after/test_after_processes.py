"""``undo`` and ``run --update`` when processes misbehave: SIGKILL and SIGTERM mid-way, in real processes.

Each test runs ``bulk-tasks`` in its own process against a sandbox served from a thread of the test
process, and waits for observed progress (tasks the sandbox changed), never the clock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bulk_tasks.record.journal import journal_path
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from helpers import write_csv
from runs import TRAVTUS_HEADER, results_of, travtus_rows


def launch(sandbox, *arguments: str) -> subprocess.Popen:
    env = {**os.environ, **sandbox.environment()}
    return subprocess.Popen([sys.executable, "-m", "bulk_tasks", *arguments, "--quiet"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


def wait_until(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)


def created(tmp_path: Path, sandbox, count: int) -> Path:
    path = write_csv(tmp_path / "tasks.csv", TRAVTUS_HEADER, travtus_rows(count))
    made = launch(sandbox, "run", str(path), "-p", "travtus", "--base-url", sandbox.url)
    assert made.wait(timeout=120) == 0, made.stderr.read() if made.stderr else ""
    return path


def deleted(sandbox) -> int:
    return sum(task.deleted for task in sandbox.state.tasks_of("travtus"))


def moved(sandbox) -> int:
    return sum(bool(task.current) and task.current.get("due_datetime", "").startswith("2027")
               for task in sandbox.state.tasks_of("travtus"))


def done_then_sent_again(journal: Path, offset: int, prefix: str, done: str) -> set[str]:
    """Identities (``prefix``…) that were ``done`` before ``offset`` and had a request written after it."""
    text = journal.read_bytes()
    before = [json.loads(line) for line in text[:offset].splitlines() if line.strip()]
    after = [json.loads(line) for line in text[offset:].splitlines() if line.strip()]
    finished = {r["id"] for r in before if r.get("type") == "outcome" and r["id"].startswith(prefix)
                and r["status"] == done}
    return finished & {r["id"] for r in after if r.get("type") == "intent"}


def test_sigkill_during_undo_then_undo_again_takes_back_the_rest_and_nothing_twice(tmp_path):
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        created(tmp_path, sandbox, 40)
        results = tmp_path / "tasks.results.csv"
        sandbox.config.latency = 0.05
        killed = launch(sandbox, "undo", str(results), "--rate", "20", "--concurrency", "2")
        wait_until(lambda: deleted(sandbox) >= 3)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        offset = journal_path(results).stat().st_size
        assert 3 <= deleted(sandbox) < 40
        again = launch(sandbox, "undo", str(results))
        out, err = again.communicate(timeout=120)
        total = deleted(sandbox)
    assert again.returncode == 0, err
    assert total == 40 and set(results_of(results)["_status"]) == {"deleted"}
    assert done_then_sent_again(journal_path(results), offset, "undo:", "deleted") == set()


def test_sigterm_during_undo_stops_like_ctrl_c_writes_the_results_and_undo_finishes_later(tmp_path):
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        created(tmp_path, sandbox, 30)
        results = tmp_path / "tasks.results.csv"
        sandbox.config.latency = 1.0
        process = launch(sandbox, "undo", str(results), "--concurrency", "4")
        wait_until(lambda: deleted(sandbox) >= 4)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        report = results_of(results)
        stopped_at = deleted(sandbox)
        sandbox.config.latency = 0.0
        again = launch(sandbox, "undo", str(results))
        again_out, again_err = again.communicate(timeout=120)
        total = deleted(sandbox)
    assert process.returncode == 130, err
    assert "Stopping" in err and "Traceback" not in err
    assert (report["_status"] == "deleted").sum() == stopped_at and stopped_at < 30
    assert set(report["_status"]) == {"deleted", "created"}
    assert again.returncode == 0, again_err
    assert total == 30 and set(results_of(results)["_status"]) == {"deleted"}


def _moved_sheet(path: Path, count: int) -> None:
    write_csv(path, TRAVTUS_HEADER, [[*row[:3], "2027-01-01 09:00", row[4]] for row in travtus_rows(count)])


def test_sigkill_during_run_update_then_run_update_again_sends_the_rest_and_nothing_twice(tmp_path):
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        path = created(tmp_path, sandbox, 40)
        _moved_sheet(path, 40)
        sandbox.config.latency = 0.05
        killed = launch(sandbox, "run", str(path), "-p", "travtus", "--base-url", sandbox.url, "--update",
                        "--rate", "20", "--concurrency", "2")
        wait_until(lambda: moved(sandbox) >= 3)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        journal = journal_path(tmp_path / "tasks.results.csv")
        offset = journal.stat().st_size
        assert 3 <= moved(sandbox) < 40
        again = launch(sandbox, "run", str(path), "-p", "travtus", "--base-url", sandbox.url, "--update")
        out, err = again.communicate(timeout=120)
        total, tasks = moved(sandbox), len(sandbox.state.tasks_of("travtus"))
    assert again.returncode == 0, err
    assert total == 40 == tasks
    assert set(results_of(tmp_path / "tasks.results.csv")["_status"]) <= {"updated", "already_created"}
    assert done_then_sent_again(journal, offset, "update:", "updated") == set()


def test_sigterm_during_run_update_writes_the_results_and_the_next_run_update_finishes(tmp_path):
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        path = created(tmp_path, sandbox, 30)
        _moved_sheet(path, 30)
        sandbox.config.latency = 1.0
        process = launch(sandbox, "run", str(path), "-p", "travtus", "--base-url", sandbox.url, "--update",
                         "--concurrency", "4")
        wait_until(lambda: moved(sandbox) >= 4)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        report = results_of(tmp_path / "tasks.results.csv")
        sandbox.config.latency = 0.0
        again = launch(sandbox, "run", str(path), "-p", "travtus", "--base-url", sandbox.url, "--update")
        again_out, again_err = again.communicate(timeout=120)
        total = moved(sandbox)
    assert process.returncode == 130, err
    assert "Stopping" in err and "Traceback" not in err
    assert set(report["_status"]) == {"updated", "changed"} and (report["_status"] == "updated").sum() >= 4
    assert again.returncode == 0, again_err
    assert total == 30


def test_sigterm_while_verify_looks_tasks_up_changes_nothing_and_says_so(tmp_path):
    from runs import input_file

    with sandbox_in_thread(SandboxConfig(quo_rate_per_second=None)) as sandbox:
        path = input_file(tmp_path, "quo", 300)
        made = launch(sandbox, "run", str(path), "-p", "quo", "--base-url", sandbox.url, "--rate", "1000")
        assert made.wait(timeout=120) == 0
        results = tmp_path / "quo.results.csv"
        before = results.read_bytes()
        sandbox.config.latency = 1.0
        listed = sandbox.state.stats.providers["quo"].requests
        process = launch(sandbox, "verify", str(results))
        wait_until(lambda: sandbox.state.stats.providers["quo"].task_requests > listed)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Stopped while looking the tasks up in Quo: nothing was changed" in err and "Traceback" not in err
    assert results.read_bytes() == before
