"""`run` end to end against the sandbox over loopback: one task per row, faults survived, fatal stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bulk_tasks import SendOptions, run_import
from bulk_tasks.errors import CredentialsError
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread, start_sandbox
from runs import held_ids, input_file, results_of, run


@pytest.mark.parametrize("provider", ["travtus", "quo"])
async def test_task_ids_in_results_are_exactly_the_ids_the_sandbox_holds(tmp_path, sandbox, provider):
    sandbox.config.quo_rate_per_second = None  # sent at 1000/s: six 429s would fail a row, not what this is about
    path = input_file(tmp_path, provider, 40)
    summary = await run(path, provider, sandbox)
    report = results_of(tmp_path / f"{provider}.results.csv")
    assert summary.exit_code == 0 and summary.counts == {"created": 40}
    assert report["_row"].tolist() == [str(row) for row in range(2, 42)]
    assert sorted(report["_task_id"]) == sorted(held_ids(sandbox, provider))
    assert len(set(report["_task_id"])) == 40


@pytest.mark.parametrize("provider", ["travtus", "quo"])
async def test_503s_and_429s_still_create_every_row_exactly_once(tmp_path, provider):
    config = SandboxConfig(seed=7, fault_503_rate=0.3, fault_429_rate=0.2, quo_rate_per_second=None)
    async with start_sandbox(config) as sandbox:
        summary = await run(input_file(tmp_path, provider, 30), provider, sandbox, max_attempts=12)
        payload_titles = [task.payload["title"] for task in sandbox.state.tasks]
    assert summary.counts == {"created": 30}
    assert sorted(payload_titles) == sorted(set(payload_titles)) and len(payload_titles) == 30
    by_status = sandbox.state.stats.by_status
    assert by_status["503"] > 0 and by_status["429"] > 0


async def test_the_sandbox_never_sees_more_than_the_configured_rate(tmp_path):
    config = SandboxConfig(quo_rate_per_second=None)
    async with start_sandbox(config) as sandbox:
        summary = await run(input_file(tmp_path, "quo", 24), "quo", sandbox, rate=8.0)
        busiest = sandbox.state.stats.max_per_second("quo", sandbox.environment()["QUO_API_KEY"])
    assert summary.counts == {"created": 24}
    assert 1 <= busiest <= 8


async def test_quo_default_rate_is_ten_per_second_and_never_gets_429(tmp_path):
    async with start_sandbox(SandboxConfig()) as sandbox:
        summary = await run(input_file(tmp_path, "quo", 25), "quo", sandbox, rate=None)
    assert summary.counts == {"created": 25}
    assert sandbox.state.stats.by_status["429"] == 0
    assert sandbox.state.stats.max_per_second("quo", sandbox.environment()["QUO_API_KEY"]) <= 10


async def test_a_short_token_lifetime_is_survived_with_a_handful_of_token_requests(tmp_path):
    config = SandboxConfig(travtus_token_lifetime=0.5)
    async with start_sandbox(config) as sandbox:
        summary = await run(input_file(tmp_path, "travtus", 30), "travtus", sandbox, rate=20.0)
    assert summary.counts == {"created": 30}
    assert 2 <= sandbox.state.stats.token_requests <= 8


async def test_a_bad_key_stops_the_run_after_at_most_concurrency_requests(tmp_path, sandbox):
    env = {"QUO_API_KEY": "wrong-key"}
    summary = await run(input_file(tmp_path, "quo", 40), "quo", sandbox, env=env, concurrency=4)
    report = results_of(tmp_path / "quo.results.csv")
    assert summary.exit_code == 1
    assert sandbox.state.stats.by_status["401"] <= 4
    assert held_ids(sandbox, "quo") == []
    assert summary.counts.get("not_sent", 0) >= 36
    assert "wrong-key" not in (summary.stopped_reason or "")
    assert "HTTP 401" in (summary.stopped_reason or "")
    assert set(report["_status"]) <= {"failed", "not_sent"}


async def test_quo_open_task_limit_stops_the_run(tmp_path):
    async with start_sandbox(SandboxConfig(quo_open_task_limit=5)) as sandbox:
        summary = await run(input_file(tmp_path, "quo", 20), "quo", sandbox, concurrency=1)
        held = len(held_ids(sandbox, "quo"))
    report = results_of(tmp_path / "quo.results.csv")
    assert held == 5 and summary.counts["created"] == 5
    assert summary.exit_code == 1
    assert "Open Tasks Limit Reached" in (summary.stopped_reason or "")
    assert (report["_status"] == "not_sent").sum() >= 14
    assert sandbox.state.stats.by_status["402"] == 1


async def test_500_after_create_is_uncertain_and_only_resent_with_retry_uncertain(tmp_path):
    config = SandboxConfig(seed=3, fault_500_after_create_rate=0.5)
    path = input_file(tmp_path, "travtus", 20)
    async with start_sandbox(config) as sandbox:
        first = await run(path, "travtus", sandbox)
        uncertain = first.counts["uncertain"]
        assert uncertain > 0 and len(held_ids(sandbox, "travtus")) == 20
        config.fault_500_after_create_rate = 0.0
        again = await run(path, "travtus", sandbox)
        assert again.counts.get("uncertain") == uncertain
        assert len(held_ids(sandbox, "travtus")) == 20
        retried = await run(path, "travtus", sandbox, retry_uncertain=True)
        assert retried.counts == {"created": uncertain, "already_created": 20 - uncertain}
        assert len(held_ids(sandbox, "travtus")) == 20 + uncertain


def test_missing_credentials_exit_2_before_reading_the_network(tmp_path, capsys):
    from bulk_tasks.cli import main

    path = input_file(tmp_path, "quo", 3)
    env = {key: value for key, value in os.environ.items() if key != "QUO_API_KEY"}
    with pytest.raises(CredentialsError):
        run_import(path, "quo", send=SendOptions(base_url="http://127.0.0.1:9", env=env))
    os.environ.pop("QUO_API_KEY", None)
    assert main(["run", str(path), "-p", "quo"]) == 2
    assert "QUO_API_KEY" in capsys.readouterr().err
    assert not (tmp_path / "quo.results.csv").exists()


def test_credentials_over_plain_http_to_another_host_are_refused(tmp_path, capsys, monkeypatch):
    from bulk_tasks.cli import main

    monkeypatch.setenv("QUO_API_KEY", "k-123")
    path = input_file(tmp_path, "quo", 2)
    assert main(["run", str(path), "-p", "quo", "--base-url", "http://api.example.com"]) == 2
    err = capsys.readouterr().err
    assert "http://" in err and "k-123" not in err


def test_run_sandbox_command_says_so_and_creates_everything(tmp_path, capsys):
    from bulk_tasks.cli import main

    path = input_file(tmp_path, "travtus", 5)
    assert main(["run", str(path), "-p", "travtus", "--sandbox", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "sandbox" in err.lower()
    assert "5 rows: 5 created" in out and str(tmp_path / "travtus.results.csv") in out
    assert "row/s" not in err and "%|" not in err


def run_in_background(path, provider: str, sandbox, *options: str) -> subprocess.Popen:
    """``bulk-tasks run`` in its own process against ``sandbox``, quiet, with the sandbox's credentials."""
    env = {**os.environ, **sandbox.environment()}
    return subprocess.Popen([sys.executable, "-m", "bulk_tasks", "run", str(path), "-p", provider,
                             "--base-url", sandbox.url, "--quiet", *options],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_tasks(sandbox, count: int, seconds: float = 60) -> None:
    """Return once the sandbox holds ``count`` tasks; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while len(sandbox.state.tasks) < count:
        assert time.monotonic() < deadline, f"the sandbox never held {count} tasks"
        time.sleep(0.01)


def read_stderr_until(process: subprocess.Popen, text: str) -> str:
    """Read ``process``'s stderr line by line until a line holds ``text``; return what was read."""
    seen = ""
    while text not in seen:
        line = process.stderr.readline()
        assert line, f"stderr ended without {text!r}: {seen}"
        seen += line
    return seen


def test_sigint_gives_exit_130_and_a_complete_results_file(tmp_path):
    path = input_file(tmp_path, "quo", 60)
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        process = run_in_background(path, "quo", sandbox, "--rate", "10")
        wait_for_tasks(sandbox, 5)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        created = len(sandbox.state.tasks)
    assert process.returncode == 130, err
    report = results_of(tmp_path / "quo.results.csv")
    assert len(report) == 60
    assert (report["_status"] == "created").sum() == created
    assert set(report["_status"]) <= {"created", "not_sent", "uncertain"}
    assert (report["_status"] == "not_sent").sum() > 0
    assert "Traceback" not in err


def test_the_readme_quick_start_run_creates_every_sample_row(tmp_path, capsys):
    import shutil
    from pathlib import Path

    from bulk_tasks.cli import main

    sample = Path(__file__).resolve().parents[2] / "samples" / "travtus-monthly-maintenance.xlsx"
    path = shutil.copy(sample, tmp_path / sample.name)
    assert main(["run", str(path), "--provider", "travtus", "--sandbox"]) == 0
    assert "30 rows: 30 created" in capsys.readouterr().out
    report = results_of(tmp_path / "travtus-monthly-maintenance.results.xlsx")
    assert (report["_task_id"] != "").all() and report["_task_id"].is_unique
    assert main(["run", str(path), "--provider", "travtus", "--sandbox"]) == 0
    assert "30 rows: 30 already_created" in capsys.readouterr().out


def test_an_unwritable_results_path_stops_the_run_before_anything_is_sent(tmp_path, capsys):
    from bulk_tasks.cli import main

    path = input_file(tmp_path, "quo", 3)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    assert main(["run", str(path), "-p", "quo", "--sandbox", "--results", str(blocker / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "Cannot write the results file" in err and "--results" in err and "Traceback" not in err
    assert not (tmp_path / "not-a-folder.journal.jsonl").exists()


def test_a_second_sigint_abandons_requests_in_flight_and_still_writes_the_results(tmp_path):
    path = input_file(tmp_path, "travtus", 20)
    with sandbox_in_thread(SandboxConfig(latency=20.0)) as sandbox:
        process = run_in_background(path, "travtus", sandbox, "--concurrency", "4")
        wait_for_tasks(sandbox, 4)
        process.send_signal(signal.SIGINT)
        first = read_stderr_until(process, "Ctrl-C again")
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        err = first + process.stderr.read()
        process.wait(timeout=15)
    assert process.returncode == 130, err
    report = results_of(tmp_path / "travtus.results.csv")
    assert len(report) == 20
    assert (report["_status"] == "uncertain").sum() == 4
    assert (report["_status"] == "not_sent").sum() == 16
    assert "Traceback" not in err and "Ctrl-C again" in err


async def test_cancelling_the_run_writes_every_row_and_leaves_the_task_not_cancelling(tmp_path):
    import asyncio

    from bulk_tasks.statuses import ExitCode

    path = input_file(tmp_path, "quo", 12)
    async with start_sandbox(SandboxConfig(seed=3, latency=30.0).without_rate_limits()) as sb:
        task = asyncio.create_task(run(path, "quo", sb, concurrency=3))
        deadline = time.monotonic() + 30
        while len(sb.state.tasks) < 3:
            assert time.monotonic() < deadline, "the requests never reached the sandbox"
            await asyncio.sleep(0.01)
        task.cancel()
        summary = await task
    assert summary.exit_code == ExitCode.INTERRUPTED
    assert summary.counts == {"uncertain": 3, "not_sent": 9}
    assert sorted(results_of(tmp_path / "quo.results.csv")["_status"]) == ["not_sent"] * 9 + ["uncertain"] * 3
    assert task.cancelling() == 0  # the cancellation was turned into "interrupted", not left pending
