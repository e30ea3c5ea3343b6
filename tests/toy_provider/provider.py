"""Toy: a made-up provider that sends its key in ``X-Api-Key`` and answers in its own shapes.

Its items go on a board (an ID starting with ``BD``) or a named list (a one-of group), may name an owner
(a nested ``owner.email``), and a ``high`` priority needs a due date (a cross-field rule). It exists
only in the test tree, to prove that a provider is one folder (this module and its sandbox emulation)
and one registry line: nothing under ``bulk_tasks/`` knows about it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from bulk_tasks.errors import CredentialsError
from bulk_tasks.providers import Field, Kind, Provider, RowRule

if TYPE_CHECKING:  # the CLI's start-up loads neither pandas nor aiohttp, with the toy registered too
    import pandas as pd

    from bulk_tasks.send.auth import Auth


def _urgent_items_are_due(frame: pd.DataFrame) -> pd.Series:
    return (frame["priority"] != "high").fillna(True) | frame["due"].notna()


class Toy(Provider):
    """Items in Toy: a title, a due date and a priority."""

    name = "toy"
    default_base_url = "https://api.toy.example"
    task_path = "/toy/v1/items"
    sandbox = "toy_provider.sandbox:ToyEmulation"
    default_rate = 20.0
    credential_variables = ("TOY_API_KEY",)
    credential_hint = "Toy shows your key under Settings, then API keys."
    required_column_groups = (("title",), ("board", "list"))
    id_lookups = {"board": "the board's ID, starting with BD (like BD12ab), shown in the board's address in Toy"}
    fields = (
        Field("title", Kind.TEXT, "What the item is about.", "Water the plants", required=True,
              aliases=("item",)),
        Field("board", Kind.ID, "Toy board ID the item goes on (starts with BD). Fill this or list.", "BD12ab",
              aliases=("board id",), prefix="BD"),
        Field("list", Kind.TEXT, "Name of the list the item goes on, when it has no board.", "Chores",
              aliases=("list name",)),
        Field("due", Kind.DATETIME, "When the item is due (in --timezone; sent with its offset).",
              "2026-12-01 09:00", aliases=("due at",)),
        Field("priority", Kind.ENUM, "How urgent the item is.", "low", choices=("low", "high")),
        Field("owner.email", Kind.EMAIL, "Email address of the person the item is for.", "ana@example.com",
              aliases=("owner", "owner e-mail")),
    )

    def rules(self) -> list[RowRule]:
        """A high priority item needs a due date."""
        return [RowRule(name="urgent_items_are_due", rule="an item of priority high needs a due date",
                        fields=("priority", "due"), check=_urgent_items_are_due)]

    def format_datetime(self, moment: datetime, tz: tzinfo) -> str:
        """ISO 8601 in UTC with its offset."""
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds")

    def make_auth(self, env: Mapping[str, str] | None, base_url: str) -> Auth:
        """``TOY_API_KEY`` sent in ``X-Api-Key``."""
        from bulk_tasks.send.auth import StaticAuth

        env = os.environ if env is None else env
        key = env.get("TOY_API_KEY", "").strip()
        if not key:
            raise CredentialsError("No Toy credentials: set TOY_API_KEY in the environment (or try --sandbox).")
        return StaticAuth({"X-Api-Key": key}, secrets=(key,))

    def created_ids(self, body: Any) -> tuple[str | None, str | None]:
        """``item.ref`` and ``trace``."""
        item = body.get("item") if isinstance(body, dict) else None
        ref = item.get("ref") if isinstance(item, dict) else None
        trace = body.get("trace") if isinstance(body, dict) else None
        return (None if ref is None else str(ref)), (None if trace is None else str(trace))

    def error_text(self, status: int, body: Any) -> str:
        """``code: detail`` from ``{"problem": {...}}``."""
        problem = body.get("problem") if isinstance(body, dict) else None
        if isinstance(problem, dict):
            return ": ".join(str(problem[k]) for k in ("code", "detail") if problem.get(k)) or f"HTTP {status}"
        return f"HTTP {status}"
