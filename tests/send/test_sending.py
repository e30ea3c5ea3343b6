"""The sending engine against the real in-process sandbox, over loopback, for both providers."""

from __future__ import annotations

import asyncio
import math
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bulk_tasks.send.auth import Auth, ClientCredentialsAuth, StaticAuth
from bulk_tasks.providers import get_provider
from bulk_tasks.providers.travtus.sandbox import SANDBOX_TRAVTUS_CLIENT_ID, SANDBOX_TRAVTUS_CLIENT_SECRET
from bulk_tasks.sandbox import (
    RunningSandbox,
    SandboxConfig,
    start_sandbox,
)
from bulk_tasks.send.ratelimit import RateLimiter
from bulk_tasks.send.options import EngineSettings
from bulk_tasks.send.engine import Outcome, Sender, send_all
from bulk_tasks.send.jobs import Job, SendResult
from bulk_tasks.statuses import RowStatus

PROVIDERS = ("quo", "travtus")
#: The timeout only a safety net where a test is not about timeouts: a loaded machine may answer slowly.
PATIENCE = 60.0
FAST = {"rate": None, "concurrency": 8, "max_attempts": 5, "timeout": PATIENCE}


def payload(provider: str, n: int) -> dict[str, Any]:
    if provider == "quo":
        return {"title": f"Task {n}", "description": "Call back", "phoneNumberId": "PNk3Ra9XwQ2m"}
    return {"group_external_ref": "PROP-1", "title": f"Task {n}", "external_ref": f"REF-{n}"}


def jobs_for(provider: str, count: int) -> list[Job]:
    return [Job(row=i + 2, payload=payload(provider, i + 2)) for i in range(count)]


def auth_for(provider: str, sb: RunningSandbox) -> Auth:
    return get_provider(provider).make_auth(sb.environment(), sb.url)


def row_of(task: Any) -> int:
    return int(task.payload["title"].split()[1])


def created_per_row(sb: RunningSandbox, provider: str) -> Counter[int]:
    return Counter(row_of(task) for task in sb.state.tasks_of(provider))


def assert_clean(report: SendResult, jobs: list[Job], auth: Auth) -> None:
    """One outcome per job, in job order, and no secret anywhere."""
    assert [o.row for o in list(report.outcomes.values())] == [j.row for j in jobs]
    text = repr(report)
    for secret in auth.secrets:
        assert secret not in text


def exactly_once(report: SendResult, sb: RunningSandbox, provider: str) -> None:
    created = {o.row: o.task_id for o in list(report.outcomes.values()) if o.status is RowStatus.CREATED}
    held = {task.task_id: row_of(task) for task in sb.state.tasks_of(provider)}
    assert sorted(held.values()) == sorted(created)
    assert {tid: row for row, tid in created.items()} == held


@pytest.fixture
async def sb() -> AsyncIterator[RunningSandbox]:
    async with start_sandbox(SandboxConfig(seed=7).without_rate_limits()) as running:
        yield running


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_every_job_is_created_exactly_once(sb: RunningSandbox, provider: str) -> None:
    jobs = jobs_for(provider, 120)
    auth = auth_for(provider, sb)
    intents: list[tuple[int, int]] = []
    outcomes: list[Outcome] = []
    report = await send_all(jobs, get_provider(provider), auth, EngineSettings(base_url=sb.url, **FAST),
                            on_intent=lambda job, attempt: intents.append((job.row, attempt)),
                            on_outcome=outcomes.append)
    assert_clean(report, jobs, auth)
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    assert all(o.task_id and o.attempts == 1 and o.http_status in (200, 201) for o in list(report.outcomes.values()))
    if provider == "travtus":
        assert all(o.request_id for o in list(report.outcomes.values()))
    exactly_once(report, sb, provider)
    assert [row for row, _ in intents] == [j.row for j in jobs]
    assert sorted(outcomes, key=lambda o: o.row) == list(report.outcomes.values())
    assert report.stopped_reason is None and not report.interrupted


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_503s_and_429s_are_retried_until_created_once(sb: RunningSandbox, provider: str) -> None:
    sb.config.fault_503_rate = 0.25
    sb.config.fault_429_rate = 0.03
    jobs = jobs_for(provider, 80)
    auth = auth_for(provider, sb)
    report = await send_all(jobs, get_provider(provider), auth,
                            EngineSettings(base_url=sb.url, rate=400, concurrency=8, max_attempts=10, timeout=PATIENCE))
    assert_clean(report, jobs, auth)
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    assert max(o.attempts for o in list(report.outcomes.values())) > 1
    exactly_once(report, sb, provider)
    by_status = sb.state.stats.providers[provider].by_status
    assert by_status["503"] > 0 and by_status["429"] > 0


async def test_retries_run_out_as_failed_with_the_last_error(sb: RunningSandbox) -> None:
    sb.config.fault_503_rate = 1.0
    jobs = jobs_for("quo", 3)
    auth = auth_for("quo", sb)
    report = await send_all(jobs, get_provider("quo"), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=3, max_attempts=3, timeout=PATIENCE))
    for outcome in list(report.outcomes.values()):
        assert outcome.status is RowStatus.FAILED and outcome.attempts == 3
        assert outcome.http_status == 503 and "gave up after 3 attempts" in (outcome.error or "")
    assert not sb.state.tasks


async def test_the_rate_limit_holds_in_every_second() -> None:
    async with start_sandbox(SandboxConfig(seed=1)) as sb:
        assert sb.config.quo_rate_per_second == 10
        jobs = jobs_for("quo", 25)
        auth = auth_for("quo", sb)
        started = time.monotonic()
        report = await send_all(jobs, get_provider("quo"), auth,
                                EngineSettings(base_url=sb.url, rate=10, concurrency=8, max_attempts=3,
                                               timeout=PATIENCE))
        elapsed = time.monotonic() - started
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    stats = sb.state.stats
    assert stats.max_per_second("quo", next(iter(sb.config.quo_api_keys))) <= 10
    assert stats.providers["quo"].by_status["429"] == 0
    assert elapsed >= 2.3


async def test_requests_held_back_after_their_grants_do_not_leave_together() -> None:
    """The journal's fsync between grant and request holds some back; released at once, they still
    reach the sandbox's 10/s at no more than 10 a second."""
    async with start_sandbox(SandboxConfig(seed=1)) as sb:
        jobs = jobs_for("quo", 30)
        disk = asyncio.Event()

        def on_intent(job: Job, attempt: int) -> Any:
            if job.row == 22:
                disk.set()
            return None if disk.is_set() else disk.wait()

        report = await send_all(jobs, get_provider("quo"), auth_for("quo", sb),
                                EngineSettings(base_url=sb.url, rate=10, concurrency=30, max_attempts=3,
                                               timeout=PATIENCE), on_intent=on_intent)
    assert [o.status for o in list(report.outcomes.values())] == [RowStatus.CREATED] * 30
    assert sb.state.stats.providers["quo"].by_status["429"] == 0
    assert sb.state.stats.max_per_second("quo", next(iter(sb.config.quo_api_keys))) <= 10


async def test_a_short_token_lifetime_is_survived() -> None:
    config = SandboxConfig(seed=2, travtus_token_lifetime=1.0).without_rate_limits()
    async with start_sandbox(config) as sb:
        jobs = jobs_for("travtus", 100)
        auth = auth_for("travtus", sb)
        assert isinstance(auth, ClientCredentialsAuth)
        report = await send_all(jobs, get_provider("travtus"), auth,
                                EngineSettings(base_url=sb.url, rate=40, concurrency=8, max_attempts=3,
                                               timeout=PATIENCE))
    assert_clean(report, jobs, auth)
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    exactly_once(report, sb, "travtus")
    assert 3 <= sb.state.stats.token_requests <= 6


async def test_expired_tokens_are_refreshed_once_for_all_workers() -> None:
    config = SandboxConfig(seed=4, travtus_token_lifetime=0.4).without_rate_limits()
    async with start_sandbox(config) as sb:
        jobs = jobs_for("travtus", 120)
        frozen = lambda: 0.0  # noqa: E731 - never renews ahead, so every expiry is met as a 401
        auth = ClientCredentialsAuth(sb.url + "/oauth2/token", SANDBOX_TRAVTUS_CLIENT_ID,
                                     SANDBOX_TRAVTUS_CLIENT_SECRET, clock=frozen)
        started = time.monotonic()
        report = await send_all(jobs, get_provider("travtus"), auth,
                                EngineSettings(base_url=sb.url, rate=100, concurrency=10, max_attempts=3,
                                               timeout=PATIENCE))
        elapsed = time.monotonic() - started
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    exactly_once(report, sb, "travtus")
    assert sb.state.stats.providers["travtus"].by_status["401"] >= 2
    assert any(o.attempts == 2 for o in list(report.outcomes.values()))
    assert sb.state.stats.token_requests <= math.ceil(elapsed / 0.4) + 2


async def test_an_expired_token_that_cannot_be_renewed_stops_the_run(sb: RunningSandbox) -> None:
    sb.state.issued_tokens["stale-token-5521"] = ("some-client", 0.0)  # expired from the start
    auth = StaticAuth({"Authorization": "Bearer stale-token-5521"}, secrets=("stale-token-5521",))
    jobs = jobs_for("travtus", 5)
    report = await send_all(jobs, get_provider("travtus"), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=1, max_attempts=3, timeout=PATIENCE))
    first, *rest = list(report.outcomes.values())
    assert first.status is RowStatus.FAILED and first.attempts == 1 and "expired" in (first.error or "")
    assert report.stopped_reason and "cannot be renewed" in report.stopped_reason
    assert {o.status for o in rest} == {RowStatus.NOT_SENT} and not sb.state.tasks_of("travtus")
    assert sb.state.stats.providers["travtus"].by_status["401"] == 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_bad_credentials_stop_the_run(sb: RunningSandbox, provider: str) -> None:
    secret = "definitely-wrong-key-9137"
    auth: Auth = StaticAuth({"Authorization": secret if provider == "quo" else "Bearer " + secret},
                            secrets=(secret,))
    jobs = jobs_for(provider, 60)
    report = await send_all(jobs, get_provider(provider), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=4, max_attempts=5, timeout=PATIENCE))
    assert_clean(report, jobs, auth)
    assert sb.state.stats.providers[provider].task_requests <= 4
    statuses = Counter(o.status for o in list(report.outcomes.values()))
    assert statuses[RowStatus.FAILED] == sb.state.stats.providers[provider].task_requests
    assert statuses[RowStatus.NOT_SENT] == 60 - statuses[RowStatus.FAILED]
    assert report.stopped_reason and "refused the credentials" in report.stopped_reason
    not_sent = [o for o in list(report.outcomes.values()) if o.status is RowStatus.NOT_SENT]
    assert all(report.stopped_reason in (o.error or "") for o in not_sent)
    assert not sb.state.tasks


async def test_a_wrong_client_secret_stops_before_any_task_request(sb: RunningSandbox) -> None:
    secret = "not-the-secret-5521"
    auth = ClientCredentialsAuth(sb.url + "/oauth2/token", SANDBOX_TRAVTUS_CLIENT_ID, secret)
    jobs = jobs_for("travtus", 20)
    report = await send_all(jobs, get_provider("travtus"), auth, EngineSettings(base_url=sb.url, **FAST))
    assert_clean(report, jobs, auth)
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.NOT_SENT}
    assert sb.state.stats.token_requests == 1
    assert sb.state.stats.providers["travtus"].task_requests == 0
    assert report.stopped_reason and secret not in report.stopped_reason


async def test_quo_open_task_cap_stops_the_run(sb: RunningSandbox) -> None:
    sb.config.quo_open_task_limit = 10
    jobs = jobs_for("quo", 50)
    auth = auth_for("quo", sb)
    report = await send_all(jobs, get_provider("quo"), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=4, max_attempts=3, timeout=PATIENCE))
    assert_clean(report, jobs, auth)
    statuses = Counter(o.status for o in list(report.outcomes.values()))
    assert statuses[RowStatus.CREATED] == 10
    assert 1 <= statuses[RowStatus.FAILED] <= 4
    assert statuses[RowStatus.NOT_SENT] == 50 - 10 - statuses[RowStatus.FAILED]
    assert report.stopped_reason and "limit" in report.stopped_reason.lower()
    assert all(o.http_status == 402 for o in list(report.outcomes.values()) if o.status is RowStatus.FAILED)
    exactly_once(report, sb, "quo")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_500_after_create_is_uncertain_and_not_resent(sb: RunningSandbox, provider: str) -> None:
    sb.config.fault_500_after_create_rate = 0.3
    jobs = jobs_for(provider, 60)
    auth = auth_for(provider, sb)
    report = await send_all(jobs, get_provider(provider), auth, EngineSettings(base_url=sb.url, **FAST))
    uncertain = [o for o in list(report.outcomes.values()) if o.status is RowStatus.UNCERTAIN]
    assert uncertain and all(o.attempts == 1 and o.http_status == 500 for o in uncertain)
    assert all("may have been created" in (o.error or "") for o in uncertain)
    assert created_per_row(sb, provider) == Counter({j.row: 1 for j in jobs})


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_retry_uncertain_resends_them(sb: RunningSandbox, provider: str) -> None:
    sb.config.fault_500_after_create_rate = 0.3
    jobs = jobs_for(provider, 60)
    auth = auth_for(provider, sb)
    report = await send_all(jobs, get_provider(provider), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=8, max_attempts=4, timeout=PATIENCE, retry_uncertain=True))
    per_row = created_per_row(sb, provider)
    assert per_row == Counter({o.row: o.attempts for o in list(report.outcomes.values())})
    assert max(per_row.values()) > 1
    for outcome in list(report.outcomes.values()):
        expected = RowStatus.CREATED if outcome.http_status in (200, 201) else RowStatus.UNCERTAIN
        assert outcome.status is expected


async def test_dropped_connections_and_timeouts_are_uncertain(sb: RunningSandbox) -> None:
    sb.config.drop_after_create_rate = 0.2
    jobs = jobs_for("quo", 40)
    auth = auth_for("quo", sb)
    report = await send_all(jobs, get_provider("quo"), auth, EngineSettings(base_url=sb.url, **FAST))
    lost = [o for o in list(report.outcomes.values()) if o.status is RowStatus.UNCERTAIN]
    assert lost and all("connection was lost" in (o.error or "") for o in lost)
    assert created_per_row(sb, "quo") == Counter({j.row: 1 for j in jobs})

    sb.state.reset()
    sb.config.drop_after_create_rate = 0.0
    sb.config.latency = 0.6
    report = await send_all(jobs[:3], get_provider("quo"), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=3, max_attempts=3, timeout=0.2))
    assert all(o.status is RowStatus.UNCERTAIN and o.attempts == 1 for o in list(report.outcomes.values()))
    assert all("no reply within 0.2 s" in (o.error or "") for o in list(report.outcomes.values()))


async def test_connection_refused_is_retried_then_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    jobs = jobs_for("quo", 10)
    auth = StaticAuth({"Authorization": "some-key"}, secrets=("some-key",))
    report = await send_all(jobs, get_provider("quo"), auth,
                            EngineSettings(base_url=f"http://127.0.0.1:{port}", rate=None, concurrency=2, max_attempts=3, timeout=2))
    assert_clean(report, jobs, auth)
    failed = [o for o in list(report.outcomes.values()) if o.status is RowStatus.FAILED]
    assert 3 <= len(failed) <= 4
    for outcome in failed:
        assert outcome.attempts == 3 and outcome.http_status is None
        assert f"could not connect to 127.0.0.1:{port}" in (outcome.error or "")
        assert "gave up after 3 attempts" in (outcome.error or "")
    assert Counter(o.status for o in list(report.outcomes.values()))[RowStatus.NOT_SENT] == 10 - len(failed)
    assert report.stopped_reason and "could not be reached" in report.stopped_reason


async def test_stop_event_finishes_in_flight_and_leaves_the_rest_not_sent(sb: RunningSandbox) -> None:
    sb.config.latency = 0.05
    stop = asyncio.Event()
    jobs = jobs_for("quo", 200)
    auth = auth_for("quo", sb)
    done: list[Outcome] = []

    def on_outcome(outcome: Outcome) -> None:
        done.append(outcome)
        if len(done) == 20:
            stop.set()

    report = await send_all(jobs, get_provider("quo"), auth,
                            EngineSettings(base_url=sb.url, rate=None, concurrency=4, max_attempts=3, timeout=PATIENCE),
                            stop=stop, on_outcome=on_outcome)
    assert report.interrupted and report.stopped_reason is None
    statuses = Counter(o.status for o in list(report.outcomes.values()))
    assert set(statuses) == {RowStatus.CREATED, RowStatus.NOT_SENT}
    assert 20 <= statuses[RowStatus.CREATED] <= 20 + 4 - 1, "a request started after stop was set"
    assert all("interrupted" in (o.error or "") for o in list(report.outcomes.values()) if o.status is RowStatus.NOT_SENT)
    assert len(done) == 200
    exactly_once(report, sb, "quo")


async def until(condition, patience: float = 30.0) -> None:
    """Yield to the event loop until ``condition()`` holds (fails after ``patience`` seconds)."""
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, "the awaited event never happened"
        await asyncio.sleep(0.005)


async def test_cancellation_still_gives_every_job_an_outcome(sb: RunningSandbox) -> None:
    sb.config.latency = 30.0
    jobs = jobs_for("quo", 30)
    auth = auth_for("quo", sb)
    seen: list[Outcome] = []
    sender = Sender(jobs, get_provider("quo"), auth,
                    EngineSettings(base_url=sb.url, rate=None, concurrency=4, max_attempts=3, timeout=PATIENCE),
                    on_outcome=seen.append)
    task = asyncio.create_task(sender.run())
    await until(lambda: len(sb.state.tasks) == 4)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    report = sender.report()
    statuses = Counter(o.status for o in list(report.outcomes.values()))
    assert statuses == {RowStatus.UNCERTAIN: 4, RowStatus.NOT_SENT: 26}
    assert report.interrupted
    assert sorted(o.row for o in seen) == [j.row for j in jobs]


async def test_a_journal_failure_stops_everything_before_the_request() -> None:
    async with start_sandbox(SandboxConfig(seed=5).without_rate_limits()) as sb:
        jobs = jobs_for("quo", 30)

        def on_intent(job: Job, attempt: int) -> None:
            if job.row == 12:
                raise OSError("disk full")

        sender = Sender(jobs, get_provider("quo"), auth_for("quo", sb),
                        EngineSettings(base_url=sb.url, rate=None, concurrency=1, max_attempts=3, timeout=PATIENCE),
                        on_intent=on_intent)
        with pytest.raises(OSError):
            await sender.run()
        assert len(sb.state.tasks) == 10
    statuses = [o.status for o in list(sender.report().outcomes.values())]
    assert statuses == [RowStatus.CREATED] * 10 + [RowStatus.NOT_SENT] * 20


async def test_a_tls_failure_stops_the_run_without_retrying(sb: RunningSandbox) -> None:
    url = sb.url.replace("http://", "https://")
    jobs = jobs_for("quo", 10)
    report = await send_all(jobs, get_provider("quo"), auth_for("quo", sb),
                            EngineSettings(base_url=url, rate=None, concurrency=2, max_attempts=5, timeout=2))
    failed = [o for o in list(report.outcomes.values()) if o.status is RowStatus.FAILED]
    assert 1 <= len(failed) <= 2 and all(o.attempts == 1 for o in failed)
    assert report.stopped_reason and "secure connection" in report.stopped_reason
    assert Counter(o.status for o in list(report.outcomes.values()))[RowStatus.NOT_SENT] == 10 - len(failed)


async def test_a_429_pauses_every_worker_for_its_retry_after(sb: RunningSandbox) -> None:
    sb.config.fault_429_rate = 0.05
    sb.config.fault_429_retry_after = 1
    jobs = jobs_for("quo", 40)
    limiter = RateLimiter(None)
    sender = Sender(jobs, get_provider("quo"), auth_for("quo", sb),
                    EngineSettings(base_url=sb.url, rate=None, concurrency=8, max_attempts=10, timeout=PATIENCE),
                    limiter=limiter)
    started = time.monotonic()
    report = await sender.run()
    elapsed = time.monotonic() - started
    assert {o.status for o in list(report.outcomes.values())} == {RowStatus.CREATED}
    exactly_once(report, sb, "quo")
    assert limiter.penalties >= 1 and elapsed >= 1.0
    times = sorted(task.created_at for task in sb.state.tasks_of("quo"))
    assert max(b - a for a, b in zip(times, times[1:])) >= 0.9


@pytest.mark.parametrize("max_concurrency, grows", [(None, False), (64, True)])
async def test_workers_are_added_while_the_rate_needs_more_requests_in_flight(max_concurrency, grows):
    config = SandboxConfig(latency=0.2).without_rate_limits()
    async with start_sandbox(config) as sb:
        jobs = jobs_for("quo", 40)
        sender = Sender(jobs, get_provider("quo"), auth_for("quo", sb),
                        EngineSettings(base_url=sb.url, rate=50.0, concurrency=4, max_attempts=5, timeout=PATIENCE, max_concurrency=max_concurrency))
        report = await sender.run()
    assert [o.status for o in list(report.outcomes.values())] == [RowStatus.CREATED] * 40
    # 50/s with 0.2 s replies needs about 10 in flight (13 with the headroom), never more than the cap
    assert (len(sender._workers) > 4) is grows
    assert len(sender._workers) <= (max_concurrency or 4)
