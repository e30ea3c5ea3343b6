"""One shared request pacer per provider and key: a token bucket that a 429 pauses and slows down.

Why not ``aiolimiter``: its leaky bucket can neither pause every waiting worker at once nor drop
and regrow its rate mid-run, and both are what a 429 must do here (the README's "How it sends" and "Rate limits").

The bucket is kept as a *theoretical arrival time* (GCRA): each caller reserves the next free slot
and sleeps until it, so ``acquire`` costs O(1) and needs no lock. A penalty moves the schedule past
the pause and bumps a generation counter; a caller whose reservation predates the penalty wakes,
sees the new generation and reserves again, so nobody sends during a pause. A request held back
after its grant (the journal's ``fsync``) passes ``depart`` on its way out, which counts and spaces
the requests leaving, so that requests held back together never leave together.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable

from .retry import MAX_RETRY_AFTER, backoff_delay

#: Every interval is stretched by this share, so that clock jitter never tips one second of the
#: provider's count over the limit.
SAFETY_MARGIN = 0.02
#: A grant waits this much past the moment the grant ``rate`` before it leaves the one-second window.
WINDOW_EPSILON = 0.001
#: Requests leaving (``depart``) are counted over a window this long, at most ``rate`` in any: a margin
#: for their uneven way to the provider, within the slack that the stretched intervals leave...
DEPARTURE_WINDOW = 1.0 + SAFETY_MARGIN / 2
#: ...and leave at least this share of the interval apart (with ``burst`` 1): requests held back
#: together never leave together, while one that left late holds the next back by half an interval
#: at most, not every one after it (as spacing them a whole interval from the last would).
DEPARTURE_GAP = 0.5
#: After a lone 429 (the requests before it went through) the rate is multiplied by this factor,
#: after the second 429 of a run by SECOND_SLOWDOWN, after each further one by SLOWDOWN...
LONE_SLOWDOWN = 0.97
SECOND_SLOWDOWN = 0.8
SLOWDOWN = 0.5
#: ...and every worker pauses from this 429 of a run on.
PAUSE_FROM_STRIKE = 3
#: ...never going below the configured rate divided by this...
MAX_SLOWDOWN = 16.0
#: ...and regrows by this factor every ``RECOVERY_PERIOD`` seconds (a lone 429 does not hold it back).
RECOVERY = 1.25
RECOVERY_PERIOD = 1.0
#: Exponential backoff of the pause over a run of 429s without ``Retry-After``.
PAUSE_BASE = 0.5
PAUSE_CAP = 30.0
#: Unlimited mode measures its pace over this many recent grants, spanning at least MIN_SPAN s.
RECENT_GRANTS = 64
MIN_SPAN = 0.1


class RateLimiter:
    """A token bucket shared by every worker sending with one key.

    ``rate`` is requests per second (None or 0: unlimited); ``burst`` how many may go at once after
    an idle spell (1 keeps every one-second window at or under ``rate``). ``clock`` (monotonic
    seconds), ``sleep`` and ``rand`` may be replaced in unit tests.
    """

    def __init__(self, rate: float | None, *, burst: int = 1, max_pause: float = MAX_RETRY_AFTER,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 rand: Callable[[], float] = random.random) -> None:
        if rate is not None and rate < 0:
            raise ValueError("rate must not be negative")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.configured_rate: float | None = rate or None
        self.burst = burst
        self.max_pause = max_pause
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._rate: float | None = self.configured_rate
        self._interval = 0.0
        self._tolerance = 0.0
        self._set_rate(self._rate)
        self._tat = -math.inf
        self._departed_last = -math.inf
        self._paused_until = -math.inf
        self._last_penalty = -math.inf
        self._recover_at = math.inf
        self._ceiling: float | None = self.configured_rate
        self._floor = (self.configured_rate or MAX_SLOWDOWN) / MAX_SLOWDOWN
        self._strikes = 0
        self._generation = 0
        self._recent = [-math.inf] * RECENT_GRANTS
        self._recent_next = 0
        self._granted: deque[float] = deque()
        self._departed: deque[float] = deque()
        self.penalties = 0

    @property
    def rate(self) -> float | None:
        """The rate in force now (lower than configured after a 429); None when unlimited."""
        return self._rate

    @property
    def paused_until(self) -> float:
        """The clock time before which nobody may send."""
        return self._paused_until

    def _set_rate(self, rate: float | None) -> None:
        self._rate = rate
        if rate is None:
            self._interval = self._tolerance = 0.0
        else:
            self._interval = (1.0 + SAFETY_MARGIN) / rate
            self._tolerance = (self.burst - 1) * self._interval

    def reserve(self, now: float) -> float:
        """Take the next slot; return how long to wait for it (0 or less: send now).

        A slot reserved during a pause lies after the pause. Pure bookkeeping, no waiting.
        """
        if self._rate is None:
            self._count(now)
            return self._paused_until - now
        if now >= self._recover_at:
            self._recover(now)
        start = max(self._tat, now, self._paused_until)
        self._tat = start + self._interval
        return max(start - self._tolerance, self._paused_until) - now

    def _count(self, now: float) -> None:
        self._recent[self._recent_next] = now
        self._recent_next = (self._recent_next + 1) % len(self._recent)

    def observed_rate(self, now: float) -> float:
        """Grants per second over the last few dozen grants (at least 1.0)."""
        times = [t for t in self._recent if t > -math.inf]
        if len(times) < 2:
            return 1.0
        span = max(now - min(times), MIN_SPAN)
        return max(1.0, len(times) / span)

    def _recover(self, now: float) -> None:
        steps = 1 + int((now - self._recover_at) // RECOVERY_PERIOD)
        assert self._rate is not None and self._ceiling is not None
        rate = self._rate * RECOVERY ** steps
        self._recover_at += steps * RECOVERY_PERIOD
        if rate >= self._ceiling:
            self._recover_at = math.inf
            if self.configured_rate is None:
                self._set_rate(None)
                return
            rate = self._ceiling
        self._set_rate(rate)

    async def acquire(self, cancel: asyncio.Event | None = None) -> float | None:
        """Wait for a slot; return the clock time it was granted (pass it to ``penalize``).

        Returns None, without a slot, as soon as ``cancel`` is set while waiting.
        """
        while True:
            now = self._clock()
            wait = self.reserve(now)
            if wait > 0:
                generation = self._generation
                if not await self._wait(wait, cancel):
                    return None
                if generation != self._generation:
                    continue
                now = self._clock()
            while (crowded := self._crowding(self._granted, now)) > 0:
                if not await self._wait(crowded, cancel):
                    return None
                now = self._clock()
            if now >= self._paused_until:
                self._granted.append(now)
                return now

    async def depart(self, cancel: asyncio.Event | None = None) -> float | None:
        """Wait until a request granted by ``acquire`` may leave; return the clock time it leaves.

        Call it right before writing the request when something that takes a while comes between
        (the journal's ``fsync``): it holds some requests back longer than others, which would then
        leave together, more than ``rate`` in one second at the provider. So the requests leaving are
        counted as well, and spaced, and a pause begun meanwhile (a 429) is waited out. Returns None
        as soon as ``cancel`` is set while waiting.
        """
        while True:
            now = self._clock()
            spaced = self._departed_last + DEPARTURE_GAP * self._interval if self.burst == 1 else now
            wait = max(self._paused_until, spaced) - now
            wait = max(wait, self._crowding(self._departed, now, DEPARTURE_WINDOW))
            if wait <= 0:
                self._departed_last = now
                self._departed.append(now)
                return now
            if not await self._wait(wait, cancel):
                return None

    def _crowding(self, times: deque[float], now: float, window: float = 1.0 + WINDOW_EPSILON) -> float:
        """How long to wait so that the last ``window`` seconds of ``times`` hold fewer than the rate allows.

        The schedule alone keeps that promise only if every sleeper wakes on time; on a busy event
        loop a late waker and an on-time one can land in the same second, so grants are counted too.
        """
        while times and times[0] <= now - window:
            times.popleft()
        if self._rate is None:
            times.clear()
            return 0.0
        allowed = max(1, int(self._rate)) + self.burst - 1
        if len(times) < allowed:
            return 0.0
        return times[len(times) - allowed] + window - now

    async def _wait(self, seconds: float, cancel: asyncio.Event | None) -> bool:
        if cancel is None:
            await self._sleep(seconds)
            return True
        if cancel.is_set():
            return False
        try:
            await asyncio.wait_for(cancel.wait(), seconds)
        except TimeoutError:
            return True
        return False

    def penalize(self, retry_after: float | None = None, sent_at: float | None = None) -> float:
        """Record a 429: lower the rate, pause every worker. Returns the pause left, in seconds.

        In proportion: a lone 429 (the requests before it went through) lowers the rate a little
        (``LONE_SLOWDOWN``), and the rate regrows within ``RECOVERY_PERIOD``; a second one in a row
        (no request has gone through since) lowers it more (``SECOND_SLOWDOWN``); from the third on,
        each halves it and pauses everyone with exponential backoff. ``retry_after`` (seconds, up to
        ``max_pause``) sets the pause whenever the server gives one. A 429 for a request granted
        (``sent_at``) before the previous penalty is an echo of the same burst: it may lengthen the
        pause but does not lower the rate again.
        """
        now = self._clock()
        if sent_at is not None and sent_at < self._last_penalty:
            if retry_after is not None:
                self._pause_until(now + min(max(0.0, retry_after), self.max_pause))
            return max(0.0, self._paused_until - now)
        self._strikes += 1
        lone = self._strikes == 1
        if retry_after is not None:
            pause = min(max(0.0, retry_after), self.max_pause)
        elif self._strikes < PAUSE_FROM_STRIKE:
            pause = 0.0
        else:
            pause = backoff_delay(self._strikes - PAUSE_FROM_STRIKE + 1, base=PAUSE_BASE,
                                  cap=min(PAUSE_CAP, self.max_pause), rand=self._rand)
        self.penalties += 1
        self._last_penalty = now
        self._slow_down(now, (LONE_SLOWDOWN, SECOND_SLOWDOWN, SLOWDOWN)[min(self._strikes, 3) - 1])
        if pause > 0:
            self._pause_until(now + pause, force=True)
        if not lone or pause > 0 or self._recover_at == math.inf:
            self._recover_at = max(now, self._paused_until) + RECOVERY_PERIOD
        return max(0.0, self._paused_until - now)

    def _pause_until(self, until: float, force: bool = False) -> None:
        if until > self._paused_until or force:
            self._paused_until = max(self._paused_until, until)
            self._tat = self._paused_until
            self._generation += 1

    def _slow_down(self, now: float, factor: float) -> None:
        if self._rate is None:
            observed = self.observed_rate(now)
            self._ceiling = observed
            self._floor = observed / MAX_SLOWDOWN
            self._set_rate(max(self._floor, observed * factor))
        else:
            self._set_rate(max(self._floor, self._rate * factor))

    def note_success(self, sent_at: float) -> None:
        """A request granted at ``sent_at`` went through: consecutive-429 backoff starts over."""
        if self._strikes and sent_at >= self._last_penalty:
            self._strikes = 0
