"""The shared token bucket: pure logic on an injected clock, then behaviour on the real clock."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk_tasks.send.ratelimit import (LONE_SLOWDOWN, MAX_SLOWDOWN, RECOVERY_PERIOD, SAFETY_MARGIN, SECOND_SLOWDOWN,
                                       SLOWDOWN, RateLimiter)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(rate: float | None, **kwargs: object) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(rate, clock=clock, rand=lambda: 1.0, **kwargs), clock  # type: ignore[arg-type]


def test_unlimited_never_waits() -> None:
    for rate in (None, 0):
        bucket, clock = limiter(rate)
        assert all(bucket.reserve(clock.now) <= 0 for _ in range(10_000))
        assert bucket.rate is None


def test_slots_are_spaced_by_the_rate_with_a_margin() -> None:
    bucket, clock = limiter(10)
    waits = [bucket.reserve(clock.now) for _ in range(5)]
    step = (1 + SAFETY_MARGIN) / 10
    assert waits == pytest.approx([0, step, 2 * step, 3 * step, 4 * step])


def test_burst_lets_the_first_few_go_at_once() -> None:
    bucket, clock = limiter(10, burst=3)
    waits = [bucket.reserve(clock.now) for _ in range(4)]
    assert [w <= 0 for w in waits] == [True, True, True, False]


def test_idle_time_does_not_bank_more_than_the_burst() -> None:
    bucket, clock = limiter(10)
    bucket.reserve(clock.now)
    clock.now += 60
    assert bucket.reserve(clock.now) <= 0
    assert bucket.reserve(clock.now) > 0


def test_retry_after_pauses_everyone_and_a_lone_429_slows_the_rate_a_little() -> None:
    bucket, clock = limiter(10)
    granted = clock.now
    bucket.reserve(clock.now)
    assert bucket.penalize(retry_after=2.0, sent_at=granted) == pytest.approx(2.0)
    assert bucket.rate == pytest.approx(10 * LONE_SLOWDOWN)
    assert bucket.reserve(clock.now) == pytest.approx(2.0)
    assert bucket.reserve(clock.now) == pytest.approx(2.0 + (1 + SAFETY_MARGIN) / (10 * LONE_SLOWDOWN))


def test_retry_after_is_honoured_up_to_max_pause() -> None:
    bucket, _ = limiter(10, max_pause=60)
    assert bucket.penalize(retry_after=3600) == pytest.approx(60)
    bucket, _ = limiter(10, max_pause=300)
    assert bucket.penalize(retry_after=3600) == pytest.approx(300)
    bucket, _ = limiter(10, max_pause=7200)
    assert bucket.penalize(retry_after=3600) == pytest.approx(3600)


def test_a_lone_429_does_not_pause_a_run_of_them_backs_off_exponentially() -> None:
    bucket, clock = limiter(100)
    pauses = []
    for _ in range(6):
        pauses.append(bucket.penalize())
        clock.now += 0.001
    assert pauses == pytest.approx([0.0, 0.0, 0.5, 1.0, 2.0, 4.0], abs=0.01)


def test_the_rate_after_one_429_versus_after_a_run_of_them() -> None:
    lone, clock = limiter(100)
    lone.penalize(sent_at=clock.now)
    run, clock = limiter(100)
    for _ in range(4):
        run.penalize(sent_at=clock.now)
        clock.now += 0.001
    assert lone.rate == pytest.approx(100 * LONE_SLOWDOWN)
    assert run.rate == pytest.approx(100 * LONE_SLOWDOWN * SECOND_SLOWDOWN * SLOWDOWN ** 2)
    assert run.rate < lone.rate / 4


def test_a_lone_429_slows_the_pacer_only_briefly() -> None:
    bucket, clock = limiter(100)
    bucket.penalize(sent_at=clock.now)
    clock.now += RECOVERY_PERIOD + 0.001
    bucket.reserve(clock.now)
    assert bucket.rate == pytest.approx(100)


def test_429s_scattered_among_successes_keep_the_rate_near_the_limit_and_frequent_ones_lower_it() -> None:
    """3 % then 10 % of 100 requests a second answered 429 at random, each after a success."""
    rates = {}
    for share in (0.03, 0.10):
        bucket, clock = limiter(100)
        every = round(1 / share)
        for number in range(1, 6000):
            granted = clock.now
            assert bucket.reserve(clock.now) is not None
            clock.now += 1 / (bucket.rate or 100)
            if number % every == 0:
                bucket.penalize(sent_at=granted)
            else:
                bucket.note_success(granted)
        rates[share] = bucket.rate
    assert rates[0.03] >= 70
    assert rates[0.10] < rates[0.03]


def test_a_success_ends_the_run() -> None:
    bucket, clock = limiter(100)
    for _ in range(2):
        bucket.penalize()
        clock.now += 0.001
    assert bucket.penalize() == pytest.approx(0.5)
    clock.now += 5
    bucket.note_success(clock.now)
    assert [bucket.penalize(), bucket.penalize()] == pytest.approx([0.0, 0.0])
    clock.now += 0.001
    assert bucket.penalize() == pytest.approx(0.5)


def test_echoes_of_one_burst_slow_down_only_once() -> None:
    bucket, clock = limiter(100)
    sent = clock.now
    clock.now += 0.01
    bucket.penalize(retry_after=1, sent_at=sent)
    for _ in range(20):
        bucket.penalize(sent_at=sent)
    assert bucket.rate == pytest.approx(100 * LONE_SLOWDOWN)
    assert bucket.penalties == 1
    bucket.penalize(retry_after=5, sent_at=sent)
    assert bucket.paused_until == pytest.approx(clock.now + 5)
    assert bucket.rate == pytest.approx(100 * LONE_SLOWDOWN)


def test_rate_never_drops_below_the_floor() -> None:
    bucket, clock = limiter(160)
    for _ in range(20):
        bucket.penalize(retry_after=0)
        clock.now += 0.001
    assert bucket.rate == pytest.approx(160 / MAX_SLOWDOWN)


def test_rate_recovers_gradually_and_never_exceeds_the_configured_rate() -> None:
    bucket, clock = limiter(100)
    bucket.penalize(retry_after=1)
    bucket.penalize(retry_after=1, sent_at=clock.now + 1)
    bucket.penalize(retry_after=1, sent_at=clock.now + 1)
    assert bucket.rate == pytest.approx(100 * LONE_SLOWDOWN * SECOND_SLOWDOWN * SLOWDOWN)
    seen = []
    for _ in range(12):
        clock.now += 1.0
        bucket.reserve(clock.now)
        seen.append(bucket.rate)
    assert seen == sorted(seen)
    assert seen[1] < 100
    assert seen[-1] == pytest.approx(100)


def test_unlimited_slows_to_below_the_observed_pace_then_lifts_the_limit() -> None:
    bucket, clock = limiter(None)
    for _ in range(200):
        bucket.reserve(clock.now)
        clock.now += 0.005
    bucket.penalize(retry_after=0.5)
    clock.now += 0.001
    bucket.penalize(retry_after=0.5)
    assert bucket.rate == pytest.approx(200 * LONE_SLOWDOWN * SECOND_SLOWDOWN, rel=0.1)
    for _ in range(10):
        clock.now += 1.0
        bucket.reserve(clock.now)
    assert bucket.rate is None


def sleeping_limiter(rate: float | None) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    return RateLimiter(rate, clock=clock, sleep=sleep, rand=lambda: 1.0), clock  # type: ignore[arg-type]


async def test_requests_held_back_after_their_grants_leave_spaced_and_never_crowd_a_second() -> None:
    bucket, clock = sleeping_limiter(10)
    grants = [await bucket.acquire() for _ in range(25)]
    clock.now += 0.5  # every one of them waited on the disk; now they all want to leave at once
    departures = [await bucket.depart() for _ in range(25)]
    step = (1 + SAFETY_MARGIN) / 10
    assert grants[-1] is not None and grants[-1] < departures[0]  # type: ignore[operator]
    gaps = [b - a for a, b in zip(departures, departures[1:])]  # type: ignore[operator]
    assert min(gaps) >= step / 2 - 1e-9
    assert _max_in_any_second(departures) <= 10  # type: ignore[arg-type]
    assert departures[-1] - departures[0] <= 24 * step  # type: ignore[operator]


async def test_a_request_that_left_late_holds_back_the_ones_after_it_briefly_and_less_and_less() -> None:
    bucket, clock = sleeping_limiter(10)
    waited = []
    for n in range(150):
        granted = await bucket.acquire()
        if n == 5:
            clock.now += 0.3  # this one waited on the disk
            granted = clock.now
        departed = await bucket.depart()
        waited.append(departed - granted)  # type: ignore[operator]
    step = (1 + SAFETY_MARGIN) / 10
    assert waited[:6] == pytest.approx([0.0] * 6, abs=1e-9)
    assert 0 < waited[6] <= step / 2 + 1e-9  # the next one leaves half a step after it
    # a second later a few wait for the three that left close together, a little less every second...
    assert max(waited) <= step and sum(waited) < 1.0
    assert waited[-40:] == pytest.approx([0.0] * 40, abs=1e-9)  # ...until nobody does


async def test_a_pause_begun_between_grant_and_departure_is_waited_out() -> None:
    bucket, clock = sleeping_limiter(10)
    assert await bucket.acquire() is not None
    bucket.penalize(retry_after=2.0)
    departed = await bucket.depart()
    assert departed is not None and departed >= bucket.paused_until


async def test_departures_are_not_held_when_unlimited() -> None:
    bucket, clock = sleeping_limiter(None)
    assert [await bucket.depart() for _ in range(100)] == [clock.now] * 100


# ---- the real clock -------------------------------------------------------------------------


async def _grab(bucket: RateLimiter, count: int, times: list[float], stall_after: int | None = None) -> None:
    for _ in range(count):
        granted = await bucket.acquire()
        assert granted is not None
        times.append(granted)
        if len(times) == stall_after:
            time.sleep(0.15)  # the event loop busy elsewhere: every sleeper due meanwhile wakes late


def _max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


async def test_workers_sharing_a_bucket_stay_under_the_rate() -> None:
    bucket = RateLimiter(20)
    times: list[float] = []
    started = time.monotonic()
    await asyncio.gather(*(_grab(bucket, 6, times) for _ in range(5)))
    elapsed = time.monotonic() - started
    assert len(times) == 30
    assert _max_in_any_second(times) <= 20
    assert elapsed >= 29 * (1 / 20) * 0.98


async def test_a_busy_event_loop_never_crowds_one_second_with_more_than_the_rate() -> None:
    bucket = RateLimiter(10)
    times: list[float] = []
    await asyncio.gather(*(_grab(bucket, 8, times, stall_after=3) for _ in range(3)))
    assert len(times) == 24
    assert _max_in_any_second(times) <= 10


async def test_a_penalty_pauses_every_waiting_worker() -> None:
    bucket = RateLimiter(50)
    times: list[float] = []
    workers = [asyncio.create_task(_grab(bucket, 8, times)) for _ in range(4)]
    await asyncio.sleep(0.1)
    before = time.monotonic()
    bucket.penalize(retry_after=0.4)
    until = bucket.paused_until
    await asyncio.gather(*workers)
    assert until >= before + 0.4
    assert times and not [t for t in times if before < t < until]
    assert len([t for t in times if t >= until]) > 0 and len(times) == 32


async def test_depart_gives_up_when_cancel_is_set() -> None:
    bucket = RateLimiter(0.1)
    cancel = asyncio.Event()
    assert await bucket.depart(cancel) is not None
    waiter = asyncio.create_task(bucket.depart(cancel))
    await asyncio.sleep(0.05)
    cancel.set()
    assert await asyncio.wait_for(waiter, 5) is None


async def test_acquire_gives_up_when_cancel_is_set() -> None:
    bucket = RateLimiter(0.1)  # the next slot 10 s away: a slow machine cannot reach it before the cancel
    cancel = asyncio.Event()
    assert await bucket.acquire(cancel) is not None
    waiter = asyncio.create_task(bucket.acquire(cancel))
    await asyncio.sleep(0.05)
    cancel.set()
    assert await asyncio.wait_for(waiter, 5) is None  # at once; 5 s only as a safety net


@given(rate=st.integers(min_value=1, max_value=50),
       gaps=st.lists(st.floats(min_value=0, max_value=0.3), min_size=1, max_size=200))
def test_no_one_second_window_ever_holds_more_than_the_rate(rate: int, gaps: list[float]) -> None:
    bucket, clock = limiter(rate)
    sends = []
    for gap in gaps:
        clock.now += gap
        sends.append(clock.now + max(0.0, bucket.reserve(clock.now)))
    sends.sort()
    for i, start in enumerate(sends):
        assert sum(1 for t in sends[i:] if t < start + 1.0) <= rate
