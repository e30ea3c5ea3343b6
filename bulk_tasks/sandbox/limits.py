"""Per-key rate limiters: Quo's fixed one-second windows and Travtus' token buckets.

Both read their limit on every call, so a changed config takes effect at once; ``None`` lets
everything through. Only admitted requests consume budget.
"""

from __future__ import annotations

import math

_ONE_TOKEN = 1.0 - 1e-3  # float time stamps near 1.7e9 s are only precise to ~1e-7 s


class FixedWindowLimiter:
    """At most ``limit`` requests per key in each one-second window ``[n, n + 1)`` of the clock."""

    __slots__ = ("_windows",)

    def __init__(self) -> None:
        self._windows: dict[str, list[int]] = {}

    def admit(self, key: str, now: float, limit: int | None) -> bool:
        """Count one request for ``key`` at ``now``; False when the window's budget is spent."""
        if limit is None:
            return True
        window = math.floor(now)
        slot = self._windows.get(key)
        if slot is None or slot[0] != window:
            slot = self._windows[key] = [window, 0]
        if slot[1] >= limit:
            return False
        slot[1] += 1
        return True

    def reset(self) -> None:
        """Forget every window."""
        self._windows.clear()


class TokenBucketLimiter:
    """A bucket per key holding up to ``burst`` tokens, refilled at ``rate`` per second; starts full."""

    __slots__ = ("_buckets",)

    def __init__(self) -> None:
        self._buckets: dict[str, list[float]] = {}

    def admit(self, key: str, now: float, rate: float | None, burst: int) -> bool:
        """Take one token for ``key`` at ``now``; False when the bucket is empty."""
        if rate is None:
            return True
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = [float(burst), now]
        else:
            elapsed = now - bucket[1]
            if elapsed > 0:
                bucket[0] = min(float(burst), bucket[0] + elapsed * rate)
                bucket[1] = now
        if bucket[0] < _ONE_TOKEN:
            return False
        bucket[0] -= 1.0
        return True

    def reset(self) -> None:
        """Refill every bucket (by forgetting them)."""
        self._buckets.clear()
