"""The send phase of a run: credentials, the endpoint (or the sandbox), the journal, the sender.

``send_prepared`` turns a ``Prepared`` input into one outcome per row that has a payload, consulting
and extending the journal so that nothing created before is sent again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import JournalWriteError
from ..record.journal import Journal, journal_path, sent_digest
from ..record.references import record_references, references_record
from ..console.messages import DECLINED
from ..shape.payloads import COMPACT_SEPARATORS, RENDER_CHUNK, Payloads
from ..shape.prepare import Prepared
from .options import EngineSettings, SendOptions
from ..read.options import check_same_reading
from .endpoint import Endpoint, resolve_endpoint, sandbox_endpoint
from .engine import Sender
from .ratelimit import RateLimiter
from .jobs import Job, SendResult, encode_payload
from ..statuses import Outcome, RowStatus
from ..providers import Provider

#: Requests in flight when --concurrency is not given: this many to start with, and more, up to
#: MAX_AUTO_CONCURRENCY, while the rate needs them (a 50/s limit with 300 ms replies needs 15).
DEFAULT_CONCURRENCY = 8
MAX_AUTO_CONCURRENCY = 64
REFERENCE_TAKEN = ("not sent: its {column} {reference} was already used by a task created earlier{task} with "
                   "other content; give this row a reference of its own, or change that task in the provider")
_COPY = re.compile(r"(ref:.+)#\d+")
INVALID_ELSEWHERE = ("{count} row(s) of this file are invalid and nothing is sent until they are "
                     "fixed; fix them (see _error) or use --skip-invalid")

#: Called once before the first request with the number of rows to send and the base URL (and, when
#: there are any, ``updates=`` the rows whose changes ``--update`` sends and ``note=`` what the user
#: should know first); answering False sends nothing (those rows are ``not_sent``).
BeforeSending = Callable[..., Awaitable[bool]]


class Progress(Protocol):
    """What the sender reports to a progress display."""

    def start(self, total: int) -> None:
        """``total`` rows are about to be sent."""

    def advance(self, outcome: Outcome) -> None:
        """One row has its final outcome."""

    def waiting(self, seconds: float) -> None:
        """Every request waits ``seconds`` because the provider said 429 (too many requests)."""


@dataclass
class Earlier:
    """What the journal says of rows created before, beyond ``already_created`` (``after.changed``)."""

    #: Rows whose task was taken back by ``undo``: they are created again.
    recreated: list[int] = field(default_factory=list)
    #: Row → identity of rows whose body differs from the one sent (compared field by field next).
    suspects: dict[int, str] = field(default_factory=dict)


@asynccontextmanager
async def open_endpoint(provider: Provider, send: SendOptions, resolved: Endpoint | None) -> AsyncIterator[Endpoint]:
    """``resolved``, else the production (or ``--base-url``) endpoint, or an in-process sandbox started
    for the run."""
    if resolved is not None or not send.sandbox:
        yield resolved or resolve_endpoint(provider, send.base_url, send.env)
        return
    from ..sandbox import SandboxConfig, start_sandbox

    async with start_sandbox(SandboxConfig()) as running:
        yield sandbox_endpoint(provider, running.url, running.environment())


#: Up to this rate intents are ``fsync``-ed before their requests (``Journal.durable``): every provider's
#: real limit is far below it. Above it (a benchmark against the sandbox) one ``fdatasync`` per batch
#: (1-2 ms) would halve the throughput, and intents are only handed to the operating system.
FSYNC_MAX_RATE = 1000.0


def fsyncs_intents(rate: float | None) -> bool:
    """Whether a run at ``rate`` requests/s (None or 0: unlimited) ``fsync``-s its intents."""
    return bool(rate) and rate <= FSYNC_MAX_RATE  # type: ignore[operator]


def engine_settings(send: SendOptions, base_url: str, rate: float | None) -> EngineSettings:
    """``send`` as the engine takes it, for ``base_url`` at ``rate`` (the provider's unless given)."""
    return EngineSettings(base_url=base_url, rate=rate, concurrency=send.concurrency or DEFAULT_CONCURRENCY,
                          max_concurrency=MAX_AUTO_CONCURRENCY if send.concurrency is None else None,
                          max_attempts=send.max_attempts, timeout=send.timeout,
                          retry_uncertain=send.retry_uncertain, max_wait=send.max_wait)


def jobs_and_earlier_outcomes(prepared: Prepared, journal: Journal, retry_uncertain: bool,
                              skip_invalid: bool, found: Earlier | None = None) -> tuple[list[Job], dict[int, Outcome]]:
    """Rows to send now, and the rows settled without sending (journal, invalid rows elsewhere).

    With ``found``: rows whose task was taken back are sent again, and rows whose body differs from
    the one sent are listed there."""
    settled: dict[int, Outcome] = {}
    jobs: list[Job] = []
    blocked = bool(prepared.errors) and not skip_invalid
    digests = journal.sent_digests if found is not None else {}
    for (row, payload), body in zip(prepared.payloads.items(), _bodies(prepared.payloads)):
        identity = prepared.identities[row]
        earlier = journal.previous.get(identity)
        if found is not None and earlier is not None and _taken_back(journal, identity, earlier):
            found.recreated.append(row)
            earlier = None
        if earlier is not None and earlier.status in (RowStatus.CREATED, RowStatus.ALREADY_CREATED):
            settled[row] = _from_journal(row, earlier, RowStatus.ALREADY_CREATED)
            recorded = digests.get(identity)
            if found is not None and recorded is not None and recorded != sent_digest(body):
                found.suspects[row] = identity
        elif earlier is not None and earlier.status is RowStatus.UNCERTAIN and not retry_uncertain:
            settled[row] = _from_journal(row, earlier, RowStatus.UNCERTAIN)
        elif (taken := _created_under_same_reference(journal, identity)) is not None:
            settled[row] = Outcome(row, RowStatus.NOT_SENT, error=REFERENCE_TAKEN.format(
                column=prepared.match.header_of.get("external_ref", "external_ref"),
                reference=repr(taken[0]), task=f" (task ID {taken[1]})" if taken[1] else ""))
        elif blocked:
            settled[row] = Outcome(row, RowStatus.NOT_SENT,
                                   error=INVALID_ELSEWHERE.format(count=len(prepared.invalid_rows)))
        elif row in prepared.stopped:
            settled[row] = Outcome(row, RowStatus.NOT_SENT, error=prepared.stopped[row])
        else:
            jobs.append(Job(row, payload, body))
    return jobs, settled


def _taken_back(journal: Journal, identity: str, earlier: Outcome) -> bool:
    """Whether ``undo`` took back the task ``earlier`` created (by its ID, else by the row's reference)."""
    undone = journal.previous.get(f"undo:{earlier.task_id or identity}")
    return earlier.status is RowStatus.CREATED and undone is not None and undone.status is RowStatus.DELETED


def _created_under_same_reference(journal: Journal, identity: str) -> tuple[str, str | None] | None:
    """For a copy of a task (``ref:T-1#2``, from --allow-duplicates) not yet sent: the reference and the
    task ID of a task created earlier under the same ``external_ref``, if any; a reference is never
    created twice."""
    copy = _COPY.fullmatch(identity)
    if copy is None:
        return None
    earlier = journal.previous.get(copy[1])
    if earlier is None or earlier.status not in (RowStatus.CREATED, RowStatus.ALREADY_CREATED):
        return None
    return copy[1][len("ref:"):], earlier.task_id


def _bodies(payloads: Mapping[int, dict[str, Any]]) -> Iterator[bytes]:
    """Each payload's request body (``jobs.encode_payload``), rendered column by column a chunk at a time."""
    if not isinstance(payloads, Payloads):
        yield from map(encode_payload, payloads.values())
        return
    for start in range(0, len(payloads), RENDER_CHUNK):
        yield from (text.encode() for text in payloads.texts_between(start, start + RENDER_CHUNK, COMPACT_SEPARATORS))


def _from_journal(row: int, earlier: Outcome, status: RowStatus) -> Outcome:
    return Outcome(row, status, task_id=earlier.task_id, request_id=earlier.request_id,
                   http_status=earlier.http_status, attempts=earlier.attempts, error=earlier.error)


#: Awaited inside the run's endpoint once the creates are done (not after a stop): ``run --update``.
AfterCreates = Callable[[Prepared, Endpoint, Journal, SendResult], Awaitable[None]]


def _earlier(prepared: Prepared, journal: Journal, send: SendOptions) -> tuple[list[Job], SendResult]:
    """The jobs, and a result holding what is settled without sending: ``changed`` rows included."""
    found = Earlier()
    jobs, settled = jobs_and_earlier_outcomes(prepared, journal, send.retry_uncertain, send.skip_invalid, found)
    result = SendResult(dict(settled))
    if found.suspects or prepared.created_payloads:
        from ..after.changed import compare_with_sent

        compare_with_sent(prepared, journal, found.suspects, result)
    if found.recreated:
        from ..after.changed import recreated_note

        result.notes.append(recreated_note(len(found.recreated), journal.after))
    return jobs, result


@dataclass(frozen=True)
class SendPlan:
    """What sending a prepared sheet would do now, by the rules ``send_prepared`` applies (``_earlier``)."""

    #: Rows it would create.
    create: int
    #: Rows an earlier run created, with the same fields: not sent again.
    already: int
    #: Rows an earlier run created whose fields now differ (``changed``): row → each field that differs.
    changed: dict[int, list[str]]


def plan_send(prepared: Prepared, results_path: Path, base_url: str) -> SendPlan:
    """What a run of ``prepared`` into ``results_path`` at ``base_url`` would send (invalid rows left out, as
    with ``--skip-invalid``), read from its journal and never written: the journal the run would open."""
    with Journal.open(journal_path(results_path), prepared.provider.name, base_url,
                      results_path=results_path) as journal:
        jobs, result = _earlier(prepared, journal, SendOptions(skip_invalid=True))
    already = sum(outcome.status is RowStatus.ALREADY_CREATED for outcome in result.outcomes.values())
    return SendPlan(len(jobs), already, {row: fields for row, (_, _, fields) in sorted(result.changed.items())})


async def send_prepared(prepared: Prepared, results_path: Path, send: SendOptions, *,
                        stop: asyncio.Event | None = None, progress: Progress | None = None,
                        before_sending: BeforeSending | None = None, endpoint: Endpoint | None = None,
                        after_creates: AfterCreates | None = None, limiter: RateLimiter | None = None) -> SendResult:
    """Send every row of ``prepared`` that needs sending; journal each step; return the outcomes.

    ``endpoint``: the run's endpoint, resolved (or the sandbox started) by the caller; None: resolved here
    from ``send`` (or the sandbox started, with ``send.sandbox``). Rows created earlier whose fields
    now differ are ``changed`` (``result.changed``); ``after_creates`` sends their changes (``run --update``).
    ``limiter``: the rate limiter the run's look-ups went through, shared with the sends."""
    provider = prepared.provider
    async with open_endpoint(provider, send, endpoint) as target:
        auth = target.auth
        auth.set_timeout(send.timeout)
        rate = provider.default_rate if send.rate is None else send.rate
        with Journal.open(journal_path(results_path), provider.name, target.journal_url,
                          results_path=results_path, sync=fsyncs_intents(rate)) as journal:
            if journal.previous:  # rows were sent before: their identities depend on the reading
                check_same_reading(journal.reading, prepared.reading, journal.path)
            journal.record_reading(prepared.reading.record())
            record_references(journal, references_record(prepared.references_used, dict(prepared.references_earlier)))
            jobs, result = _earlier(prepared, journal, send)
            updates = len(result.changed) if after_creates is not None else 0
            if (jobs or updates) and before_sending is not None and not await before_sending(
                    len(jobs), target.base_url, **_extra(updates, result.notes)):
                result.outcomes.update({job.row: Outcome(job.row, RowStatus.NOT_SENT, error=DECLINED) for job in jobs})
                result.interrupted = stop is not None and stop.is_set()
                return result
            if progress is not None:
                progress.start(len(jobs))
            identities = prepared.identities

            def on_intent(job: Job, attempt: int) -> Awaitable[None]:
                try:
                    journal.intent(identities[job.row], job.row, attempt, job.body if attempt == 1 else None)
                except JournalWriteError as exc:
                    result.journal_error = result.journal_error or str(exc)
                    raise
                return journal.durable()

            def on_outcome(outcome: Outcome) -> None:
                result.outcomes[outcome.row] = outcome
                try:
                    journal.outcome(identities[outcome.row], outcome)
                except JournalWriteError as exc:
                    result.journal_error = result.journal_error or str(exc)
                    sender.abort(str(exc))
                if progress is not None:
                    progress.advance(outcome)

            sender = Sender(jobs, provider, auth, engine_settings(send, target.base_url, rate),
                            on_intent=on_intent, on_outcome=on_outcome, stop=stop, limiter=limiter,
                            on_wait=getattr(progress, "waiting", None))
            try:
                report = await sender.run() if jobs else None
            except asyncio.CancelledError:
                # A cancelled run still ends with a results file (exit 130): every row has its outcome
                # (on_outcome recorded each), so the cancellation is acknowledged here, not lost.
                _acknowledge_cancellation()
                report = sender.report()
                report.interrupted = True
            if report is not None:
                _merge(result, report)
            if after_creates is not None and result.changed and not (result.interrupted or result.stopped_reason):
                await after_creates(prepared, target, journal, result)
    return result


def _merge(result: SendResult, report: SendResult) -> None:
    """The sender's report into the run's result."""
    result.outcomes.update(report.outcomes)
    result.stopped_reason, result.interrupted = report.stopped_reason, report.interrupted
    if result.stopped_reason is None and result.journal_error is not None:  # e.g. while cancelled
        result.stopped_reason = result.journal_error
    result.sent = report.sent


def _extra(updates: int, notes: list[str]) -> dict[str, Any]:
    """The keyword arguments of ``before_sending`` beyond the count and the URL: only those that say something."""
    extra: dict[str, Any] = {}
    if updates:
        extra["updates"] = updates
    if notes:
        extra["note"] = " ".join(notes)
    return extra


def _acknowledge_cancellation() -> None:
    """Take back the cancellation request the run turned into ``interrupted`` (``Task.uncancel``)."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
