"""``SendOptions``: how a run sends, one object from the library API down to the engine.

``EngineSettings`` is what the engine (``engine.Sender``) takes of it, resolved for one run: the
endpoint, the provider's rate when none is given, the concurrency to start with and to grow to."""

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
    #: Send the changes of rows created earlier whose fields now differ (``run --update``).
    update: bool = False


@dataclass(frozen=True)
class EngineSettings:
    """How the engine sends one run: ``SendOptions`` resolved for its endpoint and provider.

    ``rate``: requests/s for the shared bucket (None or 0: unlimited). ``concurrency``: requests in
    flight at most. ``max_concurrency`` (above ``concurrency``): start with ``concurrency`` requests
    in flight and add workers, up to this many, while the rate needs more (rate × observed reply
    time). ``max_attempts``: attempts per row, retries included. ``timeout``: seconds to connect,
    and to wait for the reply. ``retry_uncertain``: resend ambiguous attempts too (may duplicate).
    ``max_wait``: stop the run once the provider has answered nothing but 429 for longer than this
    many seconds (pauses it asks for included).
    """

    base_url: str
    rate: float | None
    concurrency: int
    max_attempts: int
    timeout: float
    retry_uncertain: bool = False
    max_concurrency: int | None = None
    max_wait: float | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
