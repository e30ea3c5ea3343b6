"""``SendOptions``: how a run sends, one object from the library API down to the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SendOptions:
    """How to send: ``--base-url``, ``--rate``, ``--concurrency``, retries, timeouts."""

    base_url: str | None = None
    rate: float | None = None
    #: Requests in flight at most; None: 8, raised (up to 64) while the rate needs more (rate × reply time).
    concurrency: int | None = None
    max_attempts: int = 5
    timeout: float = 30.0
    skip_invalid: bool = False
    retry_uncertain: bool = False
    sandbox: bool = False
    #: Kept for compatibility: ``ReadOptions.allow_duplicates`` is where it belongs (it changes validation).
    allow_duplicates: bool = False
    env: Mapping[str, str] | None = None
    #: Stop the run when the provider answers nothing but 429 (too many requests) for longer than this.
    max_wait: float | None = 300.0
