"""What a running sandbox remembers: created tasks, request statistics, issued tokens, limiter state."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .config import SandboxConfig
from .emulation import Emulation, emulations

#: Stats label of a request whose credentials the sandbox does not know (never echoed back).
INVALID_KEY = "<invalid>"
#: Stats status of a request answered by closing the connection.
DROPPED = "dropped"


@dataclass(slots=True)
class StoredTask:
    """One task the sandbox created."""

    provider: str
    task_id: str
    payload: Any
    key: str
    created_at: float
    request_id: str | None = None
    #: The task as the provider would show it now (edited by updates), when the emulation keeps one.
    current: dict[str, Any] | None = None
    #: Taken back (Quo ``DELETE``, Travtus ``status: deleted``).
    deleted: bool = False
    #: ``failed`` for a task the provider accepted and then could not create (Travtus: an unknown
    #: group, unit or person, reported later by webhook).
    status: str = "created"
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form listed at ``GET /_sandbox/tasks``."""
        return {
            "provider": self.provider,
            "task_id": self.task_id,
            "request_id": self.request_id,
            "key": self.key,
            "created_at": self.created_at,
            "payload": self.payload,
            "current": self.current,
            "deleted": self.deleted,
            "status": self.status,
            "error": self.error,
        }


@dataclass
class ProviderStats:
    """Request counts of one provider."""

    requests: int = 0
    task_requests: int = 0
    token_requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    max_task_requests_per_second: dict[str, int] = field(default_factory=dict)
    #: Look-up requests (reading the workspace) by path.
    lookup_requests: Counter[str] = field(default_factory=Counter)
    _current_second: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def note_task_request(self, key: str, now: float) -> None:
        """Count a task request received for ``key`` in the clock's current whole second."""
        self.task_requests += 1
        second = math.floor(now)
        slot = self._current_second.get(key)
        if slot is None or slot[0] != second:
            slot = self._current_second[key] = [second, 0]
        slot[1] += 1
        if slot[1] > self.max_task_requests_per_second.get(key, 0):
            self.max_task_requests_per_second[key] = slot[1]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "requests": self.requests,
            "task_requests": self.task_requests,
            "token_requests": self.token_requests,
            "by_status": dict(self.by_status),
            "max_task_requests_per_second": dict(self.max_task_requests_per_second),
            "lookup_requests": dict(self.lookup_requests),
        }


@dataclass
class Stats:
    """Counts of requests to the provider endpoints (and of unknown paths), by status code.

    Status keys are strings: ``"201"``, ``"429"``, … and ``"dropped"`` for a closed connection.
    """

    requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    providers: dict[str, ProviderStats] = field(
        default_factory=lambda: {name: ProviderStats() for name in emulations()}
    )

    def record(self, provider: str | None, status: str) -> None:
        """Count one answered request."""
        self.requests += 1
        self.by_status[status] += 1
        if provider is not None:
            stats = self.providers[provider]
            stats.requests += 1
            stats.by_status[status] += 1

    @property
    def token_requests(self) -> int:
        """Requests to every provider's token endpoint."""
        return sum(stats.token_requests for stats in self.providers.values())

    def max_per_second(self, provider: str, key: str) -> int:
        """The most task requests ``key`` sent to ``provider`` within one whole second."""
        return self.providers[provider].max_task_requests_per_second.get(key, 0)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form served at ``GET /_sandbox/stats``."""
        return {
            "requests": self.requests,
            "by_status": dict(self.by_status),
            "token_requests": self.token_requests,
            "providers": {name: stats.as_dict() for name, stats in self.providers.items()},
        }


class SandboxState:
    """The mutable state of one sandbox; ``config`` is shared with the caller and read live."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.tasks: list[StoredTask] = []
        self.task_counts: Counter[str] = Counter()
        self.stats = Stats()
        self.rng = random.Random(config.seed)
        self.issued_tokens: dict[str, tuple[str, float]] = {}
        self.emulations: dict[str, Emulation] = {name: emulation(self) for name, emulation in emulations().items()}

    def add_task(self, task: StoredTask) -> None:
        """Keep a created task."""
        self.tasks.append(task)
        self.task_counts[task.provider] += 1

    def remove_task(self, task: StoredTask) -> None:
        """Mark a task taken back: no longer counted among the provider's open tasks."""
        if not task.deleted:
            task.deleted = True
            self.task_counts[task.provider] -= 1

    def tasks_of(self, provider: str) -> list[StoredTask]:
        """The created tasks of one provider, in creation order."""
        return [task for task in self.tasks if task.provider == provider]

    def reset(self) -> None:
        """Forget tasks, stats and rate-limit windows; re-seed the fault generator. Tokens stay valid."""
        self.tasks.clear()
        self.task_counts.clear()
        self.stats = Stats()
        self.rng.seed(self.config.seed)
        for emulation in self.emulations.values():
            emulation.reset()
