"""Row statuses of the results file and the process exit codes: the contract in DESIGN.md."""

from __future__ import annotations

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


#: Statuses that count as success for the exit code of a run.
DONE_STATUSES = frozenset({RowStatus.CREATED, RowStatus.ALREADY_CREATED})


class ExitCode(IntEnum):
    """Process exit codes."""

    OK = 0
    SOME_ROWS_FAILED = 1
    USAGE = 2
    INTERRUPTED = 130
