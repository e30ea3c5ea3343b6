"""Quo, formerly OpenPhone: ``POST /v1/tasks``, as Quo's OpenAPI document describes it (``request_schema.json``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime, timezone, tzinfo
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ...errors import CredentialsError
from ..base import Provider, Reply, RowRule, Verdict
from ..fields import Field, Kind
from ..references import Reference

if TYPE_CHECKING:
    import pandas as pd

    from ...send.auth import Auth
    from ..tasks import TaskChanges, TaskLookup

LINKS = ("phoneNumberId", "conversationId", "activityId")


@cache
def request_schema() -> dict[str, Any]:
    """The request body schema of ``POST /v1/tasks``, verbatim from Quo's OpenAPI document."""
    text = resources.files(__package__).joinpath("request_schema.json").read_text("utf-8")
    return json.loads(text)


def _exactly_one_link(frame: pd.DataFrame) -> pd.Series:
    return sum(frame[name].notna().astype(int) for name in LINKS) == 1


class Quo(Provider):
    """Tasks in Quo (formerly OpenPhone), linked to a phone number, conversation or activity."""

    name = "quo"
    title = "Quo"
    default_base_url = "https://api.quo.com"
    task_path = "/v1/tasks"
    sandbox = "bulk_tasks.providers.quo.sandbox_tasks:QuoTaskEmulation"
    default_rate = 10.0
    credential_variables = ("QUO_API_KEY",)
    required_column_groups = (("title",), ("description",), LINKS)
    references = {
        "phoneNumberId": Reference("phone number", by="any",
                                   accepts="a phone number or a number's name"),
        "assignedTo": Reference("user", by="any", accepts="an e-mail"),
    }
    lookups = "bulk_tasks.providers.quo.lookups:QuoLookups"
    lookup_paths = ("/v1/phone-numbers", "/v1/users")
    id_lookups = {
        "assignedTo": "the Quo user's ID, starting with US (like US123abc): Quo's API lists every user of "
                      "the workspace with their email and ID (GET /v1/users), or ask whoever manages your Quo "
                      "workspace",
        "phoneNumberId": "the ID of one of your Quo phone numbers, starting with PN (like PN123abc): Quo's API "
                         "lists the workspace's numbers with their IDs (GET /v1/phone-numbers), or ask whoever "
                         "manages your Quo workspace",
        "conversationId": "the conversation's ID, starting with CN (like CN123abc), which Quo's API returns "
                          "with each conversation",
        "activityId": "the call's or message's ID, starting with AC (like AC123abc), which Quo's API returns "
                      "with each call and message",
    }
    fields = (
        Field("title", Kind.TEXT, "Title of the task.", "Follow up with customer", required=True,
              aliases=("task", "task title", "subject")),
        Field("description", Kind.TEXT, "Description of the task.",
              "Discuss pricing and onboarding next steps.", required=True, aliases=("details",)),
        Field("dueDate", Kind.DATETIME, "When the task is due (in --timezone; sent in UTC).",
              "2026-12-01 09:00", aliases=("due", "due at", "due by", "due datetime")),
        Field("assignedTo", Kind.ID, "Who the task is assigned to: the Quo user's e-mail, or their user ID "
              "(starts with US).", "maya.chen@example.com",
              aliases=("assignee", "assigned to user", "user id", "assignee id", "assignee email"), prefix="US"),
        Field("phoneNumberId", Kind.ID, "The Quo phone number to link the task to: the number as you dial it, "
              "its name as Quo shows it (Main line), or its ID (starts with PN). "
              "Fill exactly one of phoneNumberId, conversationId, activityId.", "(415) 555-0100",
              aliases=("phone number", "phone number id", "quo number", "from number"), prefix="PN"),
        Field("conversationId", Kind.ID, "Quo conversation ID to link the task to (starts with CN).",
              "", aliases=("conversation", "conversation id"), prefix="CN"),
        Field("activityId", Kind.ID, "Quo activity ID (a call or message) to link the task to "
              "(starts with AC).", "", aliases=("activity", "activity id"), prefix="AC"),
    )

    def rules(self) -> list[RowRule]:
        """Exactly one of the three link fields."""
        return [RowRule(
            name="exactly_one_link",
            rule="fill exactly one of phoneNumberId, conversationId and activityId",
            fields=LINKS,
            check=_exactly_one_link,
        )]

    def format_datetime(self, moment: datetime, tz: tzinfo) -> str:
        """RFC 3339 in UTC with ``Z``."""
        return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"

    def make_auth(self, env: Mapping[str, str] | None, base_url: str) -> Auth:
        """The bare ``QUO_API_KEY``; Quo rejects ``Bearer``."""
        from ...send.auth import StaticAuth

        env = os.environ if env is None else env
        key = env.get("QUO_API_KEY", "").strip()
        if not key:
            raise CredentialsError("No Quo credentials: set QUO_API_KEY in the environment "
                                   "(or try --sandbox).")
        if key.lower().startswith("bearer "):
            raise CredentialsError("QUO_API_KEY starts with 'Bearer': Quo wants the bare key. "
                                   "Remove the 'Bearer ' prefix.")
        return StaticAuth({"Authorization": key}, secrets=(key,))

    def task_lookup(self) -> TaskLookup:
        """``GET /v1/tasks`` (paged) and ``GET /v1/tasks/{id}``."""
        from .tasks import QuoTaskLookup

        return QuoTaskLookup()

    def task_changes(self) -> TaskChanges:
        """``DELETE``/``PUT /v1/tasks/{id}`` and the due-date and assignee actions."""
        from .tasks import QuoTaskChanges

        return QuoTaskChanges()

    def created_revision(self, body: Any) -> str | None:
        """``data.revision``."""
        data = body.get("data") if isinstance(body, dict) else None
        revision = data.get("revision") if isinstance(data, dict) else None
        return None if revision is None else str(revision)

    def interpret(self, status: int, body: Any) -> Reply:
        """As the base, plus: 402 means the workspace's open-task cap is reached."""
        if status == 402:
            return Reply(Verdict.FATAL_QUOTA, status, error=self.error_text(status, body))
        return super().interpret(status, body)

    def created_ids(self, body: Any) -> tuple[str | None, str | None]:
        """``data.taskId``; Quo has no request id."""
        data = body.get("data") if isinstance(body, dict) else None
        task_id = data.get("taskId") if isinstance(data, dict) else None
        return (None if task_id is None else str(task_id)), None

    def error_text(self, status: int, body: Any) -> str:
        """``title: message`` plus each ``errors[].path``; also reads ``{"error": {...}}``."""
        if not isinstance(body, dict):
            return f"HTTP {status}"
        inner = body.get("error")
        if isinstance(inner, dict):
            body = inner
        text = ": ".join(str(body[key]) for key in ("title", "message") if body.get(key))
        details = [f"{e['path']}: {e.get('message')}" for e in body.get("errors") or []
                   if isinstance(e, dict) and e.get("path")]
        if details:
            text += " (" + "; ".join(details) + ")"
        return text or f"HTTP {status}"
