"""The run's summary: counts per status, the exit code, what went wrong, as the library API returns it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..statuses import DONE_STATUSES, ExitCode, RowStatus

if TYPE_CHECKING:
    import pandas as pd

    from ..check.rows import RowError


@dataclass
class Summary:
    """The result of ``validate_file`` or ``run_import``: counts, where the results are, the exit code."""

    counts: dict[str, int]
    results_path: Path | None
    exit_code: ExitCode
    elapsed: float = 0.0
    sent: int = 0
    stopped_reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: How values were read (the time zone of dates without one), one sentence each.
    notes: list[str] = field(default_factory=list)
    #: The IANA zone dates without one were read in.
    timezone: str | None = None
    errors: list[RowError] = field(default_factory=list)
    problems: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    #: A validate or dry run (nothing was meant to be sent).
    validating: bool = False

    @property
    def interrupted(self) -> bool:
        """The run was stopped by Ctrl-C."""
        return self.exit_code == ExitCode.INTERRUPTED

    @property
    def total(self) -> int:
        """Number of data rows."""
        return sum(self.counts.values())


def exit_code_for(counts: Mapping[str, int], *, validating: bool) -> ExitCode:
    """0 when every row is done (or, validating, valid); 1 otherwise."""
    good = {RowStatus.DRY_RUN.value, *DONE_STATUSES} if validating else set(DONE_STATUSES)
    return ExitCode.OK if all(status in good for status in counts) else ExitCode.SOME_ROWS_FAILED


def summarize(table: pd.DataFrame, results_path: Path | None, *, validating: bool, **extra: Any) -> Summary:
    """The ``Summary`` of a results table."""
    counts = status_counts(table["_status"])
    return Summary(counts, results_path, exit_code_for(counts, validating=validating),
                   problems=_problems(table), validating=validating, **extra)


_UNSENT = (RowStatus.FAILED.value, RowStatus.UNCERTAIN.value, RowStatus.NOT_SENT.value)


def _problems(table: pd.DataFrame) -> dict[tuple[str, str], list[int]]:
    """(status, reason) → rows, for the rows that did not go through and are not invalid."""
    unsent = table.loc[table["_status"].isin(_UNSENT), ["_status", "_error", "_row"]]
    if unsent.empty:
        return {}
    reasons = unsent["_error"].fillna("no reason recorded")
    grouped = unsent.groupby([unsent["_status"], reasons], sort=False)["_row"]
    return {key: [int(row) for row in rows] for key, rows in grouped}


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many rows have each status, in the contract's order, zeros left out."""
    return ordered_counts(Counter(statuses))


def ordered_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """``counts`` by status in the contract's order, zeros left out."""
    return {status.value: counts[status.value] for status in RowStatus if counts.get(status.value)}
