"""Toy: a made-up provider that sends its key in ``X-Api-Key`` and answers in its own shapes.

It exists only in the test tree, to prove that a provider is one module (plus its sandbox emulation)
and one registry line: nothing under ``bulk_tasks/`` knows about it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any

from bulk_tasks.send.auth import Auth, StaticAuth
from bulk_tasks.errors import CredentialsError
from bulk_tasks.providers import Field, Kind, Provider


class Toy(Provider):
    """Items in Toy: a title, a due date and a priority."""

    name = "toy"
    default_base_url = "https://api.toy.example"
    task_path = "/toy/v1/items"
    sandbox = "toy_provider.sandbox:ToyEmulation"
    default_rate = 20.0
    credential_variables = ("TOY_API_KEY",)
    required_column_groups = (("title",),)
    fields = (
        Field("title", Kind.TEXT, "What the item is about.", "Water the plants", required=True,
              aliases=("item",)),
        Field("due", Kind.DATETIME, "When the item is due (in --timezone; sent with its offset).",
              "2026-12-01 09:00", aliases=("due at",)),
        Field("priority", Kind.ENUM, "How urgent the item is.", "low", choices=("low", "high")),
    )

    def format_datetime(self, moment: datetime, tz: tzinfo) -> str:
        """ISO 8601 in UTC with its offset."""
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds")

    def make_auth(self, env: Mapping[str, str] | None, base_url: str) -> Auth:
        """``TOY_API_KEY`` sent in ``X-Api-Key``."""
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
