"""Quo in the sandbox beyond create: list, get, delete, edit and the task actions, each with ``revision``.

``GET /v1/tasks?maxResults=1..100&pageToken=`` lists the key's tasks newest first (Quo documents no
order; bulk-tasks never relies on one), ``GET``/``DELETE``/``PUT /v1/tasks/{taskId}``, and
``POST /v1/tasks/{taskId}/{action}``. Every edit raises the task's ``revision``. They share create's
authentication, one-second windows per key and injected faults (``TaskEndpoint.handle``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...sandbox.emulation import Handler
from ...sandbox.endpoint import json_response
from ...sandbox.state import SandboxState, StoredTask
from .sandbox import SANDBOX_PHONE_NUMBER_ID, QuoEmulation, QuoTaskEndpoint, error_body, is_rfc3339

if TYPE_CHECKING:
    from aiohttp import web

Operation = Callable[["web.Request", StoredTask | None, str], Awaitable[tuple["web.Response", bool]]]
SANDBOX_USER_ID = "USsandbox"
MAX_RESULTS = 100
DEFAULT_RESULTS = 10


def new_task(task_id: str, body: dict[str, Any], created_at: float) -> dict[str, Any]:
    """The task as ``GET /v1/tasks/{id}`` shows it, just created from ``body``."""
    moment = datetime.fromtimestamp(created_at, timezone.utc).isoformat(timespec="milliseconds")
    return {"taskId": task_id, "phoneNumberId": body.get("phoneNumberId", SANDBOX_PHONE_NUMBER_ID),
            "conversationId": body.get("conversationId"), "activityId": body.get("activityId"),
            "title": body["title"], "description": body["description"], "dueDate": body.get("dueDate"),
            "assignedTo": body.get("assignedTo"), "createdAt": moment.replace("+00:00", "Z"),
            "createdBy": SANDBOX_USER_ID, "completed": False, "isDeleted": False, "revision": "1"}


def with_current(task: StoredTask) -> StoredTask:
    """``task``, with its current form made from its create body if it has none yet."""
    if task.current is None:
        task.current = new_task(task.task_id, task.payload, task.created_at)
    return task


class QuoTasks:
    """The task routes of one sandbox, sharing ``create``'s key checks, limiter and faults."""

    def __init__(self, state: SandboxState, create: QuoTaskEndpoint) -> None:
        self.state = state
        self.create = create
        self._by_id: dict[str, StoredTask] = {}
        self._indexed = 0

    def routes(self) -> list[tuple[str, str, Handler]]:
        """``(method, path, handler)`` of every route beyond create."""
        return [("GET", "/v1/tasks", self._endpoint(self._list, by_id=False)),
                ("GET", "/v1/tasks/{taskId}", self._endpoint(self._get)),
                ("DELETE", "/v1/tasks/{taskId}", self._endpoint(self._delete)),
                ("PUT", "/v1/tasks/{taskId}", self._endpoint(self._put)),
                ("POST", "/v1/tasks/{taskId}/{action}", self._endpoint(self._action))]

    def _endpoint(self, operation: Operation, *, by_id: bool = True) -> Handler:
        tasks = self

        class Endpoint(QuoTaskEndpoint):
            async def create(self, request: web.Request, key: str, now: float) -> tuple[web.Response, bool]:
                if not by_id:
                    return await operation(request, None, key)
                task = tasks.find(request.match_info["taskId"], key)
                if task is None:
                    return json_response(error_body(404, "Task not found"), 404), False
                return await operation(request, task, key)

        endpoint = Endpoint(self.state)
        endpoint.limiter = self.create.limiter
        return endpoint.handle

    def find(self, task_id: str, key: str) -> StoredTask | None:
        """The live task ``task_id`` created with ``key``, else None."""
        tasks = self.state.tasks
        if len(tasks) < self._indexed:  # the sandbox was reset
            self._by_id.clear()
            self._indexed = 0
        for task in tasks[self._indexed:]:
            if task.provider == "quo":
                self._by_id[task.task_id] = task
        self._indexed = len(tasks)
        found = self._by_id.get(task_id)
        return with_current(found) if found is not None and not found.deleted and found.key == key else None

    async def _list(self, request: web.Request, _: StoredTask | None, key: str) -> tuple[web.Response, bool]:
        try:
            size = int(request.query.get("maxResults", DEFAULT_RESULTS))
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_RESULTS:
            return json_response(error_body(400, f"maxResults must be a whole number from 1 to {MAX_RESULTS}"),
                                 400), False
        ordered = [task for task in reversed(self.state.tasks_of("quo")) if task.key == key]
        start = 0
        token = request.query.get("pageToken")
        if token:
            positions = {task.task_id: at for at, task in enumerate(ordered)}
            if token not in positions:
                return json_response(error_body(400, "Invalid pageToken"), 400), False
            start = positions[token] + 1
        page: list[StoredTask] = []
        at = start
        while at < len(ordered) and len(page) < size:
            if not ordered[at].deleted:
                page.append(ordered[at])
            at += 1
        more = any(not task.deleted for task in ordered[at:])
        body = {"data": [with_current(task).current for task in page],
                "totalItems": sum(not task.deleted for task in ordered),
                "nextPageToken": page[-1].task_id if more and page else None}
        return json_response(body, 200), False

    async def _get(self, request: web.Request, task: StoredTask | None, _: str) -> tuple[web.Response, bool]:
        assert task is not None
        return json_response({"data": task.current}, 200), False

    async def _delete(self, request: web.Request, task: StoredTask | None, _: str) -> tuple[web.Response, bool]:
        from aiohttp import web

        assert task is not None and task.current is not None
        self.state.remove_task(task)
        task.current["isDeleted"] = True
        return web.Response(status=204), True

    async def _put(self, request: web.Request, task: StoredTask | None, _: str) -> tuple[web.Response, bool]:
        body, problem = await _json_object(request, required=("title", "description"),
                                           allowed=("title", "description"))
        if problem is not None:
            return problem, False
        return _edited(task, {"title": body["title"], "description": body["description"]}), True

    async def _action(self, request: web.Request, task: StoredTask | None, _: str) -> tuple[web.Response, bool]:
        action = request.match_info["action"]
        if action not in ACTIONS:
            return json_response(error_body(404, "Not Found"), 404), False
        needs = ACTIONS[action]
        body, problem = await _json_object(request, required=needs, allowed=needs, empty_ok=not needs)
        if problem is not None:
            return problem, False
        if action == "change-due-date" and not is_rfc3339(body["dueDate"]):
            return json_response(error_body(400, "dueDate: must match format \"date-time\""), 400), False
        assert task is not None and task.current is not None
        changes = _changes(action, body, task.current)
        return _edited(task, changes), True


ACTIONS: dict[str, tuple[str, ...]] = {
    "change-due-date": ("dueDate",), "remove-due-date": (), "assign": ("userId",), "unassign": ("userId",),
    "complete": (), "reopen": (), "link-conversation": ("conversationId",), "unlink-conversation": (),
}


def _changes(action: str, body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    if action == "change-due-date":
        return {"dueDate": body["dueDate"]}
    if action == "assign":
        return {"assignedTo": body["userId"]}
    if action == "unassign":
        return {"assignedTo": None} if current.get("assignedTo") == body["userId"] else {}
    if action in ("complete", "reopen"):
        return {"completed": action == "complete"}
    if action == "link-conversation":
        return {"conversationId": body["conversationId"]}
    return {"dueDate": None} if action == "remove-due-date" else {"conversationId": None}


def _edited(task: StoredTask | None, changes: dict[str, Any]) -> web.Response:
    assert task is not None and task.current is not None
    task.current.update(changes)
    task.current["revision"] = str(int(task.current["revision"]) + 1)
    return json_response({"data": task.current}, 200)


async def _json_object(request: web.Request, *, required: tuple[str, ...], allowed: tuple[str, ...],
                       empty_ok: bool = False) -> tuple[dict[str, Any], web.Response | None]:
    """The request's JSON object, or Quo's 400 naming what is missing, extra or not a string."""
    raw = await request.read()
    if not raw.strip() and empty_ok:
        return {}, None
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return {}, json_response(error_body(400, "Body must be a JSON object"), 400)
    errors = [{"path": f"/{name}", "message": f"Expected required property '{name}'", "schema": {"type": "string"}}
              for name in required if name not in body]
    errors += [{"path": f"/{name}", "message": f"Unexpected property '{name}'", "value": body[name],
                "schema": {"type": "object", "additionalProperties": False}} for name in body if name not in allowed]
    errors += [{"path": f"/{name}", "message": "Expected string", "value": body[name], "schema": {"type": "string"}}
               for name in required if name in body and not isinstance(body[name], str)]
    if errors:
        return {}, json_response(error_body(400, f"{errors[0]['path']}: {errors[0]['message']}", errors), 400)
    return body, None


class QuoTaskEmulation(QuoEmulation):
    """Quo in the sandbox: create (``sandbox.QuoEmulation``) and every task route beyond it."""

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.tasks = QuoTasks(state, self.endpoint)

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [*super().routes(), *self.tasks.routes()]
