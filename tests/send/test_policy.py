"""The retry policy as a table: one attempt and the row's state in, retry or final outcome (and stop) out."""

from __future__ import annotations

import pytest

from bulk_tasks.errors import AuthenticationError, NetworkError, QuotaError
from bulk_tasks.send.policy import MAY_EXIST, Final, Retry, decide
from bulk_tasks.providers.base import Reply, Verdict
from bulk_tasks.statuses import RowStatus
from bulk_tasks.send.transport import Attempt, Failure

CREATED, FAILED, UNCERTAIN = RowStatus.CREATED, RowStatus.FAILED, RowStatus.UNCERTAIN


def reply(verdict: Verdict, status: int, error: str | None = "boom") -> Reply:
    return Reply(verdict, status, task_id="T1" if verdict is Verdict.CREATED else None, error=error)


def failure(kind: Failure, error: str = "no reply within 5 s") -> Attempt:
    return Attempt(failure=kind, error=error)


#: (attempt, reply, attempts so far, an earlier attempt may have created it, --retry-uncertain) -> expected
TABLE = [
    # a reply that created the task
    (Attempt(201), reply(Verdict.CREATED, 201), 1, False, False, Final(CREATED, None, True, task_id="T1")),
    # 429: retried at once (the shared limiter pauses everyone); given up after the last attempt
    (Attempt(429, retry_after=60), reply(Verdict.RETRY, 429), 1, False, False, Retry("boom", False, 0.0)),
    (Attempt(429), reply(Verdict.RETRY, 429), 5, False, False, Final(FAILED, "boom (gave up after 5 attempts)", False)),
    (Attempt(429), reply(Verdict.RETRY, 429), 5, True, False,
     Final(UNCERTAIN, "boom (gave up after 5 attempts)" + MAY_EXIST, True)),
    # 503: after its Retry-After, else the backoff (None)
    (Attempt(503, retry_after=7), reply(Verdict.RETRY, 503), 2, False, False, Retry("boom", False, 7.0)),
    (Attempt(503), reply(Verdict.RETRY, 503, None), 2, False, False, Retry("HTTP 503", False, None)),
    # an expired token: again at once, once the engine has renewed it; given up after the last attempt
    (Attempt(401), reply(Verdict.TOKEN_EXPIRED, 401), 1, False, False, Retry("boom", False, 0.0, refresh=True)),
    (Attempt(401), reply(Verdict.TOKEN_EXPIRED, 401), 2, True, False, Retry("boom", True, 0.0, refresh=True)),
    (Attempt(401), reply(Verdict.TOKEN_EXPIRED, 401), 5, False, False,
     Final(FAILED, "boom (gave up after 5 attempts)", False)),
    # refused: failed, or uncertain when an earlier attempt may have created it
    (Attempt(400), reply(Verdict.REFUSED, 400), 1, False, False, Final(FAILED, "boom", False)),
    (Attempt(400), reply(Verdict.REFUSED, 400), 2, True, False, Final(UNCERTAIN, "boom", True)),
    # ambiguous: uncertain, or retried with --retry-uncertain
    (Attempt(500), reply(Verdict.UNCERTAIN, 500), 1, False, False, Final(UNCERTAIN, "boom" + MAY_EXIST, True)),
    (Attempt(500), reply(Verdict.UNCERTAIN, 500), 1, False, True, Retry("boom", True, None)),
    (failure(Failure.AMBIGUOUS), None, 1, False, False, Final(UNCERTAIN, "no reply within 5 s" + MAY_EXIST, True)),
    (failure(Failure.AMBIGUOUS), None, 5, False, True,
     Final(UNCERTAIN, "no reply within 5 s (gave up after 5 attempts)" + MAY_EXIST, True)),
    # nothing left the machine: retried with backoff, then failed (no "may exist")
    (failure(Failure.NOT_SENT, "refused"), None, 1, False, False, Retry("refused", False, None)),
    (failure(Failure.NOT_SENT, "refused"), None, 5, False, False,
     Final(FAILED, "refused (gave up after 5 attempts)", False)),
    (failure(Failure.NOT_SENT, "refused"), None, 5, True, False,
     Final(UNCERTAIN, "refused (gave up after 5 attempts)", True)),
]


@pytest.mark.parametrize(("attempt", "answer", "attempts", "maybe", "retry_uncertain", "expected"), TABLE)
def test_the_policy_table(attempt, answer, attempts, maybe, retry_uncertain, expected):
    assert decide(attempt, answer, attempts=attempts, maybe_created=maybe, max_attempts=5,
                  retry_uncertain=retry_uncertain, provider="quo") == expected


@pytest.mark.parametrize(("attempt", "answer", "kind", "words"), [
    (Attempt(401), reply(Verdict.FATAL_AUTH, 401), AuthenticationError, "Quo refused the credentials (HTTP 401: boom)"),
    (Attempt(402), reply(Verdict.FATAL_QUOTA, 402), QuotaError, "Quo says the account's limit is reached (HTTP 402"),
    (failure(Failure.HOPELESS, "certificate verify failed"), None, NetworkError, "certificate verify failed."),
])
def test_answers_that_doom_every_row_stop_the_run_with_an_exception_type(attempt, answer, kind, words):
    decision = decide(attempt, answer, attempts=1, maybe_created=False, max_attempts=5, retry_uncertain=False,
                      provider="quo")
    assert isinstance(decision, Final) and decision.status is FAILED
    assert type(decision.stop) is kind and str(decision.stop).startswith(words)


@pytest.mark.parametrize(("maybe", "status"), [(False, FAILED), (True, UNCERTAIN)])
def test_a_token_that_cannot_be_renewed_ends_the_row_and_stops_the_run(maybe, status):
    refused = AuthenticationError("a fixed token cannot be renewed")
    decision = decide(Attempt(401), reply(Verdict.TOKEN_EXPIRED, 401), attempts=1, maybe_created=maybe,
                      max_attempts=5, retry_uncertain=False, provider="travtus", refresh_failed=refused)
    assert decision == Final(status, "boom", maybe, stop=refused)
