"""Rows created earlier whose fields now differ from what was sent: ``changed``, never plain ``already_created``.

The journal keeps each request's body on its first intent (and an update's new body after it), with a
digest of it read back cheaply; a row whose body's digest differs is compared field by field with
the body sent, and each field that differs is named in the user's terms (``Due Date was 2026-12-05
09:00, now 2027-01-05 09:00``). A row whose fields are all the same is ``already_created`` after all.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..console import after_messages as say
from ..providers.fields import Kind
from ..providers.tasks import flat
from ..record.journal import Journal
from ..send.jobs import SendResult
from ..shape.prepare import Prepared
from ..statuses import Outcome, RowStatus


def sent_payloads(path: Path, identities: Collection[str]) -> dict[str, dict[str, Any]]:
    """The body last sent for each of ``identities``, read from the journal at ``path``."""
    wanted = set(identities)
    found: dict[str, dict[str, Any]] = {}
    with path.open("rb") as handle:
        for line in handle:
            if b'"sent":' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("id") in wanted and isinstance(record.get("sent"), dict):
                found[record["id"]] = record["sent"]
    return found


def differences(prepared: Prepared, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """``Due Date was 2026-12-05 09:00, now 2027-01-05 09:00`` for each field that differs."""
    old, new = flat(before), flat(after)
    kinds = {spec.name: spec.kind for spec in prepared.provider.fields}
    zone = ZoneInfo(prepared.reading.timezone)
    names = [spec.name for spec in prepared.provider.fields if old.get(spec.name) != new.get(spec.name)]
    names += sorted(name for name in {*old, *new} if name not in kinds and old.get(name) != new.get(name))
    return [f"{prepared.match.header_of.get(name, name)} was {_shown(old.get(name), kinds.get(name), zone)}, "
            f"now {_shown(new.get(name), kinds.get(name), zone)}" for name in names]


def _shown(value: Any, kind: Kind | None, zone: ZoneInfo) -> str:
    if value is None:
        return "empty"
    if kind is Kind.DATETIME and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        moment = moment.astimezone(zone) if moment.tzinfo is not None else moment
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def changed_note(fields: list[str]) -> str:
    """The ``_error`` of a ``changed`` row."""
    return say.CHANGED.format(fields="; ".join(fields))


def recreated_note(count: int, after: list[dict[str, Any]]) -> str:
    """``60 rows were taken back on 2026-12-01; they are created again``."""
    times = [record["at"] for record in after if record.get("what") == "undo" and isinstance(record.get("at"), float)]
    when = datetime.fromtimestamp(max(times)).astimezone().strftime("%Y-%m-%d") if times else "an earlier day"
    return say.RECREATED.format(count=f"{count} row{' was' if count == 1 else 's were'}", when=when)


def current_payload(prepared: Prepared, row: int) -> dict[str, Any]:
    """The payload row ``row`` would be sent with now (a row a results file marks created included)."""
    payload = prepared.payloads.get(row)
    return payload if payload is not None else prepared.created_payloads[row]


def compare_with_sent(prepared: Prepared, journal: Journal, suspects: Mapping[int, str], result: SendResult) -> None:
    """Rows that differ from the body sent for them become ``changed`` (``result.changed`` says how): the
    ``suspects`` (by identity), and the rows a results file marks created (by their ``_task_id``)."""
    rows = dict(suspects)
    if prepared.created_payloads:
        identity_of = {outcome.task_id: identity for identity, outcome in journal.previous.items()
                       if outcome.task_id and outcome.status is RowStatus.CREATED}
        task_ids = prepared.earlier["_task_id"]
        for row in prepared.created_payloads:
            identity = identity_of.get(str(task_ids[row]).strip())
            if identity is not None:
                rows[row] = identity
    before = sent_payloads(journal.path, set(rows.values()))
    for row, identity in rows.items():
        if identity not in before:
            continue
        fields = differences(prepared, before[identity], current_payload(prepared, row))
        if fields:
            earlier = result.outcomes.get(row) or Outcome(row, RowStatus.ALREADY_CREATED,
                                                          task_id=str(prepared.earlier["_task_id"][row]).strip())
            result.outcomes[row] = replace(earlier, status=RowStatus.CHANGED, error=changed_note(fields))
            result.changed[row] = (identity, before[identity], fields)
