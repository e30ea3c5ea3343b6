"""``undo``: take back the tasks a past import created (Quo ``DELETE``; Travtus ``PATCH status: deleted``).

A Quo task edited since it was created (its ``revision`` is not the one last seen) is kept unless
``force``; a task already gone is ``deleted`` with a note, not an error. The results file is written
again in place: ``deleted`` rows, notes for the others, a Summary line saying when and how many.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..console import after_messages as say
from ..errors import UsageError
from ..record.journal import Journal
from ..record.lock import RunLock
from ..send.options import SendOptions
from ..send.endpoint import Endpoint, resolve_endpoint
from ..send.run import Progress
from ..send.transport import new_session
from ..statuses import ExitCode, Outcome, RowStatus
from .changes import Planned, change_identity, send_changes
from .lookup import TaskReader, find_tasks
from .past import AFTER_RECORD, CREATED_STATUSES, PastImport, open_past

#: Asked once before the first request: ``(count, base_url)``; False sends nothing.
Confirm = Callable[[int, str], Awaitable[bool]]


@dataclass
class UndoSummary:
    """What ``undo`` did: counts, rows kept and why, where the results are, the exit code."""

    results_path: Path
    provider: str
    base_url: str
    exit_code: ExitCode = ExitCode.OK
    deleted: list[int] = field(default_factory=list)
    already_gone: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    not_created: list[int] = field(default_factory=list)
    declined: bool = False
    stopped_reason: str | None = None
    interrupted: bool = False
    sent: int = 0
    elapsed: float = 0.0


def undo(results: str | Path, *, rows: Collection[int] | None = None, force: bool = False,
         send: SendOptions | None = None, provider: str | None = None) -> UndoSummary:
    """Take back the tasks ``results`` says this tool created (``rows``: only those spreadsheet rows)."""
    return asyncio.run(undo_async(results, rows=rows, force=force, send=send, provider=provider))


async def undo_async(results: str | Path, *, rows: Collection[int] | None = None, force: bool = False,
                     send: SendOptions | None = None, provider: str | None = None, progress: Progress | None = None,
                     stop: asyncio.Event | None = None, confirm: Confirm | None = None) -> UndoSummary:
    """The async twin of ``undo``: ``stop`` ends it early (as Ctrl-C), ``confirm`` is asked before sending."""
    send = send or SendOptions()
    started = time.monotonic()
    past = open_past(results, "undo", provider=provider, base_url=send.base_url, sandbox=send.sandbox)
    changes = past.provider.task_changes()
    if changes is None:
        raise UsageError(say.CANNOT_DELETE.format(provider=past.provider.name.capitalize()))
    summary = UndoSummary(past.path, past.provider.name, past.base_url)
    target = resolve_endpoint(past.provider, past.base_url, send.env)
    with RunLock(past.path):
        candidates = _candidates(past, rows, summary)
        with Journal.open(past.journal, past.provider.name, past.base_url, results_path=past.path) as journal:
            planned = [Planned(row, change_identity("undo", task or f"ref:{ref}", changes.delete(task, ref)),
                               changes.delete(task, ref), task) for row, task, ref in candidates]
            notes = await _checked(past, planned, force, send, target, summary, journal, stop)
            asked = [item for item in planned if item.row not in notes]
            waiting = [item for item in asked if not _done(journal, item)]
            if waiting and confirm is not None and not await confirm(len(waiting), past.base_url):
                summary.declined, summary.exit_code = True, ExitCode.SOME_ROWS_FAILED
                return summary
            sent = await send_changes(past.provider, asked, target, journal, send, RowStatus.DELETED,
                                      progress=progress, stop=stop, gone=say.ALREADY_GONE)
            _apply(past, asked, sent.outcomes, notes, summary)
            summary.stopped_reason, summary.interrupted, summary.sent = sent.stopped_reason, sent.interrupted, sent.sent
            _record(past, journal, summary)
    summary.elapsed = time.monotonic() - started
    summary.exit_code = (ExitCode.INTERRUPTED if summary.interrupted else
                         ExitCode.SOME_ROWS_FAILED if summary.kept or summary.failed else ExitCode.OK)
    return summary


def _candidates(past: PastImport, rows: Collection[int] | None,
                summary: UndoSummary) -> list[tuple[int, str | None, str | None]]:
    """(row, task ID, external_ref) of every row asked for whose task this tool created."""
    status, task_ids = past.column("_status"), past.column("_task_id")
    reference = past.reference_column()
    refs = past.column(reference) if reference else None
    chosen = []
    for row in past.frame.index:
        if rows is not None and row not in rows:
            continue
        ref = refs[row] if refs is not None else ""
        if status[row].lower() in CREATED_STATUSES and (task_ids[row] or ref):
            chosen.append((int(row), task_ids[row] or None, ref or None))
        elif rows is not None:
            summary.not_created.append(int(row))
    return chosen


def _done(journal: Journal, item: Planned) -> bool:
    earlier = journal.previous.get(item.identity)
    return earlier is not None and earlier.status is RowStatus.DELETED


async def _checked(past: PastImport, planned: list[Planned], force: bool, send: SendOptions, target: Endpoint,
                   summary: UndoSummary, journal: Journal, stop: asyncio.Event | None) -> dict[int, str]:
    """Rows not to send, with their note: (Quo) tasks already gone, and those edited since unless ``force``."""
    lookup = past.provider.task_lookup()
    ids = {item.row: item.task_id for item in planned if item.task_id and not _done(journal, item)}
    if lookup is None or not ids:
        return {}
    auth = target.auth
    auth.set_timeout(send.timeout)
    rate = past.provider.default_rate if send.rate is None else send.rate
    async with new_session(send.concurrency or 8) as session:
        reader = TaskReader(past.provider, lookup, target.base_url, auth, session, rate=rate, timeout=send.timeout,
                            max_attempts=send.max_attempts, stop=stop)
        found, _ = await find_tasks(reader, {task for task in ids.values() if task},
                                    whole_list=False, concurrency=send.concurrency or 8)
    notes: dict[int, str] = {}
    for item in planned:
        task_id = ids.get(item.row)
        if task_id is None:
            continue
        task = found.get(task_id)
        if task is None:
            notes[item.row] = say.ALREADY_GONE
            journal.outcome(item.identity, Outcome(item.row, RowStatus.DELETED, task_id=task_id,
                                                   error=say.ALREADY_GONE))
            summary.already_gone.append(item.row)
            continue
        recorded = past.history.revisions.get(task_id)
        if not force and recorded is not None and task.revision is not None and task.revision != recorded:
            notes[item.row] = say.KEPT_EDITED.format(before=recorded, now=task.revision)
            summary.kept.append(item.row)
    return notes


def _apply(past: PastImport, asked: list[Planned], outcomes: dict[str, Outcome], notes: dict[int, str],
           summary: UndoSummary) -> None:
    frame = past.frame
    for row, note in notes.items():
        frame.loc[row, "_error"] = note
        if row in summary.already_gone:
            frame.loc[row, "_status"] = RowStatus.DELETED.value
    for item in asked:
        outcome = outcomes.get(item.identity)
        if outcome is None:
            continue
        if outcome.status is RowStatus.DELETED:
            frame.loc[item.row, "_status"] = RowStatus.DELETED.value
            frame.loc[item.row, "_error"] = outcome.error or say.TAKEN_BACK.format(when=_today())
            (summary.already_gone if outcome.error == say.ALREADY_GONE else summary.deleted).append(item.row)
        else:
            frame.loc[item.row, "_error"] = say.UNDO_FAILED.format(status=outcome.status.value,
                                                                   error=outcome.error or "no reason given")
            summary.failed.append(item.row)


def _today() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def _record(past: PastImport, journal: Journal, summary: UndoSummary) -> None:
    """The Summary sheet's line (kept in the journal for later rewrites), then the file written again."""
    count = len(summary.deleted) + len(summary.already_gone)
    text = say.UNDO_LINE.format(when=_today(), count=count, kept=len(summary.kept) + len(summary.failed))
    record = {"type": AFTER_RECORD, "what": "undo", "at": round(time.time(), 3), "label": "taken back",
              "text": text, "count": count}
    if count or summary.kept or summary.failed:
        journal.note(record)
        past.write(("taken back", text))
    past.history.events.append(record)
