"""Waiting between attempts: exponential backoff with full jitter, and the ``Retry-After`` header."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

#: No server-requested wait is honoured beyond this many seconds.
MAX_RETRY_AFTER = 60.0


def backoff_delay(attempt: int, *, base: float = 0.25, cap: float = 20.0,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first retry).

    Full jitter: a uniform draw from ``[0, min(cap, base * 2 ** (attempt - 1))]``, so that many
    workers failing together do not come back together.
    """
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    return ceiling * rand()


def parse_retry_after(value: str | None, *, now: datetime | None = None,
                      cap: float = MAX_RETRY_AFTER) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date), capped at ``cap``.

    None when the header is absent or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(cap, max(0.0, seconds))
