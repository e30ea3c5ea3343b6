"""Every option of the sandbox in one dataclass, and the dummy credentials it accepts by default."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: The Quo API key the sandbox accepts by default (send it bare in ``Authorization``).
SANDBOX_QUO_API_KEY = "sandbox-quo-key"
#: The Travtus OAuth2 client the sandbox accepts by default.
SANDBOX_TRAVTUS_CLIENT_ID = "sandbox-client-id"
SANDBOX_TRAVTUS_CLIENT_SECRET = "sandbox-client-secret"
#: A Travtus bearer token the sandbox accepts by default; it never expires.
SANDBOX_TRAVTUS_TOKEN = "sandbox-travtus-token"
#: Returned as ``phoneNumberId`` for Quo tasks linked to a conversation or an activity, because the
#: published 201 schema requires that field.
SANDBOX_PHONE_NUMBER_ID = "PNsandbox"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

_RATE_FIELDS = (
    "fault_503_rate",
    "fault_429_rate",
    "fault_500_after_create_rate",
    "drop_before_rate",
    "drop_after_create_rate",
)


@dataclass
class SandboxConfig:
    """Options of one sandbox. The handlers read them on every request, so they may be changed live.

    Rate limits: ``None`` turns a limit off. Fault shares are probabilities in ``[0, 1]`` drawn from a
    ``random.Random(seed)``, and apply to the two task endpoints only (not the token endpoint).
    """

    # Credentials
    quo_api_keys: set[str] = field(default_factory=lambda: {SANDBOX_QUO_API_KEY})
    travtus_clients: dict[str, str] = field(
        default_factory=lambda: {SANDBOX_TRAVTUS_CLIENT_ID: SANDBOX_TRAVTUS_CLIENT_SECRET}
    )
    travtus_static_tokens: set[str] = field(default_factory=lambda: {SANDBOX_TRAVTUS_TOKEN})
    travtus_token_lifetime: float = 3600.0

    # Quo's open-task cap: a 402 once this many Quo tasks are held. None: no cap.
    quo_open_task_limit: int | None = None

    # Rate limits, per key. Quo: fixed one-second windows. Travtus: token buckets (rate/s, burst).
    quo_rate_per_second: int | None = 10
    travtus_task_rate: float | None = 10_000.0
    travtus_task_burst: int = 5_000
    travtus_token_rate: float | None = 100.0
    travtus_token_burst: int = 200

    # Faults. Latency is added before every task-endpoint answer, after the request was processed:
    # a client that times out meanwhile cannot know whether its task was created.
    latency: float = 0.0
    latency_jitter: float = 0.0
    fault_503_rate: float = 0.0
    fault_429_rate: float = 0.0
    fault_429_retry_after: int | None = None
    fault_500_after_create_rate: float = 0.0
    drop_before_rate: float = 0.0
    drop_after_create_rate: float = 0.0
    seed: int | None = None

    # Time source for rate windows, token expiry and per-second stats (tests may substitute one).
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        for name in ("latency", "latency_jitter", "travtus_token_lifetime"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.fault_429_retry_after is not None and self.fault_429_retry_after < 0:
            raise ValueError("fault_429_retry_after must not be negative")

    def without_rate_limits(self) -> SandboxConfig:
        """Turn every rate limit off (in place) and return self."""
        self.quo_rate_per_second = None
        self.travtus_task_rate = None
        self.travtus_token_rate = None
        return self
