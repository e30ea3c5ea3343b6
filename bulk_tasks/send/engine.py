"""The sending engine: every job POSTed at most as often as is safe, each ending with one outcome.

A fixed pool of ``concurrency`` workers pulls jobs in order from one iterator, paced by one shared
``RateLimiter``, over one ``aiohttp`` session. Only what certainly created nothing is retried
(429, 503, ``expired_token`` after a refresh, a connection that never carried the request);
anything ambiguous is ``uncertain``. A response that dooms every other row stops the run.

``send_all`` is the one call most callers need. ``Sender`` is the same engine as an object, for a
caller that must read the outcomes even when its task is cancelled (a second Ctrl-C)::

    sender = Sender(jobs, provider, auth, EngineSettings(base_url=..., ...), on_outcome=...)
    try:
        report = await sender.run()
    except asyncio.CancelledError:
        report = sender.report()     # every job has an outcome; on_outcome was called for each
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .auth import Auth
from ..errors import JournalWriteError, SendError
from .policy import MAY_EXIST, Final, Retry, decide
from ..providers.base import Provider, Reply, Verdict
from .ratelimit import RateLimiter
from .retry import backoff_delay, waited_too_long
from .options import EngineSettings
from ..statuses import Outcome, RowStatus
from .jobs import Job, SendResult, encode_payload
from .transport import Attempt, Failure, new_session, request_once, request_timeout

INTERRUPTED = "interrupted: the run was stopped before this row was sent"
CANCELLED_IN_FLIGHT = "interrupted while waiting for the reply" + MAY_EXIST
#: With ``max_concurrency``, keep this share more requests in flight than rate × reply time.
GROWTH_HEADROOM = 1.25


@dataclass(slots=True)
class _Row:
    """A job being worked on: how far it got, and whether some attempt may have created it."""

    attempts: int = 0
    maybe_created: bool = False
    last_status: int | None = None
    last_error: str | None = None


class Sender:
    """The engine behind ``send_all``; see the module docstring for when to use it directly.

    ``settings``: how to send (``EngineSettings``); pass ``limiter`` to share one rate bucket
    between senders using the same key.
    ``on_intent(job, attempt)`` runs just before each request is written (when it returns an awaitable,
    the request waits for it; ``JournalWriteError`` from either stops the run before this request is
    sent); ``on_outcome(outcome)``
    once per job when its outcome is final (``not_sent`` ones included). ``stop``, once set, lets
    in-flight requests finish and starts no new one. A ``session`` passed in is used and left open.
    ``on_wait(seconds)`` is told of each pause the provider asks for with a 429. ``interpret(status, body)``
    reads the replies (default: ``provider.interpret``, for creates); a ``Job`` with its own ``url`` and
    ``method`` is sent there (the requests after a create, ``after.changes``).
    """

    def __init__(self, jobs: Sequence[Job], provider: Provider, auth: Auth, settings: EngineSettings, *,
                 on_intent: Callable[[Job, int], Awaitable[None] | None] | None = None,
                 on_outcome: Callable[[Outcome], None] | None = None,
                 stop: asyncio.Event | None = None,
                 session: aiohttp.ClientSession | None = None,
                 limiter: RateLimiter | None = None,
                 on_wait: Callable[[float], None] | None = None,
                 interpret: Callable[[int, Any], Reply] | None = None) -> None:
        self.jobs, self.provider, self.auth = jobs, provider, auth
        self._interpret = interpret or provider.interpret
        self.url = provider.task_url(settings.base_url)
        self.host = urlsplit(self.url).netloc
        self.limiter = limiter or RateLimiter(settings.rate, max_pause=settings.max_wait or math.inf)
        self.concurrency = settings.concurrency
        self.max_concurrency = max(self.concurrency, settings.max_concurrency or self.concurrency)
        self._workers: list[asyncio.Task[None]] = []
        self._group: asyncio.TaskGroup | None = None
        self._error: Exception | None = None
        self._reply_time = 0.0
        self.max_attempts = settings.max_attempts
        self.timeout = settings.timeout
        self.retry_uncertain = settings.retry_uncertain
        self._request_timeout = request_timeout(self.timeout)
        self._on_intent, self._on_outcome, self._stop = on_intent, on_outcome, stop
        self._given_session = session
        self._session: aiohttp.ClientSession | None = session
        self._outcomes: list[Outcome | None] = [None] * len(jobs)
        self._active: dict[int, _Row] = {}
        self._next: Iterator[int] = iter(range(len(jobs)))
        self._halt = asyncio.Event()
        self._stopped_reason: str | None = None
        self._interrupted = False
        self._unreachable_streak = 0
        self._silent_streak = 0
        self.max_wait = settings.max_wait
        self._on_wait = on_wait
        self._throttled_since: float | None = None

    async def run(self) -> SendResult:
        """Send every job and return the report.

        If the calling task is cancelled, in-flight jobs become ``uncertain`` and unstarted ones
        ``not_sent`` (``on_outcome`` is called for each), then ``CancelledError`` propagates;
        ``report()`` still returns every outcome.
        """
        if self._session is None:
            self._session = new_session(self.max_concurrency)
        watcher = asyncio.create_task(self._watch_stop()) if self._stop is not None else None
        self._halted()
        try:
            await self._warm_up()
            async with asyncio.TaskGroup() as self._group:
                for _ in range(min(self.concurrency, len(self.jobs))):
                    self._workers.append(self._group.create_task(self._worker()))
            if self._error is not None:
                raise self._error
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError) and self._stopped_reason is None:
                self._interrupted = True
            self._halt.set()
            self._finish_rest(quiet=True)
            raise
        finally:
            if watcher is not None:
                watcher.cancel()
            if self._given_session is None:
                await self._session.close()
        self._finish_rest()
        return self.report()

    async def _warm_up(self) -> None:
        """Get the first token before any worker starts, so that rows start in order."""
        if self.jobs and not self._halt.is_set():
            try:
                await self.auth.headers(self._session)  # type: ignore[arg-type]
            except SendError as exc:
                self._fatal(str(exc))

    def report(self) -> SendResult:
        """Every job's outcome so far, in job order (``not_sent`` for jobs not yet decided)."""
        outcomes = [o if o is not None else Outcome(self.jobs[i].row, RowStatus.NOT_SENT,
                                                     error=INTERRUPTED)
                    for i, o in enumerate(self._outcomes)]
        return SendResult({outcome.row: outcome for outcome in outcomes}, self._stopped_reason,
                          self._interrupted, sent=sum(1 for outcome in outcomes if outcome.attempts))

    async def _watch_stop(self) -> None:
        """Wake the workers that wait (on the bucket, before a retry) as soon as ``stop`` is set."""
        assert self._stop is not None
        await self._stop.wait()
        self._halted()

    def _halted(self) -> bool:
        """True once the run must start no new request; sees ``stop`` at once, not a loop turn later."""
        if not self._halt.is_set() and self._stop is not None and self._stop.is_set():
            self._interrupted = True
            self._halt.set()
        return self._halt.is_set()

    def abort(self, reason: str) -> None:
        """Stop the run as a fatal condition does: no new request; ``reason`` is the report's."""
        self._fatal(reason)

    def _fatal(self, reason: str) -> None:
        if self._stopped_reason is None and not self._interrupted:
            reason = self.auth.redact(reason.strip())
            self._stopped_reason = reason[:1].upper() + reason[1:]
        self._halt.set()

    def _halt_reason(self) -> str:
        if self._stopped_reason is not None:
            return "the run stopped: " + self._stopped_reason
        return INTERRUPTED

    def _finish_rest(self, quiet: bool = False) -> None:
        """Final outcomes for the jobs left: in flight ``uncertain``, the others ``not_sent``.

        ``quiet``: the run is already failing, so an ``on_outcome`` error is not raised again.
        """
        for index, row in list(self._active.items()):
            if row.maybe_created:
                self._finish(index, RowStatus.UNCERTAIN, row, error=CANCELLED_IN_FLIGHT, quiet=quiet)
            else:
                self._finish(index, RowStatus.NOT_SENT, row, quiet=quiet,
                             error=_join(self._halt_reason(), row.last_error))
        for index in self._next:
            self._finish(index, RowStatus.NOT_SENT, _Row(), error=self._halt_reason(), quiet=quiet)

    async def _worker(self) -> None:
        """Send jobs until none is left; the first error (``on_outcome`` failing…) ends every worker.

        The error is kept for ``run`` to raise rather than raised through the task group, whose abort
        leaves the run's task marked as being cancelled on Python 3.11.
        """
        try:
            await self._work()
        except Exception as exc:
            if self._error is None:
                self._error = exc
            self._halt.set()
            for worker in self._workers:
                if worker is not asyncio.current_task():
                    worker.cancel()

    async def _work(self) -> None:
        for index in self._next:
            if self._halted():
                self._finish(index, RowStatus.NOT_SENT, _Row(), error=self._halt_reason())
            else:
                await self._send(index, self.jobs[index])

    async def _send(self, index: int, job: Job) -> None:
        row = self._active[index] = _Row()
        body = job.body if job.body is not None or job.url is not None else encode_payload(job.payload)
        session = self._session
        assert session is not None
        while True:
            if self._halted():
                self._end_halted(index, row)
                return
            if await self.limiter.acquire(self._halt) is None:
                continue
            try:
                headers = await self.auth.headers(session)
            except SendError as exc:
                self._fatal(str(exc))
                continue
            if self._halted() or (departed := await self._announce(job, row)) is None:
                continue
            before = row.maybe_created
            row.maybe_created = True
            sent_at = time.monotonic()
            attempt = await request_once(session, job.method, job.url or self.url, body, headers, self._request_timeout)
            if len(self._workers) < self.max_concurrency:
                self._grow(time.monotonic() - sent_at)
            if await self._settle(index, row, attempt, headers, departed, before):
                return

    async def _announce(self, job: Job, row: _Row) -> float | None:
        """Count the attempt, tell ``on_intent`` and let the pacer say when it may leave (``depart``):
        the time it leaves, or None (the attempt not counted) when the run stops meanwhile."""
        row.attempts += 1
        if self._on_intent is not None:
            try:
                durable = self._on_intent(job, row.attempts)
                if durable is not None:
                    await durable
            except JournalWriteError as exc:
                row.attempts -= 1
                self._fatal(str(exc))
                return None
        departed = None if self._halted() else await self.limiter.depart(self._halt)
        if departed is None or self._halted():
            row.attempts -= 1
            return None
        return departed

    def _grow(self, reply_time: float) -> None:
        """Add workers while the rate in force needs more requests in flight than there are workers."""
        self._reply_time = reply_time if not self._reply_time else 0.8 * self._reply_time + 0.2 * reply_time
        rate = self.limiter.rate
        if rate is None or self._halt.is_set():
            return
        wanted = min(self.max_concurrency, math.ceil(rate * self._reply_time * GROWTH_HEADROOM))
        assert self._group is not None
        for _ in range(wanted - len(self._workers)):
            self._workers.append(self._group.create_task(self._worker()))

    async def _settle(self, index: int, row: _Row, attempt: Attempt, headers: Mapping[str, str],
                      departed: float, before: bool) -> bool:
        """Apply ``policy.decide`` to one attempt; True when the row has its final outcome."""
        reply = None if attempt.failure is not None else self._interpret(attempt.status or 0, attempt.body)
        self._note_streaks(attempt, reply)
        row.last_status = reply.status if reply is not None else None
        if reply is not None and reply.verdict is Verdict.RETRY and reply.status == 429:
            self._throttled(self.limiter.penalize(attempt.retry_after, departed), attempt.retry_after)
        decision = self._decide(attempt, reply, row, before)
        if isinstance(decision, Retry) and decision.refresh:
            try:
                await self.auth.refresh(self._session, headers)  # type: ignore[arg-type]
            except SendError as exc:
                decision = self._decide(attempt, reply, row, before, refresh_failed=exc)
        row.maybe_created = decision.maybe_created
        if isinstance(decision, Retry):
            row.last_error = decision.error
            await self._pause(decision.after if decision.after is not None else backoff_delay(row.attempts))
            return False
        if decision.status is RowStatus.CREATED:
            self.limiter.note_success(departed)
        else:
            row.last_error = attempt.error if reply is None else reply.error or f"HTTP {reply.status}"
        self._finish(index, decision.status, row, task_id=decision.task_id, request_id=decision.request_id,
                     error=decision.error, revision=decision.revision)
        if decision.stop is not None:
            self._fatal(str(decision.stop))
        if attempt.failure is Failure.NOT_SENT:
            self._note_unreachable(attempt)
        return True

    def _decide(self, attempt: Attempt, reply: Reply | None, row: _Row, before: bool,
                refresh_failed: SendError | None = None) -> Retry | Final:
        return decide(attempt, reply, attempts=row.attempts, maybe_created=before, max_attempts=self.max_attempts,
                      retry_uncertain=self.retry_uncertain, provider=self.provider.name,
                      refresh_failed=refresh_failed)

    def _note_streaks(self, attempt: Attempt, reply: Reply | None) -> None:
        """Streaks across rows: a reply ends them; silent attempts in a row stop the run."""
        if reply is not None:
            self._unreachable_streak = self._silent_streak = 0
            if reply.status != 429:
                self._throttled_since = None
            return
        if attempt.failure is Failure.AMBIGUOUS:
            self._unreachable_streak = 0
            self._silent_streak = self._silent_streak + 1 if attempt.silent else 0
            if self._silent_streak >= max(3, self.concurrency):
                self._fatal(f"{self.host} took the requests but answered none of the last {self._silent_streak} "
                            f"within {self.timeout:g} s; those rows are uncertain (the tasks may exist) and the "
                            "others were not sent: check the provider's status and --base-url, then run again.")

    def _note_unreachable(self, attempt: Attempt) -> None:
        """A row given up because nothing could be sent: several in a row stop the run."""
        self._unreachable_streak += 1
        if self._unreachable_streak >= max(3, self.concurrency):
            self._fatal(f"{self.host} could not be reached ({attempt.error}) for "
                        f"{self._unreachable_streak} rows in a row, {self.max_attempts} attempts "
                        "each; check the network and --base-url, then run again.")

    def _throttled(self, pause: float, asked: float | None) -> None:
        """After a 429: stop the run when nothing but 429s would last beyond ``max_wait``."""
        now = time.monotonic()
        since = self._throttled_since = self._throttled_since or now
        wait = max(pause, asked or 0.0)
        if self.max_wait is not None and now + wait - since > self.max_wait:
            self._fatal(waited_too_long(self.provider.name, now - since, wait, self.max_wait))
        elif self._on_wait is not None and pause > 0:
            self._on_wait(pause)

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0 or self._halt.is_set():
            return
        try:
            await asyncio.wait_for(self._halt.wait(), seconds)
        except TimeoutError:
            pass

    def _end_halted(self, index: int, row: _Row) -> None:
        if row.maybe_created:
            self._finish(index, RowStatus.UNCERTAIN, row, error=(row.last_error or "") + MAY_EXIST)
        else:
            self._finish(index, RowStatus.NOT_SENT, row,
                         error=_join(self._halt_reason(), row.last_error))

    def _finish(self, index: int, status: RowStatus, row: _Row, *, task_id: str | None = None,
                request_id: str | None = None, error: str | None = None,
                quiet: bool = False, revision: str | None = None) -> None:
        error, task_id, request_id, revision = (None if text is None else self.auth.redact(text)
                                                for text in (error, task_id, request_id, revision))
        outcome = Outcome(self.jobs[index].row, status, task_id, request_id, row.last_status,
                          row.attempts, error, revision)
        self._outcomes[index] = outcome
        self._active.pop(index, None)
        if self._on_outcome is not None:
            try:
                self._on_outcome(outcome)
            except Exception:
                if not quiet:
                    raise


def _join(first: str, second: str | None) -> str:
    return first if not second else f"{first} (last error: {second})"


async def send_all(jobs: Sequence[Job], provider: Provider, auth: Auth, settings: EngineSettings, *,
                   on_intent: Callable[[Job, int], None] | None = None,
                   on_outcome: Callable[[Outcome], None] | None = None,
                   stop: asyncio.Event | None = None,
                   session: aiohttp.ClientSession | None = None) -> SendResult:
    """Create one task per job; return every job's outcome in job order.

    See ``Sender`` for the parameters' meaning. If the calling task is cancelled, ``on_outcome``
    is still called for every job without an outcome (in flight: ``uncertain``; not started:
    ``not_sent``) before ``CancelledError`` propagates.
    """
    sender = Sender(jobs, provider, auth, settings, on_intent=on_intent, on_outcome=on_outcome, stop=stop,
                    session=session)
    return await sender.run()
