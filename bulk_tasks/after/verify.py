"""``verify``: look up in the provider what a past import's results call created or uncertain.

An uncertain row found (same link ID, title, description and due date, created after the row was first
sent, not claimed by another row) becomes ``created`` with the real task ID; one not found becomes
``not_sent`` and is sent by the next run, once. A created row whose task is gone or was edited since
gets a note. The journal learns each answer, so every later run agrees with the file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..console import after_messages as say
from ..errors import UsageError
from ..providers import Provider
from ..providers.tasks import FoundTask, TaskLookup
from ..record.journal import Journal
from ..record.lock import RunLock
from ..send.endpoint import resolve_endpoint
from ..send.options import SendOptions
from ..send.transport import new_session
from ..shape.prepare import Prepared, ReadOptions, prepare
from ..statuses import ExitCode, Outcome, RowStatus
from .lookup import TaskReader, find_tasks
from .past import AFTER_RECORD, CREATED_STATUSES, PastImport, open_past

#: A task's ``createdAt`` may be this many seconds before the intent of its request (clocks differ).
CLOCK_SKEW = 300.0
#: Told after each page (or task) read: ``(done, total)``.
Progress = Callable[[int, int], None]


@dataclass
class VerifySummary:
    """What ``verify`` found, row by row, and how many requests it took."""

    results_path: Path
    provider: str
    base_url: str
    exit_code: ExitCode = ExitCode.OK
    checked: int = 0
    found: list[int] = field(default_factory=list)
    send_again: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    requests: int = 0
    elapsed: float = 0.0


def verify(results: str | Path, *, send: SendOptions | None = None, provider: str | None = None,
           options: ReadOptions | None = None) -> VerifySummary:
    """Settle the uncertain rows of ``results`` and note created tasks gone or edited (Quo)."""
    return asyncio.run(verify_async(results, send=send, provider=provider, options=options))


async def verify_async(results: str | Path, *, send: SendOptions | None = None, provider: str | None = None,
                       options: ReadOptions | None = None, stop: asyncio.Event | None = None,
                       on_progress: Progress | None = None, only_uncertain: bool = False) -> VerifySummary:
    """The async twin of ``verify``. ``only_uncertain``: leave created rows unchecked (``run --retry-uncertain``)."""
    send = send or SendOptions()
    started = time.monotonic()
    past = open_past(results, "verify", provider=provider, base_url=send.base_url, sandbox=send.sandbox)
    lookup = past.provider.task_lookup()
    if lookup is None:
        sentence = past.provider.cannot_look_up_text(str(past.path))
        raise UsageError(sentence or say.CANNOT_LOOK_UP.format(provider=past.provider.name.capitalize())
                         .format(path=past.path))
    summary = VerifySummary(past.path, past.provider.name, past.base_url)
    with RunLock(past.path):
        status, task_ids = past.column("_status"), past.column("_task_id")
        created = {} if only_uncertain else {int(row): task_ids[row] for row in past.frame.index
                                             if status[row].lower() in CREATED_STATUSES and task_ids[row]}
        uncertain = [int(row) for row in past.frame.index if status[row].lower() == RowStatus.UNCERTAIN.value]
        summary.checked = len(created) + len(uncertain)
        if not summary.checked:
            return summary
        prepared = _payloads(past, options) if uncertain else None
        found, listed, requests = await _look_up(past, lookup, send, set(created.values()), bool(uncertain),
                                                 stop, on_progress)
        summary.requests = requests
        with Journal.open(past.journal, past.provider.name, past.base_url, results_path=past.path) as journal:
            _check_created(past, created, found, summary)
            if prepared is not None:
                claimed = {task_ids[row] for row in past.frame.index if row not in set(uncertain)} - {""}
                _settle(past, lookup, prepared, uncertain, listed, claimed, journal, summary)
            _record(past, journal, summary)
    summary.elapsed = time.monotonic() - started
    summary.exit_code = ExitCode.SOME_ROWS_FAILED if summary.send_again or summary.gone else ExitCode.OK
    return summary


def _payloads(past: PastImport, options: ReadOptions | None) -> Prepared:
    """The results file read as input, uncertain rows included, with the options the journal recorded."""
    if options is None:
        reading = past.history.reading or {}
        options = ReadOptions(timezone=reading.get("timezone"), dayfirst=reading.get("dayfirst"),
                              phone_region=reading.get("phone_region"))
    return prepare(past.path, past.provider, options, retry_uncertain=True, allow_duplicates=True,
                   sent_to=past.sent_to)


async def _look_up(past: PastImport, lookup: TaskLookup, send: SendOptions, ids: set[str], whole: bool,
                   stop: asyncio.Event | None, on_progress: Progress | None
                   ) -> tuple[dict[str, FoundTask], list[FoundTask], int]:
    auth = resolve_endpoint(past.provider, past.base_url, send.env).auth
    auth.set_timeout(send.timeout)
    rate = past.provider.default_rate if send.rate is None else send.rate
    async with new_session(send.concurrency or 8) as session:
        reader = TaskReader(past.provider, lookup, past.base_url, auth, session, rate=rate, timeout=send.timeout,
                            max_attempts=send.max_attempts, stop=stop)
        found, listed = await find_tasks(reader, ids, whole_list=whole, concurrency=send.concurrency or 8,
                                         on_progress=on_progress)
    return found, listed, reader.requests


def _check_created(past: PastImport, created: dict[int, str], found: dict[str, FoundTask],
                   summary: VerifySummary) -> None:
    frame = past.frame
    for row, task_id in created.items():
        task = found.get(task_id)
        recorded = past.history.revisions.get(task_id)
        if task is None:
            frame.loc[row, "_error"] = say.GONE.format(provider=past.provider.name.capitalize(), when=_now())
            summary.gone.append(row)
        elif recorded is not None and task.revision is not None and task.revision != recorded:
            frame.loc[row, "_error"] = say.EDITED.format(provider=past.provider.name.capitalize(), before=recorded,
                                                         now=task.revision)
            summary.edited.append(row)


def _settle(past: PastImport, lookup: TaskLookup, prepared: Prepared, rows: list[int], listed: list[FoundTask],
            claimed: set[str], journal: Journal, summary: VerifySummary) -> None:
    """Each uncertain row: the oldest unclaimed task it would have created, else safe to send again."""
    frame, name = past.frame, past.provider.name.capitalize()
    ordered = sorted(listed, key=lambda task: task.created_at or 0.0)
    for row in rows:
        payload, identity = prepared.payloads.get(row), prepared.identities.get(row)
        if payload is None or identity is None:
            continue
        since = past.history.first_sent_at.get(identity, past.history.started or 0.0) - CLOCK_SKEW
        matches = [task for task in ordered if task.task_id not in claimed
                   and (task.created_at is None or task.created_at >= since) and lookup.same_task(payload, task)]
        if matches:
            task = matches[0]
            claimed.add(task.task_id)
            note = say.FOUND.format(provider=name, when=_now())
            if len(matches) > 1:
                note += say.MORE_MATCHES.format(others=", ".join(other.task_id for other in matches[1:]))
            frame.loc[row, ["_status", "_task_id", "_error"]] = [RowStatus.CREATED.value, task.task_id, note]
            journal.outcome(identity, Outcome(row, RowStatus.CREATED, task_id=task.task_id, revision=task.revision))
            summary.found.append(row)
        else:
            note = say.NOT_FOUND.format(provider=name, when=_now())
            frame.loc[row, ["_status", "_error"]] = [RowStatus.NOT_SENT.value, note]
            journal.outcome(identity, Outcome(row, RowStatus.NOT_SENT, error=note))
            summary.send_again.append(row)


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


def _record(past: PastImport, journal: Journal, summary: VerifySummary) -> None:
    text = say.VERIFY_LINE.format(when=_now(), checked=summary.checked, found=len(summary.found),
                                  again=len(summary.send_again), gone=len(summary.gone), edited=len(summary.edited))
    record = {"type": AFTER_RECORD, "what": "verify", "at": round(time.time(), 3), "label": "verified", "text": text}
    journal.note(record)
    past.write(("verified", text))
    past.history.events.append(record)


async def verify_first(target: Path, provider: Provider, send: SendOptions, options: ReadOptions | None,
                       stop: asyncio.Event | None) -> list[str]:
    """Before ``run --retry-uncertain``: the uncertain rows of ``target`` settled; a note saying what was found."""
    base_url = (send.base_url or provider.default_base_url).rstrip("/")
    try:
        past = open_past(target, "verify", provider=provider.name, base_url=base_url)
    except UsageError:
        return []  # another import, or a sandbox try: the run itself says so
    if not (past.column("_status").str.lower() == RowStatus.UNCERTAIN.value).any():
        return []
    summary = await verify_async(target, send=replace(send, retry_uncertain=False), provider=provider.name,
                                 options=options, stop=stop, only_uncertain=True)
    return [say.VERIFIED_FIRST.format(provider=provider.name.capitalize(), checked=summary.checked,
                                      found=len(summary.found), again=len(summary.send_again))]
