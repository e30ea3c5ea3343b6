"""Backoff with full jitter and Retry-After parsing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from bulk_tasks.send.retry import MAX_RETRY_AFTER, backoff_delay, parse_retry_after


def test_backoff_ceiling_doubles_and_is_capped() -> None:
    top = [backoff_delay(n, base=0.25, cap=2.0, rand=lambda: 1.0) for n in range(1, 7)]
    assert top == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


def test_backoff_is_full_jitter() -> None:
    assert backoff_delay(5, rand=lambda: 0.0) == 0.0
    draws = [backoff_delay(3) for _ in range(500)]
    assert min(draws) >= 0.0 and max(draws) <= 1.0
    assert max(draws) - min(draws) > 0.5


@pytest.mark.parametrize(("header", "expected"), [
    (None, None), ("", None), ("soon", None), ("nan", None),
    ("0", 0.0), ("3", 3.0), ("1.5", 1.5), ("-4", 0.0), ("3600", MAX_RETRY_AFTER),
])
def test_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(7.0)
    earlier = format_datetime(now - timedelta(seconds=7), usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0
    far = format_datetime(now + timedelta(hours=2), usegmt=True)
    assert parse_retry_after(far, now=now, cap=10) == 10
