"""Travtus: ``POST /task/``, as Travtus' API reference describes it (its body, errors and OAuth2 tokens)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from ...errors import CredentialsError
from ..base import Provider, Reply, RowRule, Verdict
from ..fields import Field, Kind
from ..references import Reference

if TYPE_CHECKING:
    import pandas as pd

    from ...send.auth import Auth
    from ..tasks import TaskChanges

IMPORTANCE = ("low", "normal", "high", "very_high")
PEOPLE = (("creator", "creator"), ("assignee", "assignee (the person who deals with it)"),
          ("resident", "resident the task is for"))
GROUP = ("group_id", "group_external_ref")
REFERENCES = {
    "group_id": Reference("group", by="community_id"),
    "group_external_ref": Reference("group", by="external_ref"),
    "unit_id": Reference("unit", by="identifier", scope=GROUP),
    "unit_external_ref": Reference("unit", by="external_ref", scope=GROUP),
    **{f"{role}.{key}": Reference("person", by=key, scope=GROUP)
       for role, _ in PEOPLE for key in ("identifier", "external_ref")},
}


def person_fields(role: str, description: str) -> tuple[Field, ...]:
    """The six fields of a Travtus person object (creator, assignee, resident)."""
    what = f"the task's {description}"
    return (
        Field(f"{role}.identifier", Kind.ID, f"Travtus identifier of {what}.",
              "09639c56-6218-521d-8f5c-39faefdb912d", aliases=(f"{role}.id", f"{role} identifier")),
        Field(f"{role}.external_ref", Kind.ID, f"Your own reference for {what}.", "EMP-0042",
              aliases=(f"{role}.ref", f"{role}.reference")),
        Field(f"{role}.email_address", Kind.EMAIL, f"Email address of {what}.",
              "jordan.lee@example.com", aliases=(f"{role}.email", f"{role} e-mail")),
        Field(f"{role}.first_name", Kind.TEXT, f"First name of {what}.", "Jordan",
              aliases=(f"{role}.firstname", f"{role}.given_name")),
        Field(f"{role}.last_name", Kind.TEXT, f"Last name of {what}.", "Lee",
              aliases=(f"{role}.lastname", f"{role}.surname", f"{role}.family_name")),
        Field(f"{role}.phone_number", Kind.PHONE, f"Phone number of {what}.", "+14155550100",
              aliases=(f"{role}.phone", f"{role}.mobile", f"{role}.phone_no")),
    )


def _present(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name].notna()


def _exactly_one_group(frame: pd.DataFrame) -> pd.Series:
    return _present(frame, "group_id") ^ _present(frame, "group_external_ref")


def _person_rule(role: str) -> RowRule:
    def check(frame: pd.DataFrame) -> pd.Series:
        import pandas as pd

        has = {key: _present(frame, f"{role}.{key}") for key in
               ("identifier", "external_ref", "email_address", "phone_number", "first_name", "last_name")}
        anything = pd.concat(list(has.values()), axis=1).any(axis=1)
        by_ref = has["identifier"] | has["external_ref"]
        by_contact = (has["email_address"] | has["phone_number"]) & (has["first_name"] | has["last_name"])
        return ~anything | by_ref | by_contact

    return RowRule(
        name=f"{role}_identified",
        rule=(f"{'an' if role[0] in 'aeiou' else 'a'} {role} needs an identifier or external_ref, "
              "or else an email address or phone "
              "number together with a first or last name"),
        fields=tuple(f"{role}.{key}" for key in ("identifier", "external_ref", "email_address",
                                                  "phone_number", "first_name", "last_name")),
        check=check,
    )


class Travtus(Provider):
    """Property-management tasks in Travtus."""

    name = "travtus"
    title = "Travtus"
    default_base_url = "https://api.travtus.com"
    task_path = "/task/"
    token_path = "/oauth2/token"
    # 1% of the documented 10,000 req/s per key: other systems share the key (README "Rate limits").
    sandbox = "bulk_tasks.providers.travtus.sandbox_tasks:TravtusTaskEmulation"
    default_rate = 100.0
    credential_variables = ("TRAVTUS_API_TOKEN", "TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET")
    credential_hint = "Give the API token, or the client ID and secret."
    required_column_groups = (GROUP,)
    references = REFERENCES
    lookups = "bulk_tasks.providers.travtus.lookups:TravtusLookups"
    lookup_paths = ("/communities/", "/units/find/", "/persons/find/")
    fields = (
        Field("group_id", Kind.ID, "Travtus id of the group (property) the task is for. "
              "Fill this or group_external_ref, not both.", "3f6c2a9e-0d4b-4f7a-8e21-5b9c0d1e2f3a",
              aliases=("group identifier",)),
        Field("group_external_ref", Kind.ID, "Your reference for the group (property). "
              "Fill this or group_id, not both.", "PROP-ELM",
              aliases=("group ref", "group reference", "group", "property", "property ref")),
        Field("external_ref", Kind.ID, "Your own reference for this task; lets a re-run recognise it.",
              "MAINT-2026-12-0001", aliases=("task ref", "task reference", "task external ref", "reference")),
        Field("title", Kind.TEXT, "Title of the task.", "Replace HVAC filter",
              aliases=("task", "task title", "subject")),
        Field("description", Kind.TEXT, "Description of the task.",
              "Replace the return-air filter (20x25x1) and note the date on the unit.",
              aliases=("details",)),
        Field("notes", Kind.TEXT, "Notes on the task.", "Key at the front desk.", aliases=("note",)),
        Field("due_datetime", Kind.DATETIME, "When the task is due (in --timezone).", "2026-12-01 09:00",
              aliases=("due", "due date", "due at", "due by")),
        Field("reminder_datetime", Kind.DATETIME, "When to remind (in --timezone).", "2026-11-30 09:00",
              aliases=("reminder", "reminder date", "remind at")),
        Field("importance", Kind.ENUM, "How important the task is.", "normal",
              aliases=("priority",), choices=IMPORTANCE),
        Field("relevant_conversation", Kind.ID, "The conversation that led to the task.", "",
              aliases=("conversation",)),
        Field("unit_id", Kind.ID, "Travtus id of the unit the task is for.", "", aliases=("unit identifier",)),
        Field("unit_external_ref", Kind.ID, "Your reference for the unit the task is for (it must exist).",
              "ELM-2A", aliases=("unit", "unit ref", "unit reference")),
        *(f for role, text in PEOPLE for f in person_fields(role, text)),
    )

    def rules(self) -> list[RowRule]:
        """Exactly one group identifier; each person object identifiable."""
        group = RowRule(
            name="exactly_one_group",
            rule="fill exactly one of group_id and group_external_ref (not both, not neither)",
            fields=("group_id", "group_external_ref"),
            check=_exactly_one_group,
        )
        return [group, *(_person_rule(role) for role, _ in PEOPLE)]

    def format_datetime(self, moment: datetime, tz: tzinfo) -> str:
        """``YYYY-MM-DDThh:mm:ss`` in the chosen time zone, no offset."""
        return moment.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")

    cannot_look_up = (
        "Travtus offers no way to look a task up (its API can create and change tasks, but has no endpoint to "
        "get or list them), so bulk-tasks cannot check which uncertain rows of {path} were created. Look for "
        "them in Travtus itself, by their {external_ref} or {title}: set _status to created in {path} for each one "
        "you find, then run it again with --retry-uncertain to send the rest.")

    def task_changes(self) -> TaskChanges:
        """``PATCH /tasks/`` by ``identifier`` or ``external_ref``."""
        from .tasks import TravtusTaskChanges

        return TravtusTaskChanges()

    def make_auth(self, env: Mapping[str, str] | None, base_url: str) -> Auth:
        """A static ``TRAVTUS_API_TOKEN``, else client credentials exchanged for a token."""
        from ...send.auth import ClientCredentialsAuth, StaticAuth

        env = os.environ if env is None else env
        base = base_url.rstrip("/")
        if env.get("TRAVTUS_API_TOKEN"):
            token = env["TRAVTUS_API_TOKEN"]
            return StaticAuth({"Authorization": "Bearer " + token}, secrets=(token,))
        client_id, secret = env.get("TRAVTUS_CLIENT_ID"), env.get("TRAVTUS_CLIENT_SECRET")
        if client_id and secret:
            return ClientCredentialsAuth(base + self.token_path, client_id, secret)
        raise CredentialsError(
            "No Travtus credentials: set TRAVTUS_API_TOKEN, or TRAVTUS_CLIENT_ID and "
            "TRAVTUS_CLIENT_SECRET, in the environment (or try --sandbox).")

    def interpret(self, status: int, body: Any) -> Reply:
        """As the base, plus: ``401 expired_token`` means refresh the token and retry."""
        if status == 401 and _error_type(body) == "expired_token":
            return Reply(Verdict.TOKEN_EXPIRED, status, error=self.error_text(status, body))
        return super().interpret(status, body)

    def created_ids(self, body: Any) -> tuple[str | None, str | None]:
        """``identifier`` and ``request_id``."""
        if not isinstance(body, dict):
            return None, None
        return _text(body.get("identifier")), _text(body.get("request_id"))

    def error_text(self, status: int, body: Any) -> str:
        """``type: message`` from ``{"error": {...}}``."""
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            kind, message = error.get("type"), error.get("message")
            return ": ".join(str(part) for part in (kind, message) if part) or f"HTTP {status}"
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])
        return f"HTTP {status}"


def _error_type(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type") if isinstance(error, dict) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
