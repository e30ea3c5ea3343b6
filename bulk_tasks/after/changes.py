"""Sending ``Change`` requests (``undo``, ``run --update``) through the send stage's engine.

Journaled exactly as creates: the intent is on disk before each request, the outcome after it, under
the change's own identity (``undo:TK…``, ``update:TK…:change-due-date:…``), so a second run sends
nothing already done and a run killed mid-way carries on. A change is safe to repeat (a second
delete finds the task gone, a second edit sets the same values), so one whose reply never came is
sent again rather than left ``uncertain``. Same rate limit, retries, fatal stops and Ctrl-C rules.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import JournalWriteError
from ..providers import Provider
from ..providers.base import Reply, Verdict
from ..providers.tasks import Change
from ..record.journal import Journal
from ..send.engine import Sender
from ..send.jobs import Job, SendResult, encode_payload
from ..send.options import SendOptions
from ..send.endpoint import Endpoint
from ..send.run import Progress, engine_settings, fsyncs_intents
from ..statuses import Outcome, RowStatus


@dataclass(frozen=True)
class Planned:
    """One change to send for one row, known in the journal by ``identity``."""

    row: int
    identity: str
    change: Change
    task_id: str | None = None


@dataclass
class ChangesSent:
    """Each planned change's outcome (``done`` status when it went through), and how the sending ended."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    stopped_reason: str | None = None
    interrupted: bool = False
    sent: int = 0


def change_identity(kind: str, task: str, change: Change) -> str:
    """The journal identity of ``change`` to ``task``: an update's includes a digest of what it sets."""
    if kind == "undo":
        return f"undo:{task}"
    digest = hashlib.sha256(json.dumps(change.body, sort_keys=True).encode()).hexdigest()[:16]
    return f"update:{task}:{change.name}:{digest}"


def change_reply(provider: Provider, status: int, body: Any) -> Reply:
    """What the reply to a change means: any 2xx is done (with the revision it gives), else as for a create."""
    if 200 <= status < 300:
        changes = provider.task_changes()
        return Reply(Verdict.CREATED, status, revision=changes.revision(body) if changes is not None else None)
    return provider.interpret(status, body)


async def send_changes(provider: Provider, planned: list[Planned], target: Endpoint, journal: Journal,
                       send: SendOptions, done: RowStatus, *, progress: Progress | None = None,
                       stop: asyncio.Event | None = None, gone: str | None = None) -> ChangesSent:
    """Send every planned change not already done according to ``journal``; ``done`` is the status a change
    that went through is journaled with (``deleted``, ``updated``). ``gone``: a 404 means done too
    (a task already taken back), with this note."""
    result = ChangesSent()
    waiting = _not_done(planned, journal, done, result)
    if progress is not None:
        progress.start(len(waiting))
    if not waiting:
        return result
    target.auth.set_timeout(send.timeout)
    rate = provider.default_rate if send.rate is None else send.rate
    journal.sync = fsyncs_intents(rate)
    jobs = _jobs(waiting, target.base_url.rstrip("/"))

    recorder = _Recorder(waiting, journal, done, gone, result, progress)
    settings = replace(engine_settings(send, target.base_url, rate), retry_uncertain=True)
    recorder.sender = Sender(jobs, provider, target.auth, settings, on_intent=recorder.intent,
                             on_outcome=recorder.outcome, stop=stop, on_wait=getattr(progress, "waiting", None),
                             interpret=lambda status, body: change_reply(provider, status, body))
    report = await _run(recorder.sender)
    for outcome in report.outcomes.values():
        item = waiting[outcome.row]
        result.outcomes.setdefault(item.identity, replace(outcome, row=item.row))
    result.stopped_reason, result.interrupted, result.sent = report.stopped_reason, report.interrupted, report.sent
    return result


class _Recorder:
    """Journals each change's intent and outcome (under the change's identity and the row's number)."""

    def __init__(self, waiting: list[Planned], journal: Journal, done: RowStatus, gone: str | None,
                 result: ChangesSent, progress: Progress | None) -> None:
        self.waiting, self.journal, self.done, self.gone = waiting, journal, done, gone
        self.result, self.progress = result, progress
        self.sender: Sender | None = None

    def intent(self, job: Job, attempt: int) -> Awaitable[None]:
        """Before each request: its intent on disk."""
        item = self.waiting[job.row]
        self.journal.intent(item.identity, item.row, attempt)
        return self.journal.durable()

    def outcome(self, outcome: Outcome) -> None:
        """A change's final outcome: ``done`` when it went through (or, with ``gone``, found already gone)."""
        item = self.waiting[outcome.row]
        final = replace(outcome, row=item.row, task_id=item.task_id)
        if outcome.status is RowStatus.CREATED:
            final.status = self.done
        elif self.gone is not None and outcome.status is RowStatus.FAILED and outcome.http_status == 404:
            final.status, final.error = self.done, self.gone
        self.result.outcomes[item.identity] = final
        try:
            self.journal.outcome(item.identity, final)
        except JournalWriteError as exc:
            if self.sender is not None:
                self.sender.abort(str(exc))
        if self.progress is not None:
            self.progress.advance(final)


async def _run(sender: Sender) -> SendResult:
    """The sender's report; a cancelled run (a second Ctrl-C) still reports every change."""
    try:
        return await sender.run()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        report = sender.report()
        report.interrupted = True
        return report


def _not_done(planned: list[Planned], journal: Journal, done: RowStatus, result: ChangesSent) -> list[Planned]:
    """The planned changes the journal does not say are done; the done ones' outcomes go into ``result``."""
    waiting = []
    for item in planned:
        earlier = journal.previous.get(item.identity)
        if earlier is not None and earlier.status is done:
            result.outcomes[item.identity] = earlier
        else:
            waiting.append(item)
    return waiting


def _jobs(waiting: list[Planned], base: str) -> list[Job]:
    """One engine job per change (its ``row``: the change's place in ``waiting``)."""
    return [Job(at, item.change.body or {}, None if item.change.body is None else encode_payload(item.change.body),
                method=item.change.method, url=base + item.change.path) for at, item in enumerate(waiting)]


def by_row(planned: list[Planned], outcomes: Mapping[str, Outcome]) -> dict[int, list[Outcome]]:
    """Each row's change outcomes, in plan order."""
    rows: dict[int, list[Outcome]] = {}
    for item in planned:
        if item.identity in outcomes:
            rows.setdefault(item.row, []).append(outcomes[item.identity])
    return rows
