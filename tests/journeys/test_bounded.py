"""Failures that must end, and say so: an endless 429, a silent host, a token endpoint that never answers."""

from __future__ import annotations

import io

from bulk_tasks.console.progress import ProgressBar
from bulk_tasks.sandbox import SandboxConfig, start_sandbox
from runs import conversation_file, input_file, results_of, run


async def test_a_key_rate_limited_for_ever_stops_the_run_after_max_wait(tmp_path):
    config = SandboxConfig(fault_429_rate=1.0, fault_429_retry_after=2)
    async with start_sandbox(config) as sandbox:
        summary = await run(input_file(tmp_path, "quo", 40), "quo", sandbox, max_wait=5.0, max_attempts=50)
        refused = sandbox.state.stats.by_status["429"]
    report = results_of(tmp_path / "quo.results.csv")
    assert summary.exit_code == 1
    assert "429 Too Many Requests" in summary.stopped_reason and "--max-wait 5 s" in summary.stopped_reason
    assert set(report["_status"]) == {"not_sent"}
    assert refused <= 4 * 8


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_the_wait_for_the_rate_limit():
    stream = Terminal()
    bar = ProgressBar(stream)
    bar.start(5)
    bar.waiting(60)
    bar.close()
    assert "waiting 60 s (rate limit)" in stream.getvalue()


def test_a_silent_host_stops_the_run_after_several_requests_without_a_reply(tmp_path, monkeypatch, capsys):
    from bulk_tasks.cli import main
    from netfaults import never_answers, raw_server

    monkeypatch.setenv("QUO_API_KEY", "silent-host-test-key")
    path = conversation_file(tmp_path, 60)  # nothing to look up: the sends meet the silent host
    with raw_server(never_answers) as server:
        code = main(["run", str(path), "-p", "quo", "--base-url", server.url, "--quiet", "--timeout", "0.5",
                     "--concurrency", "2"])
        connections = server.connections
    err = capsys.readouterr().err
    report = results_of(tmp_path / "quo.results.csv")
    assert code == 1 and "answered none of the last 3 within 0.5 s" in err
    assert (report["_status"] == "uncertain").sum() == connections <= 4
    assert (report["_status"] == "not_sent").sum() == 60 - connections


def test_the_travtus_token_request_honours_timeout(tmp_path):
    import asyncio

    from netfaults import never_answers, raw_server
    from bulk_tasks import ReadOptions, SendOptions, run_import_async

    env = {"TRAVTUS_CLIENT_ID": "client", "TRAVTUS_CLIENT_SECRET": "secret-value"}
    path = input_file(tmp_path, "travtus", 5)
    with raw_server(never_answers) as server:
        options = SendOptions(base_url=server.url, env=env, timeout=0.5)
        summary = asyncio.run(asyncio.wait_for(run_import_async(path, "travtus", ReadOptions(), options), 60))
        token_requests = server.connections
    assert "Could not get an access token" in summary.stopped_reason and "within 0.5 s" in summary.stopped_reason
    assert token_requests == 4 and summary.counts == {"not_sent": 5}
