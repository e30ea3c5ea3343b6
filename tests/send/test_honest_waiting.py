"""Honest waiting, over loopback: the wait a 429 asks for is honoured up to --max-wait and said as asked;
random 429s never push the requests of any one second over the provider's limit."""

from __future__ import annotations

from bulk_tasks.sandbox import SandboxConfig, start_sandbox
from runs import input_file, results_of, run


async def test_a_retry_after_beyond_max_wait_stops_at_once_and_says_the_true_wait(tmp_path):
    config = SandboxConfig(fault_429_rate=1.0, fault_429_retry_after=3600)
    async with start_sandbox(config) as sandbox:
        summary = await run(input_file(tmp_path, "quo", 20), "quo", sandbox, max_wait=100.0, max_attempts=50)
        refused = sandbox.state.stats.by_status["429"]
    assert summary.exit_code == 1
    reason = summary.stopped_reason or ""
    assert "asks to wait 3,600 s (about an hour)" in reason and "--max-wait 100 s" in reason, reason
    assert refused <= 8  # the requests in flight when the first 429 came back; none was sent again
    assert set(results_of(tmp_path / "quo.results.csv")["_status"]) == {"not_sent"}


async def test_random_429s_never_push_a_second_over_the_limit_and_every_row_is_created(tmp_path):
    config = SandboxConfig(quo_rate_per_second=20, fault_429_rate=0.1, seed=7)
    async with start_sandbox(config) as sandbox:
        summary = await run(input_file(tmp_path, "quo", 80), "quo", sandbox, rate=20.0, max_attempts=20)
        stats = sandbox.state.stats
        busiest = stats.max_per_second("quo", sandbox.environment()["QUO_API_KEY"])
        refused = stats.by_status["429"]
    assert summary.exit_code == 0, summary.stopped_reason
    assert set(results_of(tmp_path / "quo.results.csv")["_status"]) == {"created"}
    assert refused > 0  # the faults were drawn
    assert 0 < busiest <= 20
