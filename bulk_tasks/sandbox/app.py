"""The aiohttp application: both providers' routes, the ``/_sandbox`` inspection routes, JSON 404/405."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from . import quo, travtus
from .endpoint import json_response
from .state import PROVIDERS, SandboxState

STATE_KEY: web.AppKey[SandboxState] = web.AppKey("bulk_tasks_sandbox_state", SandboxState)

TRAVTUS_TASK_PATH = "/task/"
TRAVTUS_TOKEN_PATH = "/oauth2/token"
QUO_TASK_PATH = "/v1/tasks"
SANDBOX_TASKS_PATH = "/_sandbox/tasks"
SANDBOX_STATS_PATH = "/_sandbox/stats"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _not_routed(request: web.Request, error: web.HTTPException) -> web.Response:
    """A provider-shaped JSON body for a path or method the sandbox does not serve."""
    status = error.status
    allow = error.headers.get("Allow")
    headers = {"Allow": allow} if allow is not None else None
    if request.path.startswith("/v1/"):
        message = "Not Found" if status == 404 else f"Method {request.method} not allowed"
        return json_response(quo.error_body(status, message), status, headers)
    if status == 404:
        body = travtus.error_body("not_found", f"No such endpoint: {request.method} {request.path}")
    else:
        body = travtus.error_body("method_not_allowed", f"Method {request.method} not allowed on {request.path}")
    return json_response(body, status, headers)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer unrouted paths and methods with JSON, and count them in the stats."""
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as error:
        response = _not_routed(request, error)
        if not request.path.startswith("/_sandbox/"):
            request.app[STATE_KEY].stats.record(None, str(response.status))
        return response


async def list_tasks(request: web.Request) -> web.Response:
    """``GET /_sandbox/tasks[?provider=quo|travtus]``: the created tasks with their payloads."""
    state = request.app[STATE_KEY]
    provider = request.query.get("provider")
    if provider is not None and provider not in PROVIDERS:
        return json_response({"error": f"unknown provider {provider!r}"}, 400)
    tasks = state.tasks if provider is None else state.tasks_of(provider)
    return json_response({"count": len(tasks), "tasks": [task.as_dict() for task in tasks]}, 200)


async def reset(request: web.Request) -> web.Response:
    """``DELETE /_sandbox/tasks``: forget tasks and stats."""
    request.app[STATE_KEY].reset()
    return json_response({"reset": True}, 200)


async def stats(request: web.Request) -> web.Response:
    """``GET /_sandbox/stats``: request counts by status, provider and key."""
    state = request.app[STATE_KEY]
    body = state.stats.as_dict()
    body["tasks"] = dict(state.task_counts)
    return json_response(body, 200)


def build_app(state: SandboxState) -> web.Application:
    """The application serving both providers over ``state``."""
    app = web.Application(middlewares=[json_errors])
    app[STATE_KEY] = state
    app.router.add_post(TRAVTUS_TOKEN_PATH, travtus.token_handler(state))
    app.router.add_post(TRAVTUS_TASK_PATH, travtus.TravtusTaskEndpoint(state).handle)
    app.router.add_post(QUO_TASK_PATH, quo.QuoTaskEndpoint(state).handle)
    app.router.add_get(SANDBOX_TASKS_PATH, list_tasks)
    app.router.add_delete(SANDBOX_TASKS_PATH, reset)
    app.router.add_get(SANDBOX_STATS_PATH, stats)
    return app
