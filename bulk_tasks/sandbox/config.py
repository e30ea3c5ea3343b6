"""Every option of the sandbox: the shared ones (faults, latency, seed, clock) and each provider's own.

A provider's options live in its emulation's ``Options`` dataclass; ``SandboxConfig`` keeps one per
registered provider in ``providers`` and answers ``<provider>_<option>`` as a plain attribute, so
``SandboxConfig(quo_open_task_limit=6)`` and ``config.travtus_token_lifetime = 1.0`` work for every
provider without this module naming any.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .emulation import emulations, without_rate_limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

_RATE_FIELDS = (
    "fault_503_rate",
    "fault_429_rate",
    "fault_500_after_create_rate",
    "drop_before_rate",
    "drop_after_create_rate",
)
_SHARED = frozenset({"latency", "latency_jitter", *_RATE_FIELDS, "fault_429_retry_after", "seed", "clock",
                     "providers"})


class SandboxConfig:
    """Options of one sandbox. The handlers read them on every request, so they may be changed live.

    Fault shares are probabilities in ``[0, 1]`` drawn from a ``random.Random(seed)``, and apply to
    the task endpoints only. Latency is added before every task-endpoint answer, after the request
    was processed: a client that times out meanwhile cannot know whether its task was created.
    ``clock`` is the time source of rate windows, token expiry and per-second stats. Any other
    keyword is a provider's option, ``<provider>_<option>`` (``None`` turns a rate limit off).
    """

    def __init__(self, *, latency: float = 0.0, latency_jitter: float = 0.0, fault_503_rate: float = 0.0,
                 fault_429_rate: float = 0.0, fault_429_retry_after: int | None = None,
                 fault_500_after_create_rate: float = 0.0, drop_before_rate: float = 0.0,
                 drop_after_create_rate: float = 0.0, seed: int | None = None,
                 clock: Callable[[], float] = time.time, **provider_options: Any) -> None:
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.fault_503_rate = fault_503_rate
        self.fault_429_rate = fault_429_rate
        self.fault_429_retry_after = fault_429_retry_after
        self.fault_500_after_create_rate = fault_500_after_create_rate
        self.drop_before_rate = drop_before_rate
        self.drop_after_create_rate = drop_after_create_rate
        self.seed = seed
        self.clock = clock
        self.providers: dict[str, Any] = {name: emulation.Options() for name, emulation in emulations().items()}
        for name, value in provider_options.items():
            setattr(self, name, value)
        self._check()

    def _check(self) -> None:
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        for name in ("latency", "latency_jitter"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.fault_429_retry_after is not None and self.fault_429_retry_after < 0:
            raise ValueError("fault_429_retry_after must not be negative")

    def _route(self, name: str) -> tuple[Any, str]:
        """The provider options object and the option that ``<provider>_<option>`` names."""
        providers = self.__dict__.get("providers", {})
        for provider, options in providers.items():
            option = name.removeprefix(provider + "_")
            if option != name and option in {f.name for f in dataclasses.fields(options)}:
                return options, option
        raise AttributeError(f"the sandbox has no option {name!r}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        options, option = self._route(name)
        return getattr(options, option)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHARED or name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        options, option = self._route(name)
        setattr(options, option, value)

    def __repr__(self) -> str:
        shared = ", ".join(f"{name}={getattr(self, name)!r}" for name in sorted(_SHARED - {"providers", "clock"}))
        return f"SandboxConfig({shared}, providers={self.providers!r})"

    def as_dict(self) -> dict[str, Any]:
        """Every option but the clock, provider options as ``<provider>_<option>``."""
        shared = {name: getattr(self, name) for name in sorted(_SHARED - {"providers", "clock"})}
        return shared | {f"{provider}_{name}": value for provider, options in self.providers.items()
                         for name, value in dataclasses.asdict(options).items()}

    def without_rate_limits(self) -> SandboxConfig:
        """Turn every rate limit off (in place) and return self."""
        for name, emulation in emulations().items():
            without_rate_limits(emulation, self.providers[name])
        return self
