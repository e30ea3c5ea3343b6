"""Quo's tasks after create: ``GET /v1/tasks`` (paged), ``GET``/``DELETE``/``PUT /v1/tasks/{id}`` and the
actions, from the providers' notes, "Beyond create". The list has no documented order: it is always read whole."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..tasks import Change, FoundTask

LINKS = ("phoneNumberId", "conversationId", "activityId")
PAGE_SIZE = 100


def _instant(text: Any) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).timestamp()
    except ValueError:
        return None


def _found(task: Any) -> FoundTask | None:
    if not isinstance(task, dict) or not task.get("taskId") or task.get("isDeleted"):
        return None
    revision = task.get("revision")
    return FoundTask(str(task["taskId"]), None if revision is None else str(revision),
                     _instant(task.get("createdAt")), task)


class QuoTaskLookup:
    """Quo's task list and single tasks."""

    page_size = PAGE_SIZE

    def list_path(self, page_token: str | None) -> str:
        """``/v1/tasks?maxResults=100[&pageToken=…]``."""
        tail = f"&pageToken={quote(page_token, safe='')}" if page_token else ""
        return f"/v1/tasks?maxResults={PAGE_SIZE}{tail}"

    def read_page(self, body: Any) -> tuple[list[FoundTask], str | None, int | None]:
        """``{data: [task…], totalItems, nextPageToken}``; deleted tasks left out."""
        if not isinstance(body, dict):
            return [], None, None
        tasks = [found for found in map(_found, body.get("data") or []) if found is not None]
        total = body.get("totalItems")
        token = body.get("nextPageToken")
        return tasks, (str(token) if token else None), (total if isinstance(total, int) else None)

    def get_path(self, task_id: str) -> str:
        """``/v1/tasks/{taskId}``."""
        return f"/v1/tasks/{quote(task_id, safe='')}"

    def read_task(self, body: Any) -> FoundTask | None:
        """``{data: task}``."""
        return _found(body.get("data")) if isinstance(body, dict) else None

    def same_task(self, payload: Mapping[str, Any], task: FoundTask) -> bool:
        """Same link ID, title, description and due date (as an instant)."""
        fields = task.fields
        if any(payload.get(name) != fields.get(name) for name in ("title", "description")):
            return False
        if _instant(payload.get("dueDate")) != _instant(fields.get("dueDate")):
            return False
        return all(fields.get(name) == payload[name] for name in LINKS if payload.get(name))


class QuoTaskChanges:
    """Quo's delete, edit (title and description) and the due-date and assignee actions."""

    def delete(self, task_id: str | None, reference: str | None) -> Change:
        """``DELETE /v1/tasks/{id}``."""
        assert task_id, "a Quo task is taken back by its ID"
        return Change("delete", "DELETE", f"/v1/tasks/{quote(task_id, safe='')}")

    def update(self, task_id: str | None, reference: str | None, before: Mapping[str, Any],
               after: Mapping[str, Any]) -> list[Change] | list[str]:
        """``PUT`` for title/description, ``change-due-date``/``remove-due-date``, ``assign``/``unassign``."""
        assert task_id, "a Quo task is changed by its ID"
        changed = {name for name in {*before, *after} if before.get(name) != after.get(name)}
        fixed = sorted(changed & set(LINKS))
        if fixed:
            return fixed
        base = f"/v1/tasks/{quote(task_id, safe='')}"
        changes = []
        if changed & {"title", "description"}:
            changes.append(Change("edit", "PUT", base, {"title": after["title"], "description": after["description"]}))
        if "dueDate" in changed:
            changes.append(Change("change-due-date", "POST", f"{base}/change-due-date", {"dueDate": after["dueDate"]})
                           if after.get("dueDate") else Change("remove-due-date", "POST", f"{base}/remove-due-date"))
        if "assignedTo" in changed:
            changes.append(Change("assign", "POST", f"{base}/assign", {"userId": after["assignedTo"]})
                           if after.get("assignedTo") else
                           Change("unassign", "POST", f"{base}/unassign", {"userId": before["assignedTo"]}))
        return changes

    def revision(self, body: Any) -> str | None:
        """``data.revision`` of an edit's reply."""
        data = body.get("data") if isinstance(body, dict) else None
        revision = data.get("revision") if isinstance(data, dict) else None
        return None if revision is None else str(revision)
