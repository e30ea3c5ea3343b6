"""Row statuses, the outcome of one row, and the process exit codes: the contract the README documents
(its "The results file" and "Exit codes" sections)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class RowStatus(StrEnum):
    """What happened to one input row; the ``_status`` column."""

    CREATED = "created"
    ALREADY_CREATED = "already_created"
    INVALID = "invalid"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    NOT_SENT = "not_sent"
    DRY_RUN = "dry_run"
    #: Taken back by ``undo`` (Quo: deleted; Travtus: ``status: deleted``), or found already gone.
    DELETED = "deleted"
    #: Created earlier, but the row's fields now differ from what was sent; nothing sent (``run --update`` sends it).
    CHANGED = "changed"
    #: Created earlier; its changed fields were sent by ``run --update``.
    UPDATED = "updated"


#: Statuses that count as success for the exit code of a run.
DONE_STATUSES = frozenset({RowStatus.CREATED, RowStatus.ALREADY_CREATED, RowStatus.UPDATED})


@dataclass(slots=True)
class Outcome:
    """What happened to one row: the results-file columns ``_status`` … ``_error``."""

    row: int
    status: RowStatus
    task_id: str | None = None
    request_id: str | None = None
    http_status: int | None = None
    attempts: int = 0
    error: str | None = None
    #: The task's revision in the provider's reply, when it gives one (Quo).
    revision: str | None = None


class ExitCode(IntEnum):
    """Process exit codes."""

    OK = 0
    SOME_ROWS_FAILED = 1
    USAGE = 2
    INTERRUPTED = 130
