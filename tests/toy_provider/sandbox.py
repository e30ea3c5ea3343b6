"""Toy in the sandbox: ``POST /toy/v1/items`` with ``X-Api-Key``, one-second windows per key."""

from __future__ import annotations

import argparse
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bulk_tasks.sandbox.emulation import Emulation, Handler, rate_option
from bulk_tasks.sandbox.endpoint import TaskEndpoint, json_response
from bulk_tasks.sandbox.faults import Fault
from bulk_tasks.sandbox.limits import FixedWindowLimiter
from bulk_tasks.sandbox.state import INVALID_KEY, SandboxState, StoredTask

if TYPE_CHECKING:  # like every emulation: `bulk-tasks sandbox --help` must not load aiohttp
    from aiohttp import web

SANDBOX_TOY_API_KEY = "sandbox-toy-key"
PATH = "/toy/v1/items"
_FAULTS = {Fault.RATE_LIMITED: (429, "slow_down"), Fault.UNAVAILABLE: (503, "resting"),
           Fault.SERVER_ERROR: (500, "broken")}


def problem(code: str, detail: str) -> dict[str, Any]:
    """Toy's error body."""
    return {"problem": {"code": code, "detail": detail}}


@dataclass
class ToyOptions:
    """Accepted keys and the requests allowed per key in each one-second window."""

    api_keys: set[str] = field(default_factory=lambda: {SANDBOX_TOY_API_KEY})
    rate_per_second: int | None = 20


class ToyEndpoint(TaskEndpoint):
    """``POST /toy/v1/items``."""

    provider = "toy"

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.limiter = FixedWindowLimiter()

    def authenticate(self, request: web.Request, now: float) -> tuple[str, web.Response | None]:
        key = request.headers.get("X-Api-Key", "")
        if key in self.state.config.providers["toy"].api_keys:
            return key, None
        return INVALID_KEY, json_response(problem("bad_key", "Send a known key in X-Api-Key."), 401)

    def admit(self, key: str, now: float) -> bool:
        return self.limiter.admit(key, now, self.state.config.providers["toy"].rate_per_second)

    async def create(self, request: web.Request, key: str, now: float) -> tuple[web.Response, bool]:
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("title"), str) or not body["title"]:
            return json_response(problem("invalid", "title is required"), 422), False
        if not body.get("board") and not body.get("list"):
            return json_response(problem("invalid", "board or list is required"), 422), False
        ref = "it_" + uuid.uuid4().hex[:12]
        trace = uuid.uuid4().hex
        self.state.add_task(StoredTask("toy", ref, body, key, now, trace))
        return json_response({"item": {"ref": ref}, "trace": trace}, 201), True

    def error(self, fault: Fault, retry_after: int | None = None) -> web.Response:
        status, code = _FAULTS[fault]
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return json_response(problem(code, "injected"), status, headers)


class ToyEmulation(Emulation):
    """Toy's emulation."""

    provider = "toy"
    Options = ToyOptions
    rate_options = ("rate_per_second",)
    path_prefix = "/toy/"

    state: SandboxState

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.endpoint = ToyEndpoint(state)

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [("POST", PATH, self.endpoint.handle)]

    def not_routed(self, request: web.Request, status: int) -> dict[str, Any]:
        return problem("no_route" if status == 404 else "no_method", f"{request.method} {request.path}")

    @classmethod
    def environment(cls, options: ToyOptions) -> dict[str, str]:
        return {"TOY_API_KEY": next(iter(sorted(options.api_keys)), "")}

    def reset(self) -> None:
        self.endpoint.limiter.reset()

    @classmethod
    def add_arguments(cls, parser: argparse._ActionsContainer) -> None:
        parser.add_argument("--toy-rate", type=rate_option, default=20, metavar="N", help="Toy requests per second")

    @classmethod
    def options_from_args(cls, args: argparse.Namespace) -> dict[str, Any]:
        return {"rate_per_second": None if args.toy_rate is None else int(args.toy_rate)}
