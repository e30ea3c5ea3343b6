"""Quo: ``POST /v1/tasks`` with a bare API key, the published request schema and the v1 error bodies."""

from __future__ import annotations

import argparse
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ...sandbox.emulation import Emulation, Handler, rate_option
from ...sandbox.endpoint import TaskEndpoint, bytes_response, json_response
from ...sandbox.faults import Fault
from ...sandbox.limits import FixedWindowLimiter
from ...sandbox.state import INVALID_KEY, SandboxState, StoredTask
from .workspace import QuoWorkspace, demo_workspace

if TYPE_CHECKING:
    from aiohttp import web
    from jsonschema import Draft202012Validator, ValidationError

#: The Quo API key the sandbox accepts by default (send it bare in ``Authorization``).
SANDBOX_QUO_API_KEY = "sandbox-quo-key"
#: Returned as ``phoneNumberId`` for Quo tasks linked to a conversation or an activity, because the
#: published 201 schema requires that field.
SANDBOX_PHONE_NUMBER_ID = "PNsandbox"
QUO_TASK_PATH = "/v1/tasks"
QUO_NUMBERS_PATH = "/v1/phone-numbers"
QUO_USERS_PATH = "/v1/users"

DOCS = "https://quo.com/docs"
LINK_FIELDS = ("phoneNumberId", "conversationId", "activityId")
TITLES = {
    400: ("0600400", "Bad Request"),
    401: ("0600401", "Unauthorized"),
    402: ("0600402", "Payment Required"),
    404: ("0600404", "Not Found"),
    405: ("0600405", "Method Not Allowed"),
    429: ("0600429", "Too Many Requests"),
    500: ("0601500", "Unknown"),
    503: ("0600503", "Service Unavailable"),
}
OPEN_TASKS_LIMIT_REACHED = "Open Tasks Limit Reached"
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)


def error_body(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Quo's v1 error body for ``status``."""
    code, title = TITLES[status]
    body: dict[str, Any] = {"message": message, "code": code, "status": status, "docs": DOCS, "title": title}
    if errors is not None:
        body["errors"] = errors
    return body


def _encoded(status: int, message: str) -> bytes:
    return json.dumps(error_body(status, message)).encode()


_MISSING_KEY = _encoded(401, "Missing API key: send it in the 'Authorization' header.")
_BEARER_KEY = _encoded(401, "Send the API key as it is in the 'Authorization' header, without 'Bearer'.")
_UNKNOWN_KEY = _encoded(401, "Invalid API key.")
_CAP_BODY = _encoded(402, OPEN_TASKS_LIMIT_REACHED)
_FAULT_BODIES = {
    Fault.RATE_LIMITED: (429, _encoded(429, "Rate limit exceeded: 10 requests per second per API key.")),
    Fault.UNAVAILABLE: (503, _encoded(503, "Service Unavailable")),
    Fault.SERVER_ERROR: (500, _encoded(500, "Unknown error")),
}


def is_rfc3339(value: object) -> bool:
    """True for an RFC 3339 date-time naming a real instant; non-strings pass (``type`` checks them)."""
    if not isinstance(value, str):
        return True
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    if second > 60 or (match.group(7) and (int(match.group(8)) > 23 or int(match.group(9)) > 59)):
        return False
    try:
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    return True


def request_schema() -> dict[str, Any]:
    """The published request schema of ``POST /v1/tasks``, as shipped in ``bulk_tasks/providers``."""
    source = resources.files(__package__) / "request_schema.json"
    return json.loads(source.read_text(encoding="utf-8"))


@cache
def request_validator() -> Draft202012Validator:
    """A validator of the request schema that asserts ``format: date-time`` (RFC 3339)."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_rfc3339)
    return Draft202012Validator(request_schema(), format_checker=checker)


def _pointer(path: Any, *more: Any) -> str:
    return "".join(f"/{part}" for part in (*path, *more))


def _schema_summary(schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict):
        return {"type": "unknown"}
    summary = {key: schema[key] for key in ("type", "pattern", "format") if key in schema}
    summary.setdefault("type", "unknown")
    return summary


def _leaf_errors(error: ValidationError, body: Any) -> Iterator[ValidationError]:
    if error.validator != "anyOf" or not error.context:
        yield error
        return
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    linked = [i for i, name in enumerate(LINK_FIELDS) if isinstance(body, dict) and name in body]
    chosen = next((i for i in linked if i in branches), None)
    if chosen is None:
        chosen = min(branches, key=lambda i: (len(branches[i]), i))
    for sub in branches[chosen]:
        yield from _leaf_errors(sub, body)


def _describe(error: ValidationError) -> Iterator[dict[str, Any]]:
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        properties = error.schema.get("properties", {})
        for name in error.validator_value:
            if name not in instance:
                yield {
                    "path": _pointer(error.absolute_path, name),
                    "message": f"Expected required property '{name}'",
                    "schema": _schema_summary(properties.get(name)),
                }
    elif error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = error.schema.get("properties", {})
        for name, value in instance.items():
            if name not in allowed:
                yield {
                    "path": _pointer(error.absolute_path, name),
                    "message": f"Unexpected property '{name}'",
                    "value": value,
                    "schema": {"type": "object", "additionalProperties": False},
                }
    else:
        yield {
            "path": _pointer(error.absolute_path),
            "message": error.message,
            "value": instance,
            "schema": _schema_summary(error.schema),
        }


def schema_errors(body: Any) -> list[dict[str, Any]]:
    """The ``errors[]`` of a 400 for ``body``; empty when the body matches the schema."""
    validator = request_validator()
    if validator.is_valid(body):
        return []
    described: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(body):
        for leaf in _leaf_errors(error, body):
            for item in _describe(leaf):
                if (item["path"], item["message"]) not in seen:
                    seen.add((item["path"], item["message"]))
                    described.append(item)
    return described


@dataclass
class QuoOptions:
    """Quo's options: accepted keys, the per-key one-second window, the open-task cap (402; None: no cap)."""

    api_keys: set[str] = field(default_factory=lambda: {SANDBOX_QUO_API_KEY})
    rate_per_second: int | None = 10
    open_task_limit: int | None = None
    #: The numbers and users served by ``GET /v1/phone-numbers`` and ``GET /v1/users``.
    workspace: QuoWorkspace = field(default_factory=demo_workspace)
    #: The next this many look-up requests answer 503 (a test of retries).
    lookup_failures: int = 0


class QuoTaskEndpoint(TaskEndpoint):
    """``POST /v1/tasks``."""

    provider = "quo"

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.limiter = FixedWindowLimiter()

    def authenticate(self, request: web.Request, now: float) -> tuple[str, web.Response | None]:
        key = request.headers.get("Authorization")
        if not key:
            return INVALID_KEY, bytes_response(_MISSING_KEY, 401)
        if key in self.state.config.providers["quo"].api_keys:
            return key, None
        if key[:7].lower() == "bearer ":
            return INVALID_KEY, bytes_response(_BEARER_KEY, 401)
        return INVALID_KEY, bytes_response(_UNKNOWN_KEY, 401)

    def admit(self, key: str, now: float) -> bool:
        return self.limiter.admit(key, now, self.state.config.providers["quo"].rate_per_second)

    async def create(self, request: web.Request, key: str, now: float) -> tuple[web.Response, bool]:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            problem = {"path": "", "message": "Body is not valid JSON", "schema": {"type": "object"}}
            return json_response(error_body(400, "Body is not valid JSON", [problem]), 400), False
        errors = schema_errors(body)
        if errors:
            first = errors[0]
            message = f"{first['path'] or 'body'}: {first['message']}"
            return json_response(error_body(400, message, errors), 400), False
        unknown = _unknown_reference(body, self.state.config.providers["quo"].workspace)
        if unknown is not None:
            return json_response(error_body(404, unknown), 404), False
        state = self.state
        cap = state.config.providers["quo"].open_task_limit
        if cap is not None and state.task_counts["quo"] >= cap:
            return bytes_response(_CAP_BODY, 402), False
        task_id = "TK" + uuid.uuid4().hex[:24]
        state.add_task(StoredTask("quo", task_id, body, key, now))
        data = {"taskId": task_id, "revision": "1", "phoneNumberId": SANDBOX_PHONE_NUMBER_ID}
        for name in LINK_FIELDS:
            if name in body:
                data[name] = body[name]
        return json_response({"data": data}, 201), True

    def error(self, fault: Fault, retry_after: int | None = None) -> web.Response:
        status, body = _FAULT_BODIES[fault]
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return bytes_response(body, status, headers)


def _unknown_reference(body: dict[str, Any], workspace: QuoWorkspace) -> str | None:
    """Quo's 404 message for a ``phoneNumberId`` or ``assignedTo`` the workspace does not have."""
    number = body.get("phoneNumberId")
    if number is not None and all(n.id != number for n in workspace.numbers):
        return f"Phone number {number} not found"
    user = body.get("assignedTo")
    if user is not None and workspace.user(user) is None:
        return f"User {user} not found"
    return None


def _page_size(text: str | None) -> int | None:
    try:
        size = int(text) if text is not None else 10
    except ValueError:
        return None
    return size if 1 <= size <= 50 else None


async def numbers_answer(request: web.Request, workspace: QuoWorkspace) -> web.Response:
    """``GET /v1/phone-numbers`` (not paginated; ``userId`` filters)."""
    numbers = workspace.number_dicts()
    user_id = request.query.get("userId")
    if user_id:
        numbers = [n for n in numbers if any(u["id"] == user_id for u in n["users"])]
    return json_response({"data": numbers}, 200)


async def users_answer(request: web.Request, workspace: QuoWorkspace) -> web.Response:
    """``GET /v1/users?maxResults=1..50&pageToken=``."""
    size = _page_size(request.query.get("maxResults"))
    if size is None:
        problem = {"path": "/maxResults", "message": "Expected integer between 1 and 50",
                   "value": request.query.get("maxResults"), "schema": {"type": "integer"}}
        return json_response(error_body(400, "/maxResults: Expected integer between 1 and 50", [problem]), 400)
    token = request.query.get("pageToken") or "0"
    start = int(token) if token.isdigit() else 0
    users = workspace.users[start:start + size]
    following = start + size if start + size < len(workspace.users) else None
    return json_response({"data": [user.as_dict() for user in users], "totalItems": len(workspace.users),
                          "nextPageToken": None if following is None else str(following)}, 200)


class QuoEmulation(Emulation):
    """Quo in the sandbox: ``POST /v1/tasks`` with a bare API key, one-second windows per key."""

    provider = "quo"
    Options = QuoOptions
    rate_options = ("rate_per_second",)
    path_prefix = "/v1/"

    state: SandboxState

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.endpoint = QuoTaskEndpoint(state)

    def routes(self) -> list[tuple[str, str, Handler]]:
        def looking_up(answer: Any) -> Handler:
            async def handle(request: web.Request) -> web.Response:
                return await self.endpoint.lookup(request, lambda r: answer(r, self.options.workspace))
            return handle

        return [("POST", QUO_TASK_PATH, self.endpoint.handle),
                ("GET", QUO_NUMBERS_PATH, looking_up(numbers_answer)),
                ("GET", QUO_USERS_PATH, looking_up(users_answer))]

    def not_routed(self, request: web.Request, status: int) -> dict[str, Any]:
        return error_body(status, "Not Found" if status == 404 else f"Method {request.method} not allowed")

    @classmethod
    def environment(cls, options: QuoOptions) -> dict[str, str]:
        return {"QUO_API_KEY": next(iter(sorted(options.api_keys)), "")}

    def reset(self) -> None:
        self.endpoint.limiter.reset()

    @classmethod
    def add_arguments(cls, parser: argparse._ActionsContainer) -> None:
        parser.add_argument("--quo-api-key", default=SANDBOX_QUO_API_KEY, metavar="KEY",
                            help=f"Quo API key to accept (default {SANDBOX_QUO_API_KEY})")
        parser.add_argument("--quo-rate", type=rate_option, default=10, metavar="N",
                            help="Quo requests per one-second window per key (default 10; 'off')")
        parser.add_argument("--quo-open-task-limit", type=int, default=None, metavar="N",
                            help="answer 402 'Open Tasks Limit Reached' once N Quo tasks are held")

    @classmethod
    def options_from_args(cls, args: argparse.Namespace) -> dict[str, Any]:
        rate = args.quo_rate
        return {"api_keys": {args.quo_api_key}, "open_task_limit": args.quo_open_task_limit,
                "rate_per_second": None if rate is None else max(1, int(rate))}
