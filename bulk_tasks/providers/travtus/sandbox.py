"""Travtus: ``POST /oauth2/token`` (client credentials) and ``POST /task/`` with the page's rules."""

from __future__ import annotations

import argparse
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...sandbox.emulation import Emulation, Handler, non_negative, rate_option
from ...sandbox.endpoint import TaskEndpoint, bytes_response, json_response
from ...sandbox.faults import Fault
from ...sandbox.limits import TokenBucketLimiter
from ...sandbox.state import INVALID_KEY, SandboxState, StoredTask
from .workspace import TravtusWorkspace, demo_workspace
from .workspace_api import LOOKUP_ROUTES, unknown_reference

if TYPE_CHECKING:
    from aiohttp import web

#: The Travtus OAuth2 client the sandbox accepts by default.
SANDBOX_TRAVTUS_CLIENT_ID = "sandbox-client-id"
SANDBOX_TRAVTUS_CLIENT_SECRET = "sandbox-client-secret"
#: A Travtus bearer token the sandbox accepts by default; it never expires.
SANDBOX_TRAVTUS_TOKEN = "sandbox-travtus-token"
TRAVTUS_TASK_PATH = "/task/"
TRAVTUS_TOKEN_PATH = "/oauth2/token"

MISSING_AUTHORIZATION = (
    "missing_authorization",
    "Your request does not include an 'Authorization' header with a bearer token for your account.",
)
EXPIRED_TOKEN = (
    "expired_token",
    "The bearer token you have provided in the 'Authorization' header has expired. "
    "Please obtain a new one.",
)
INVALID_AUTHORIZATION = (
    "invalid_authorization",
    "The bearer token you have provided in the 'Authorization' header is invalid.",
)

STRING_FIELDS = frozenset(
    {
        "group_id",
        "group_external_ref",
        "external_ref",
        "due_datetime",
        "reminder_datetime",
        "importance",
        "relevant_conversation",
        "unit_id",
        "unit_external_ref",
        "notes",
        "title",
        "description",
    }
)
PERSON_FIELDS = ("creator", "assignee", "resident")
KNOWN_FIELDS = STRING_FIELDS | frozenset(PERSON_FIELDS)
PERSON_KEYS = frozenset(
    {"identifier", "external_ref", "email_address", "first_name", "last_name", "phone_number"}
)
IMPORTANCE = frozenset({"low", "normal", "high", "very_high"})
DATETIME_FIELDS = ("due_datetime", "reminder_datetime")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})", re.ASCII)


def error_body(error_type: str, message: str) -> dict[str, Any]:
    """Travtus' error body."""
    return {"error": {"type": error_type, "message": message}}


def _encoded(pair: tuple[str, str]) -> bytes:
    return json.dumps(error_body(*pair)).encode()


_MISSING_BODY = _encoded(MISSING_AUTHORIZATION)
_EXPIRED_BODY = _encoded(EXPIRED_TOKEN)
_INVALID_BODY = _encoded(INVALID_AUTHORIZATION)
_FAULT_BODIES = {
    Fault.RATE_LIMITED: (429, _encoded(("too_many_requests", "Too many requests. Slow down."))),
    Fault.UNAVAILABLE: (503, _encoded(("service_unavailable", "The service is unavailable."))),
    Fault.SERVER_ERROR: (500, _encoded(("internal_error", "An internal error occurred."))),
}


def is_travtus_datetime(value: str) -> bool:
    """True for exactly ``YYYY-MM-DDThh:mm:ss`` naming a real date and time."""
    match = _DATETIME.fullmatch(value)
    if match is None:
        return False
    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def _person_error(name: str, person: Any) -> str | None:
    if not isinstance(person, dict):
        return f"'{name}' must be an object."
    for key, value in person.items():
        if key not in PERSON_KEYS:
            return f"'{name}.{key}' is not a person field; allowed: {', '.join(sorted(PERSON_KEYS))}."
        if not isinstance(value, str):
            return f"'{name}.{key}' must be a string."
    if person.get("identifier") or person.get("external_ref"):
        return None
    if (person.get("email_address") or person.get("phone_number")) and (
        person.get("first_name") or person.get("last_name")
    ):
        return None
    return (
        f"'{name}' must have an identifier or an external_ref, or else an email_address or "
        "phone_number together with a first_name or last_name."
    )


def validate_task(body: Any) -> tuple[str, str] | None:
    """Check a create-task body against the page's rules; return ``(type, message)`` of the first error."""
    if not isinstance(body, dict):
        return "invalid_body", "The request body must be a JSON object."
    for name, value in body.items():
        if name not in KNOWN_FIELDS:
            return "unknown_field", f"Unknown field '{name}'."
        if name in STRING_FIELDS and not isinstance(value, str):
            return "invalid_type", f"'{name}' must be a string."
    if body.get("group_id") and body.get("group_external_ref"):
        return (
            "both_group_identifiers_provided",
            "Provide either 'group_id' or 'group_external_ref', not both.",
        )
    if not (body.get("group_id") or body.get("group_external_ref")):
        return "missing_group_identifier", "Provide one of 'group_id' or 'group_external_ref'."
    for name in DATETIME_FIELDS:
        value = body.get(name)
        if value is not None and not is_travtus_datetime(value):
            return (
                "invalid_datetime",
                f"'{name}' must be a real date and time formatted YYYY-MM-DDThh:mm:ss, got {value!r}.",
            )
    importance = body.get("importance")
    if importance is not None and importance not in IMPORTANCE:
        return (
            "invalid_importance",
            f"'importance' must be one of low, normal, high, very_high, got {importance!r}.",
        )
    for name in PERSON_FIELDS:
        if name in body:
            problem = _person_error(name, body[name])
            if problem:
                return "invalid_person", problem
    return None


def parse_bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


@dataclass
class TravtusOptions:
    """Travtus' options: accepted clients and fixed tokens, token lifetime, token buckets per key."""

    clients: dict[str, str] = field(default_factory=lambda: {SANDBOX_TRAVTUS_CLIENT_ID: SANDBOX_TRAVTUS_CLIENT_SECRET})
    static_tokens: set[str] = field(default_factory=lambda: {SANDBOX_TRAVTUS_TOKEN})
    token_lifetime: float = 3600.0
    task_rate: float | None = 10_000.0
    task_burst: int = 5_000
    token_rate: float | None = 100.0
    token_burst: int = 200
    #: The communities, units and people served by ``/communities/``, ``/units/find/``, ``/persons/find/``.
    workspace: TravtusWorkspace = field(default_factory=demo_workspace)
    #: The next this many look-up requests answer 503 (a test of retries).
    lookup_failures: int = 0

    def __post_init__(self) -> None:
        if self.token_lifetime < 0:
            raise ValueError("travtus_token_lifetime must not be negative")


class TravtusTaskEndpoint(TaskEndpoint):
    """``POST /task/``."""

    provider = "travtus"

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.limiter = TokenBucketLimiter()

    def authenticate(self, request: web.Request, now: float) -> tuple[str, web.Response | None]:
        token = parse_bearer(request.headers.get("Authorization"))
        if token is None:
            return INVALID_KEY, bytes_response(_MISSING_BODY, 401)
        issued = self.state.issued_tokens.get(token)
        if issued is not None:
            client_id, expires_at = issued
            if now >= expires_at:
                return client_id, bytes_response(_EXPIRED_BODY, 401)
            return client_id, None
        if token in self.state.config.providers["travtus"].static_tokens:
            return token, None
        return INVALID_KEY, bytes_response(_INVALID_BODY, 401)

    def admit(self, key: str, now: float) -> bool:
        options = self.state.config.providers["travtus"]
        return self.limiter.admit(key, now, options.task_rate, options.task_burst)

    async def create(self, request: web.Request, key: str, now: float) -> tuple[web.Response, bool]:
        try:
            body = json.loads(await request.read())
        except ValueError:
            return json_response(error_body("invalid_body", "The request body is not valid JSON."), 400), False
        problem = validate_task(body)
        if problem is not None:
            return json_response(error_body(*problem), 400), False
        request_id = str(uuid.uuid4())
        identifier = str(uuid.uuid4())
        unknown = unknown_reference(body, self.state.config.providers["travtus"].workspace)
        task = StoredTask("travtus", identifier, body, key, now, request_id)
        if unknown is not None:  # accepted now, failed later (a webhook would say so)
            task.status, task.error = "failed", f"not_found: {unknown}"
        self.state.add_task(task)
        return json_response({"request_id": request_id, "identifier": identifier}, 200), True

    def error(self, fault: Fault, retry_after: int | None = None) -> web.Response:
        status, body = _FAULT_BODIES[fault]
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return bytes_response(body, status, headers)


_TOKEN_FORM_HELP = (
    "Send a form-encoded body (application/x-www-form-urlencoded) with "
    "grant_type=client_credentials, client_id and client_secret."
)


async def _form(request: web.Request) -> dict[str, str]:
    if request.content_type != "application/x-www-form-urlencoded":
        return {}
    form = await request.post()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def token_handler(state: SandboxState, limiter: TokenBucketLimiter) -> Handler:
    """The handler of ``POST /oauth2/token`` (form-encoded client credentials)."""

    async def handle(request: web.Request) -> web.Response:
        now = state.config.clock()
        config = state.config.providers["travtus"]
        stats = state.stats
        stats.providers["travtus"].token_requests += 1
        form = await _form(request)
        client_id = form.get("client_id", "")
        secret = config.clients.get(client_id)
        key = client_id if secret is not None else INVALID_KEY
        if not limiter.admit(key, now, config.token_rate, config.token_burst):
            response = bytes_response(_FAULT_BODIES[Fault.RATE_LIMITED][1], 429)
        elif not all(form.get(name) for name in ("grant_type", "client_id", "client_secret")):
            response = json_response(error_body("invalid_request", _TOKEN_FORM_HELP), 400)
        elif form["grant_type"] != "client_credentials":
            response = json_response(
                error_body("unsupported_grant_type", "'grant_type' must be 'client_credentials'."), 400
            )
        elif secret is None or not secrets.compare_digest(secret.encode(), form["client_secret"].encode()):
            response = json_response(
                error_body("invalid_client", "Client authentication failed: unknown client_id or wrong client_secret."),
                401,
            )
        else:
            token = secrets.token_urlsafe(24)
            lifetime = config.token_lifetime
            state.issued_tokens[token] = (client_id, now + lifetime)
            expires_in: float = int(lifetime) if float(lifetime).is_integer() else lifetime
            response = json_response(
                {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}, 200
            )
        stats.record("travtus", str(response.status))
        return response

    return handle


class TravtusEmulation(Emulation):
    """Travtus in the sandbox: ``POST /oauth2/token`` and ``POST /task/``, token buckets per key."""

    provider = "travtus"
    Options = TravtusOptions
    rate_options = ("task_rate", "token_rate")
    path_prefix = "/"

    state: SandboxState

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.endpoint = TravtusTaskEndpoint(state)
        self.token_limiter = TokenBucketLimiter()

    def routes(self) -> list[tuple[str, str, Handler]]:
        def looking_up(answer: Any) -> Handler:
            async def handle(request: web.Request) -> web.Response:
                return await self.endpoint.lookup(request, lambda r: answer(r, self.options.workspace))
            return handle

        return [("POST", TRAVTUS_TOKEN_PATH, token_handler(self.state, self.token_limiter)),
                ("POST", TRAVTUS_TASK_PATH, self.endpoint.handle),
                *((method, path, looking_up(answer)) for method, path, answer in LOOKUP_ROUTES)]

    def not_routed(self, request: web.Request, status: int) -> dict[str, Any]:
        if status == 404:
            return error_body("not_found", f"No such endpoint: {request.method} {request.path}")
        return error_body("method_not_allowed", f"Method {request.method} not allowed on {request.path}")

    @classmethod
    def environment(cls, options: TravtusOptions) -> dict[str, str]:
        client_id, secret = next(iter(options.clients.items()), ("", ""))
        return {"TRAVTUS_CLIENT_ID": client_id, "TRAVTUS_CLIENT_SECRET": secret}

    @classmethod
    def usage(cls, options: TravtusOptions) -> list[str]:
        token = next(iter(sorted(options.static_tokens)), None)
        return [f"  # or, for Travtus, a token that never expires: export TRAVTUS_API_TOKEN={token}"] if token else []

    def reset(self) -> None:
        self.endpoint.limiter.reset()
        self.token_limiter.reset()

    @classmethod
    def add_arguments(cls, parser: argparse._ActionsContainer) -> None:
        parser.add_argument("--travtus-client-id", default=SANDBOX_TRAVTUS_CLIENT_ID, metavar="ID",
                            help=f"Travtus client id to accept (default {SANDBOX_TRAVTUS_CLIENT_ID})")
        parser.add_argument("--travtus-client-secret", default=SANDBOX_TRAVTUS_CLIENT_SECRET, metavar="SECRET",
                            help="Travtus client secret to accept (default: the sandbox's dummy secret)")
        parser.add_argument("--travtus-token", default=SANDBOX_TRAVTUS_TOKEN, metavar="TOKEN",
                            help="a Travtus bearer token that never expires")
        parser.add_argument("--token-lifetime", type=non_negative, default=3600.0, metavar="SECONDS",
                            help="lifetime of issued Travtus tokens (default 3600)")
        parser.add_argument("--travtus-rate", type=rate_option, default=10_000.0, metavar="R",
                            help="Travtus /task/ requests per second per key (default 10000; 'off')")
        parser.add_argument("--travtus-burst", type=int, default=5_000, metavar="N", help="(default 5000)")
        parser.add_argument("--travtus-token-rate", type=rate_option, default=100.0, metavar="R",
                            help="Travtus /oauth2/token requests per second per client (default 100)")
        parser.add_argument("--travtus-token-burst", type=int, default=200, metavar="N", help="(default 200)")

    @classmethod
    def options_from_args(cls, args: argparse.Namespace) -> dict[str, Any]:
        return {"clients": {args.travtus_client_id: args.travtus_client_secret},
                "static_tokens": {args.travtus_token} if args.travtus_token else set(),
                "token_lifetime": args.token_lifetime, "task_rate": args.travtus_rate,
                "task_burst": args.travtus_burst, "token_rate": args.travtus_token_rate,
                "token_burst": args.travtus_token_burst}
