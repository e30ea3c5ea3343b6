"""The order every task endpoint follows; the providers fill in authentication, limits and rules.

    count the request → injected faults (drop, 503, 429) → authentication → rate limit
    → the provider's validation and creation → faults after creation (drop, 500) → latency → answer
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import faults
from .faults import Fault
from .state import DROPPED, SandboxState

if TYPE_CHECKING:
    from aiohttp import web

JSON = "application/json"


def json_response(body: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response, serialized compactly."""
    from aiohttp import web

    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        content_type=JSON,
        headers=headers,
    )


def bytes_response(body: bytes, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response from an already serialized body."""
    from aiohttp import web

    return web.Response(body=body, status=status, content_type=JSON, headers=headers)


class TaskEndpoint(ABC):
    """A provider's create-task endpoint bound to one sandbox's state."""

    provider: str

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @abstractmethod
    def authenticate(self, request: web.Request, now: float) -> tuple[str, web.Response | None]:
        """Return the key the request is counted and limited under, and the 401 if it is refused."""

    @abstractmethod
    def admit(self, key: str, now: float) -> bool:
        """Take the request from ``key``'s rate-limit budget; False when the budget is spent."""

    @abstractmethod
    async def create(self, request: web.Request, key: str, now: float) -> tuple[web.Response, bool]:
        """Validate and create the task; return the response and whether a task was created."""

    @abstractmethod
    def error(self, fault: Fault, retry_after: int | None = None) -> web.Response:
        """The provider's answer for an injected or rate-limit fault."""

    async def lookup(self, request: web.Request,
                     answer: Callable[[web.Request], Awaitable[web.Response]]) -> web.Response:
        """A read-only request (a look-up): same key and rate budget as creating, no faults but the
        provider's ``lookup_failures`` (that many 503s first); counted by path in the stats."""
        state = self.state
        now = state.config.clock()
        key, refusal = self.authenticate(request, now)
        state.stats.providers[self.provider].lookup_requests[request.path] += 1
        options = state.config.providers[self.provider]
        if refusal is not None:
            response = refusal
        elif getattr(options, "lookup_failures", 0) > 0:
            options.lookup_failures -= 1
            response = self.error(Fault.UNAVAILABLE)
        elif not self.admit(key, now):
            response = self.error(Fault.RATE_LIMITED)
        else:
            response = await answer(request)
        state.stats.record(self.provider, str(response.status))
        return response

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler."""
        state = self.state
        config = state.config
        now = config.clock()
        key, refusal = self.authenticate(request, now)
        state.stats.providers[self.provider].note_task_request(key, now)
        response: web.Response | None
        fault = faults.before_processing(state)
        if fault is Fault.DROP:
            response = None
        elif fault is not None:
            response = self.error(fault, config.fault_429_retry_after)
        elif refusal is not None:
            response = refusal
        elif not self.admit(key, now):
            response = self.error(Fault.RATE_LIMITED)
        else:
            response, created = await self.create(request, key, now)
            if created:
                fault = faults.after_creation(state)
                if fault is Fault.DROP:
                    response = None
                elif fault is not None:
                    response = self.error(fault)
        await faults.delay(state)
        if response is None:
            state.stats.record(self.provider, DROPPED)
            return faults.drop_connection(request)
        state.stats.record(self.provider, str(response.status))
        return response
