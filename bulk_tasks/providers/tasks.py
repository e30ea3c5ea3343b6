"""What a provider can do with a task after creating it: look it up, change it, take it back.

A provider offers these through two hooks of ``Provider``: ``task_lookup()`` (None: its API cannot get
or list tasks) and ``task_changes()`` (None: it cannot change or delete them). ``verify`` needs the
first; ``undo`` and ``run --update`` the second. Each request is a ``Change`` the engine sends like
a create: journaled, rate-limited, retried only when safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Change:
    """One request that changes or takes back a created task: ``name`` says what it does (``delete``,
    ``change-due-date``…) and joins the journal identity; ``path`` is appended to the base URL."""

    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class FoundTask:
    """A task as the provider shows it now, in the terms ``verify`` and ``undo`` compare."""

    task_id: str
    revision: str | None
    #: Seconds since the epoch, when the provider says.
    created_at: float | None
    #: The fields as a create payload would carry them (``title``, ``dueDate``…).
    fields: Mapping[str, Any]


def flat(payload: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A payload with nested objects as dotted names: ``{"assignee": {"identifier": "x"}}`` as
    ``{"assignee.identifier": "x"}``."""
    out: dict[str, Any] = {}
    for name, value in payload.items():
        if isinstance(value, Mapping):
            out.update(flat(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


class TaskLookup(Protocol):
    """How to read a provider's tasks: pages of the whole list, or one task by ID."""

    #: Tasks per page at most.
    page_size: int

    def list_path(self, page_token: str | None) -> str:
        """The path (and query) of one page of the task list."""

    def read_page(self, body: Any) -> tuple[list[FoundTask], str | None, int | None]:
        """One page's tasks, the next page's token (None: the last page) and the total count, if given."""

    def get_path(self, task_id: str) -> str:
        """The path of one task."""

    def read_task(self, body: Any) -> FoundTask | None:
        """The task in a ``get_path`` reply."""

    def same_task(self, payload: Mapping[str, Any], task: FoundTask) -> bool:
        """Whether ``task`` is what ``payload`` would have created (``verify`` of an uncertain row)."""


class TaskChanges(Protocol):
    """How to change or take back a task created earlier."""

    def delete(self, task_id: str | None, reference: str | None) -> Change:
        """The request that takes back the task ``task_id`` (or, without one, the one with ``reference``)."""

    def update(self, task_id: str | None, reference: str | None, before: Mapping[str, Any],
               after: Mapping[str, Any]) -> list[Change] | list[str]:
        """The requests that turn the task created from ``before`` into ``after``; or, when the provider
        cannot make some change, the API names of the fields it cannot change."""

    def revision(self, body: Any) -> str | None:
        """The task's revision in a change's reply, when the provider gives one."""
