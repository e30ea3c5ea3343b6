"""``run --update``: send the changes of rows created earlier whose fields now differ (``changed``).

Travtus: one ``PATCH /tasks/`` by ``identifier`` (else ``external_ref``) with the changed fields. Quo:
``PUT /v1/tasks/{id}`` for title and description, the actions for the due date and the assignee.
Journaled and resumable like creates (``after.changes``); a row whose changes all went through is
``updated``, and the journal records its new body, so the next run compares the row with that.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

from ..console import after_messages as say
from ..record.journal import Journal
from ..send.jobs import SendResult, encode_payload
from ..send.options import SendOptions
from ..send.endpoint import Endpoint
from ..send.run import AfterCreates, Progress
from ..shape.prepare import Prepared
from ..statuses import Outcome, RowStatus
from .changed import current_payload
from .changes import Planned, by_row, change_identity, send_changes
from .past import now_text


def sending_updates(send: SendOptions, progress: Progress | None = None,
                    stop: asyncio.Event | None = None) -> AfterCreates:
    """The ``send_prepared`` hook that sends the changes of the run's ``changed`` rows."""
    async def hook(prepared: Prepared, target: Endpoint, journal: Journal, result: SendResult) -> None:
        planned, refused = plan_updates(prepared, result)
        for row, note in refused.items():
            result.outcomes[row] = replace(result.outcomes[row], error=note)
        sent = await send_changes(prepared.provider, planned, target, journal, send, RowStatus.UPDATED,
                                  progress=progress, stop=stop)
        per_row = Counter(item.row for item in planned)
        for row, outcomes in by_row(planned, sent.outcomes).items():
            _settle_row(prepared, journal, result, row, outcomes, per_row[row])
        result.sent += sent.sent
        result.stopped_reason = result.stopped_reason or sent.stopped_reason
        result.interrupted = result.interrupted or sent.interrupted

    return hook


def plan_updates(prepared: Prepared, result: SendResult) -> tuple[list[Planned], dict[int, str]]:
    """The changes to send for each ``changed`` row, and the notes of rows the provider cannot change."""
    changes = prepared.provider.task_changes()
    name = prepared.provider.name.capitalize()
    planned: list[Planned] = []
    refused: dict[int, str] = {}
    for row, (identity, before, _) in result.changed.items():
        task_id = result.outcomes[row].task_id
        after = current_payload(prepared, row)
        reference = after.get("external_ref") if isinstance(after.get("external_ref"), str) else None
        plan = changes.update(task_id, reference, before, after) if changes is not None else ["every field"]
        if plan and isinstance(plan[0], str):
            headers = [prepared.match.header_of.get(str(field), str(field)) for field in plan]
            refused[row] = say.CANNOT_UPDATE.format(provider=name, fields=", ".join(headers), row=row)
            continue
        for change in plan:
            assert not isinstance(change, str)
            planned.append(Planned(row, change_identity("update", task_id or identity, change), change, task_id))
    return planned, refused


def _settle_row(prepared: Prepared, journal: Journal, result: SendResult, row: int, outcomes: list[Outcome],
                planned: int) -> None:
    identity, _, fields = result.changed[row]
    earlier = result.outcomes[row]
    failed = [outcome for outcome in outcomes if outcome.status is not RowStatus.UPDATED]
    if failed or len(outcomes) < planned:
        first = failed[0] if failed else None
        result.outcomes[row] = replace(earlier, error=say.UPDATE_FAILED.format(
            status=first.status.value if first else "not_sent", error=(first.error if first else None) or "stopped"))
        return
    journal.sent(identity, row, encode_payload(current_payload(prepared, row)))
    revisions = [outcome.revision for outcome in outcomes if outcome.revision is not None]
    result.outcomes[row] = replace(earlier, status=RowStatus.UPDATED, revision=revisions[-1] if revisions else None,
                                   attempts=sum(outcome.attempts for outcome in outcomes),
                                   http_status=outcomes[-1].http_status,
                                   error=say.UPDATED.format(when=now_text(), fields="; ".join(fields)))
