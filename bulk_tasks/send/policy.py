"""The retry policy as one pure function: what one attempt means for its row.

``decide`` takes one attempt (a reply as the provider reads it, or a network failure and what it
proves) and the row's state, and says either ``Retry`` (after how long) or ``Final`` (the row's
outcome, with the ``SendError`` that stops the whole run when the answer dooms every other row). No
sockets, no clock, no randomness: ``Retry.after`` None means "the engine's backoff for this attempt".
An expired token is ``Retry(refresh=True)``: the engine (``engine.Sender``) renews the token, and when
that fails asks ``decide`` again with ``refresh_failed`` set, which ends the row and stops the run. The
engine applies the decisions; what spans rows (the shared pause after a 429, the single-flight token
renewal itself, streaks of unreachable or silent attempts) stays there.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AuthenticationError, NetworkError, QuotaError, SendError
from ..providers.base import Reply, Verdict
from ..statuses import RowStatus
from .transport import Attempt, Failure

MAY_EXIST = "; the task may have been created: check in the provider before sending this row again"


@dataclass(frozen=True, slots=True)
class Retry:
    """Send the row again, after ``after`` seconds (None: exponential backoff by attempt number);
    ``refresh``: renew the token first (the provider said it expired)."""

    error: str | None
    maybe_created: bool
    after: float | None = None
    refresh: bool = False


@dataclass(frozen=True, slots=True)
class Final:
    """The row's outcome; ``stop``, when set, ends the run (no new request; the rest ``not_sent``)."""

    status: RowStatus
    error: str | None
    maybe_created: bool
    task_id: str | None = None
    request_id: str | None = None
    stop: SendError | None = None
    revision: str | None = None


def decide(attempt: Attempt, reply: Reply | None, *, attempts: int, maybe_created: bool, max_attempts: int,
           retry_uncertain: bool, provider: str, refresh_failed: SendError | None = None) -> Retry | Final:
    """What ``attempt`` (the ``attempts``-th of its row) means. ``reply``: ``provider.interpret`` of its
    response (None for a network failure); ``maybe_created``: whether an earlier attempt may have
    created the task; ``refresh_failed``: why the token could not be renewed after this reply said it
    had expired."""
    if reply is None:
        return _failure(attempt, attempts=attempts, maybe_created=maybe_created, max_attempts=max_attempts,
                        retry_uncertain=retry_uncertain)
    if reply.verdict is Verdict.CREATED:
        return Final(RowStatus.CREATED, None, True, task_id=reply.task_id, request_id=reply.request_id,
                     revision=reply.revision)
    error = reply.error or f"HTTP {reply.status}"
    if reply.verdict is Verdict.UNCERTAIN:
        return _ambiguous(error, attempts, max_attempts, retry_uncertain)
    if reply.verdict is Verdict.RETRY:
        after = 0.0 if reply.status == 429 else attempt.retry_after
        return _again(error, attempts, max_attempts, maybe_created, after)
    if reply.verdict is Verdict.TOKEN_EXPIRED:
        if refresh_failed is not None:
            return Final(_not_created(maybe_created), error, maybe_created, stop=refresh_failed)
        decision = _again(error, attempts, max_attempts, maybe_created, 0.0)
        return Retry(error, maybe_created, 0.0, refresh=True) if isinstance(decision, Retry) else decision
    return Final(_not_created(maybe_created), error, maybe_created, stop=_fatal_stop(reply, error, provider))


def _failure(attempt: Attempt, *, attempts: int, maybe_created: bool, max_attempts: int,
             retry_uncertain: bool) -> Retry | Final:
    error = attempt.error
    if attempt.failure is Failure.AMBIGUOUS:
        return _ambiguous(error, attempts, max_attempts, retry_uncertain)
    if attempt.failure is Failure.HOPELESS:
        return Final(_not_created(maybe_created), error, maybe_created, stop=NetworkError(f"{error}."))
    if attempts < max_attempts:
        return Retry(error, maybe_created)
    return Final(_not_created(maybe_created), gave_up(error, attempts), maybe_created)


def _ambiguous(error: str | None, attempts: int, max_attempts: int, retry_uncertain: bool) -> Retry | Final:
    if retry_uncertain:
        return _again(error, attempts, max_attempts, True, None)
    return Final(RowStatus.UNCERTAIN, (error or "no usable reply") + MAY_EXIST, True)


def _again(error: str | None, attempts: int, max_attempts: int, maybe_created: bool,
           after: float | None) -> Retry | Final:
    if attempts >= max_attempts:
        return Final(_not_created(maybe_created), gave_up(error, attempts) + (MAY_EXIST if maybe_created else ""),
                     maybe_created)
    return Retry(error, maybe_created, after)


def _fatal_stop(reply: Reply, error: str, provider: str) -> SendError | None:
    name = provider.capitalize()
    if reply.verdict is Verdict.FATAL_AUTH:
        return AuthenticationError(f"{name} refused the credentials (HTTP {reply.status}: {error}); check the "
                                   "API key or token in the environment, then run again.")
    if reply.verdict is Verdict.FATAL_QUOTA:
        return QuotaError(f"{name} says the account's limit is reached (HTTP {reply.status}: {error}); no "
                          "further row can be created until the limit is raised or tasks are closed.")
    return None


def _not_created(maybe_created: bool) -> RowStatus:
    return RowStatus.UNCERTAIN if maybe_created else RowStatus.FAILED


def gave_up(error: str | None, attempts: int) -> str:
    """The error of a row given up after ``attempts`` attempts."""
    return f"{error} (gave up after {attempts} attempts)"
