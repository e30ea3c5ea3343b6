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


def _duration(seconds: float) -> str:
    """``45 s``, ``600 s (10 minutes)``, ``3,600 s (an hour)``, ``7,200 s (2.0 hours)``."""
    text = f"{seconds:,.0f} s"
    if seconds >= 5400:
        return f"{text} ({seconds / 3600:.1f} hours)"
    if seconds >= 3000:
        return f"{text} (about an hour)"
    return f"{text} ({seconds / 60:.0f} minutes)" if seconds >= 120 else text


def waited_too_long(provider: str, waited: float, asked: float, max_wait: float) -> str:
    """Why a run stopped: the provider answers only 429 and asks for a wait beyond ``--max-wait``."""
    name = provider.capitalize()
    said = (f"{name} answered 429 Too Many Requests and asks to wait {_duration(asked)} before any more requests"
            if waited < 1 else f"{name} has answered every request with 429 Too Many Requests for "
                                f"{_duration(waited)} and asks to wait {_duration(asked)} more")
    return (f"{said}, beyond --max-wait {max_wait:g} s (the key's rate limit is used up, perhaps by another "
            "program); the remaining rows were not sent: run the same command again later, or allow the wait "
            "with a longer --max-wait.")
