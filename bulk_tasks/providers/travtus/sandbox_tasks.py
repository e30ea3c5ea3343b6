"""Travtus in the sandbox beyond create: ``PATCH /tasks/`` (and ``/task/``, as the docs' example writes it).

The task is chosen by ``identifier`` or ``external_ref`` (the newest live task with it); ``status``,
dates, importance, notes, title, description, ``assignee_id`` and ``resident_id`` may be set, and
``status: deleted`` takes the task back. Travtus answers ``{request_id}`` (the change is asynchronous);
an unknown or already deleted task is ``404 not_found`` (not documented: the emulation's assumption).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from ...sandbox.emulation import Handler
from ...sandbox.endpoint import json_response
from ...sandbox.state import SandboxState, StoredTask
from .sandbox import IMPORTANCE, TravtusEmulation, TravtusTaskEndpoint, error_body, is_travtus_datetime

if TYPE_CHECKING:
    from aiohttp import web

STATUSES = frozenset({"created", "in_progress", "completed", "error", "deleted"})
SELECTORS = ("identifier", "external_ref")
TEXT_FIELDS = frozenset({"notes", "title", "description", "assignee_id", "resident_id"})
DATE_FIELDS = frozenset({"due_datetime", "reminder_datetime", "completed_datetime"})
EDITABLE = TEXT_FIELDS | DATE_FIELDS | {"status", "importance"}
PATCH_PATHS = ("/tasks/", "/task/")


def patch_problem(body: Any) -> tuple[str, str] | None:
    """``(type, message)`` of the first thing wrong with a ``PATCH /tasks/`` body, else None."""
    if not isinstance(body, dict):
        return "invalid_body", "The request body must be a JSON object."
    chosen = [name for name in SELECTORS if body.get(name)]
    if len(chosen) != 1:
        return "invalid_task_selector", "Give exactly one of 'identifier' and 'external_ref' to choose the task."
    for name, value in body.items():
        if name in SELECTORS:
            continue
        if name not in EDITABLE:
            return "unknown_field", f"Field '{name}' cannot be updated."
        if not isinstance(value, str):
            return "invalid_type", f"'{name}' must be a string."
        if name in DATE_FIELDS and not is_travtus_datetime(value):
            return "invalid_datetime", f"'{name}' must be a real date and time formatted YYYY-MM-DDThh:mm:ss."
    if body.get("status", "created") not in STATUSES:
        return "invalid_status", f"'status' must be one of {', '.join(sorted(STATUSES))}."
    if body.get("importance", "normal") not in IMPORTANCE:
        return "invalid_importance", "'importance' must be one of low, normal, high, very_high."
    return None


class TravtusPatchEndpoint(TravtusTaskEndpoint):
    """``PATCH /tasks/``: the create endpoint's authentication, token buckets and faults, another operation."""

    async def create(self, request: web.Request, key: str, now: float) -> tuple[web.Response, bool]:
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        problem = patch_problem(body)
        if problem is not None:
            return json_response(error_body(*problem), 400), False
        task = self.find(body)
        if task is None:
            return json_response(error_body("not_found", "No task matches the given identifier or external_ref."),
                                 404), False
        current = task.current if task.current is not None else {**task.payload, "status": "created"}
        current.update({name: value for name, value in body.items() if name not in SELECTORS})
        task.current = current
        if current.get("status") == "deleted":
            self.state.remove_task(task)
        return json_response({"request_id": str(uuid.uuid4())}, 200), True

    def find(self, body: dict[str, Any]) -> StoredTask | None:
        """The live task the body selects (the newest one for an ``external_ref``)."""
        for task in reversed(self.state.tasks_of("travtus")):
            if task.deleted:
                continue
            if body.get("identifier") and task.task_id == body["identifier"]:
                return task
            if body.get("external_ref") and isinstance(task.payload, dict) \
                    and task.payload.get("external_ref") == body["external_ref"]:
                return task
        return None


class TravtusTaskEmulation(TravtusEmulation):
    """Travtus in the sandbox: token, create (``sandbox.TravtusEmulation``) and ``PATCH /tasks/``."""

    def __init__(self, state: SandboxState) -> None:
        super().__init__(state)
        self.patch = TravtusPatchEndpoint(state)
        self.patch.limiter = self.endpoint.limiter

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [*super().routes(), *(("PATCH", path, self.patch.handle) for path in PATCH_PATHS)]
