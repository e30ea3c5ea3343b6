"""Rate limits at their documented values, over loopback HTTP, with a clock the tests move by hand.

Quo (NOTES.md): 10 requests per second per key, a 429 until the next second's budget opens.
Travtus (NOTES.md): /task/ 10,000/s burst 5,000; /oauth2/token 100/s burst 200; per key.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk_tasks.sandbox import SandboxConfig, start_sandbox
from bulk_tasks.sandbox.limits import FixedWindowLimiter, TokenBucketLimiter

QUO_TASK = {"title": "t", "description": "d", "phoneNumberId": "PNk3Ra9XwQ2m"}
TRAVTUS_TASK = {"group_id": "g1"}
CLIENT = {"grant_type": "client_credentials", "client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def frozen(clock):
    async with start_sandbox(SandboxConfig(clock=clock)) as sandbox:
        yield sandbox


async def quo(session, sandbox, key: str = "sandbox-quo-key") -> tuple[int, dict]:
    async with session.post(f"{sandbox.url}/v1/tasks", json=QUO_TASK, headers={"Authorization": key}) as r:
        return r.status, await r.json()


async def travtus(session, sandbox, token: str = "sandbox-travtus-token") -> tuple[int, dict]:
    async with session.post(f"{sandbox.url}/task/", json=TRAVTUS_TASK, headers={"Authorization": f"Bearer {token}"}) as r:
        return r.status, await r.json()


async def token(session, sandbox) -> tuple[int, dict]:
    async with session.post(f"{sandbox.url}/oauth2/token", data=CLIENT) as r:
        return r.status, await r.json()


async def many(coroutine_factory, count: int, concurrency: int = 100) -> list[tuple[int, dict]]:
    gate = asyncio.Semaphore(concurrency)

    async def one():
        async with gate:
            return await coroutine_factory()

    return await asyncio.gather(*(one() for _ in range(count)))


async def test_quo_allows_ten_per_second_window_then_429_until_the_next_second(frozen, clock, sandbox_session):
    results = await many(lambda: quo(sandbox_session, frozen), 15)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 10 + [429] * 5
    limited = next(body for status, body in results if status == 429)
    assert (limited["code"], limited["status"], limited["title"]) == ("0600429", 429, "Too Many Requests")
    assert limited["docs"] == "https://quo.com/docs"
    clock.now = 1_000_000.999
    assert (await quo(sandbox_session, frozen))[0] == 429
    clock.now = 1_000_001.0
    statuses = sorted(status for status, _ in await many(lambda: quo(sandbox_session, frozen), 11))
    assert statuses == [201] * 10 + [429]
    assert len(frozen.state.tasks) == 20


async def test_quo_requests_spaced_at_the_limit_never_get_429(frozen, clock, sandbox_session):
    for step in range(35):
        clock.now = 1_000_000 + step / 10
        assert (await quo(sandbox_session, frozen))[0] == 201, step


async def test_quo_limit_is_per_key(clock, sandbox_session):
    config = SandboxConfig(clock=clock, quo_api_keys={"key-a", "key-b"})
    async with start_sandbox(config) as sandbox:
        a = [s for s, _ in await many(lambda: quo(sandbox_session, sandbox, "key-a"), 12)]
        b = [s for s, _ in await many(lambda: quo(sandbox_session, sandbox, "key-b"), 12)]
    assert sorted(a) == sorted(b) == [201] * 10 + [429] * 2


async def test_quo_limit_is_changeable_and_can_be_off(frozen, sandbox_session):
    frozen.config.quo_rate_per_second = 3
    assert sorted(s for s, _ in await many(lambda: quo(sandbox_session, frozen), 5)) == [201] * 3 + [429] * 2
    frozen.config.quo_rate_per_second = None
    assert {s for s, _ in await many(lambda: quo(sandbox_session, frozen), 40)} == {201}


async def test_quo_real_clock_requests_under_the_limit_never_get_429(sandbox, sandbox_session):
    start = time.monotonic()
    for _ in range(13):
        assert (await quo(sandbox_session, sandbox))[0] == 201
        await asyncio.sleep(0.12)
    assert time.monotonic() - start > 1.0


async def test_travtus_task_burst_is_5000_refilled_at_10000_per_second(frozen, clock, sandbox_session):
    results = await many(lambda: travtus(sandbox_session, frozen), 5000)
    assert {status for status, _ in results} == {200}
    status, body = await travtus(sandbox_session, frozen)
    assert status == 429
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    base = clock.now
    for step in range(1, 201):
        clock.now = base + step / 10_000
        assert (await travtus(sandbox_session, frozen))[0] == 200, step
    assert (await travtus(sandbox_session, frozen))[0] == 429
    assert len(frozen.state.tasks) == 5200


async def test_travtus_token_endpoint_burst_is_200_refilled_at_100_per_second(frozen, clock, sandbox_session):
    results = await many(lambda: token(sandbox_session, frozen), 200)
    assert {status for status, _ in results} == {200}
    status, body = await token(sandbox_session, frozen)
    assert status == 429 and "error" in body
    for step in range(1, 31):
        clock.now += 0.01
        assert (await token(sandbox_session, frozen))[0] == 200, step
    assert (await token(sandbox_session, frozen))[0] == 429


async def test_travtus_limits_can_be_changed_and_turned_off(frozen, sandbox_session):
    frozen.config.travtus_task_burst = 3
    assert sorted(s for s, _ in await many(lambda: travtus(sandbox_session, frozen), 5)) == [200] * 3 + [429] * 2
    frozen.config.without_rate_limits()
    assert {s for s, _ in await many(lambda: travtus(sandbox_session, frozen), 20)} == {200}
    assert {s for s, _ in await many(lambda: token(sandbox_session, frozen), 250)} == {200}


async def test_issued_tokens_of_one_client_share_its_budget(frozen, sandbox_session):
    frozen.config.travtus_task_burst = 4
    _, first = await token(sandbox_session, frozen)
    _, second = await token(sandbox_session, frozen)
    statuses = [(await travtus(sandbox_session, frozen, t["access_token"]))[0] for t in (first, second) * 3]
    assert statuses == [200] * 4 + [429] * 2


@given(
    limit=st.integers(min_value=1, max_value=5),
    gaps=st.lists(st.floats(min_value=0, max_value=0.7, allow_nan=False), max_size=60),
)
def test_fixed_window_admits_exactly_the_budget_of_each_second(limit, gaps):
    limiter, now, admitted = FixedWindowLimiter(), 100.0, {}
    offered: dict[int, int] = {}
    for gap in gaps:
        now += gap
        second = int(now)
        offered[second] = offered.get(second, 0) + 1
        if limiter.admit("k", now, limit):
            admitted[second] = admitted.get(second, 0) + 1
    assert all(admitted.get(second, 0) == min(limit, count) for second, count in offered.items())


@given(
    rate=st.floats(min_value=1, max_value=50),
    burst=st.integers(min_value=1, max_value=10),
    gaps=st.lists(st.floats(min_value=0, max_value=0.2, allow_nan=False), max_size=80),
)
def test_token_bucket_never_admits_more_than_burst_plus_refill(rate, burst, gaps):
    limiter, now, times = TokenBucketLimiter(), 0.0, []
    for gap in gaps:
        now += gap
        if limiter.admit("k", now, rate, burst):
            times.append(now)
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            assert j - i + 1 <= burst + (times[j] - start) * rate + 1e-2


def test_token_bucket_admits_requests_spaced_at_the_rate_forever():
    limiter = TokenBucketLimiter()
    assert all(limiter.admit("k", 5 + n / 100, 100.0, 1) for n in range(1000))


async def test_stats_record_the_busiest_second_per_provider_and_key(frozen, clock, sandbox_session):
    await many(lambda: quo(sandbox_session, frozen), 3)
    clock.now += 1
    await many(lambda: quo(sandbox_session, frozen), 12)
    await travtus(sandbox_session, frozen)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{frozen.url}/_sandbox/stats") as response:
            stats = await response.json()
    assert stats["providers"]["quo"]["max_task_requests_per_second"] == {"sandbox-quo-key": 12}
    assert stats["providers"]["travtus"]["max_task_requests_per_second"] == {"sandbox-travtus-token": 1}
    assert frozen.state.stats.max_per_second("quo", "sandbox-quo-key") == 12
