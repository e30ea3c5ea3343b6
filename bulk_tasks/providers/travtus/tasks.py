"""Travtus' tasks after create: ``PATCH /tasks/`` by ``identifier`` or ``external_ref`` (the providers'
notes, "Beyond create"). Travtus has no endpoint to get or list tasks, so nothing here looks one up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..tasks import Change, flat

PATCH_PATH = "/tasks/"
#: Payload field → the ``PATCH`` field that sets it on an existing task.
UPDATABLE = {"title": "title", "description": "description", "notes": "notes", "due_datetime": "due_datetime",
             "reminder_datetime": "reminder_datetime", "importance": "importance",
             "assignee.identifier": "assignee_id", "resident.identifier": "resident_id"}


class TravtusTaskChanges:
    """``PATCH /tasks/``: ``status: deleted`` to take a task back, the changed fields to update it."""

    def _selector(self, task_id: str | None, reference: str | None) -> dict[str, str]:
        if task_id:
            return {"identifier": task_id}
        assert reference, "a Travtus task is chosen by its identifier or its external_ref"
        return {"external_ref": reference}

    def delete(self, task_id: str | None, reference: str | None) -> Change:
        """``PATCH /tasks/ {identifier, status: deleted}`` (else by ``external_ref``)."""
        return Change("delete", "PATCH", PATCH_PATH, {**self._selector(task_id, reference), "status": "deleted"})

    def update(self, task_id: str | None, reference: str | None, before: Mapping[str, Any],
               after: Mapping[str, Any]) -> list[Change] | list[str]:
        """One ``PATCH`` with every changed field; the fields it cannot set (or clear) otherwise."""
        old, new = flat(before), flat(after)
        changed = sorted(name for name in {*old, *new} if old.get(name) != new.get(name))
        fixed = [name for name in changed if name not in UPDATABLE or name not in new]
        if fixed:
            return fixed
        if not changed:
            return []
        body = {**self._selector(task_id, reference), **{UPDATABLE[name]: new[name] for name in changed}}
        return [Change("update", "PATCH", PATCH_PATH, body)]

    def revision(self, body: Any) -> str | None:
        """Travtus gives none."""
        return None
