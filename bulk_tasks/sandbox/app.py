"""The aiohttp application: every registered provider's routes, the ``/_sandbox`` inspection routes, JSON 404/405."""

from __future__ import annotations

from aiohttp import web

from .emulation import Handler
from .endpoint import json_response
from .state import SandboxState

STATE_KEY: web.AppKey[SandboxState] = web.AppKey("bulk_tasks_sandbox_state", SandboxState)

SANDBOX_TASKS_PATH = "/_sandbox/tasks"
SANDBOX_STATS_PATH = "/_sandbox/stats"


def _not_routed(request: web.Request, error: web.HTTPException) -> web.Response:
    """The JSON body of the provider whose path prefix matches best, for a path or method not served."""
    status = error.status
    allow = error.headers.get("Allow")
    headers = {"Allow": allow} if allow is not None else None
    owners = [e for e in request.app[STATE_KEY].emulations.values() if request.path.startswith(e.path_prefix)]
    if not owners:
        return json_response({"error": f"No such endpoint: {request.method} {request.path}"}, status, headers)
    owner = max(owners, key=lambda emulation: len(emulation.path_prefix))
    return json_response(owner.not_routed(request, status), status, headers)


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
    """``GET /_sandbox/tasks[?provider=NAME]``: the created tasks with their payloads."""
    state = request.app[STATE_KEY]
    provider = request.query.get("provider")
    if provider is not None and provider not in state.emulations:
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
    """The application serving every registered provider over ``state``."""
    app = web.Application(middlewares=[json_errors])
    app[STATE_KEY] = state
    for emulation in state.emulations.values():
        for method, path, handler in emulation.routes():
            app.router.add_route(method, path, handler)
    app.router.add_get(SANDBOX_TASKS_PATH, list_tasks)
    app.router.add_delete(SANDBOX_TASKS_PATH, reset)
    app.router.add_get(SANDBOX_STATS_PATH, stats)
    return app
