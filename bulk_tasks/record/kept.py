"""A results file is a record too: with its journal gone, it still says which tasks exist.

A tidy user may delete the ``.journal.jsonl`` they do not recognise. Running the same input again
would then send every row once more, and replace the results file that listed the tasks created. So
when the journal is missing but the results file bulk-tasks wrote is intact and lists rows
``created``, ``already_created`` or ``uncertain``, the command stops with a sentence naming both
files; given as the input, that results file is read by its ``_status`` column as usual.
"""

from __future__ import annotations

import csv
import shlex
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ResumeError
from .guard import unchanged_since_written
from .journal import journal_path

#: The statuses that say a task may exist in the provider.
EXISTING = ("created", "already_created", "uncertain")
STATUS_COLUMN = "_status"


def check_journal_kept(results: Path, input_path: Path, command: str, provider: str) -> None:
    """Refuse to run ``input_path`` again when the results file lists tasks but their journal is gone."""
    journal = journal_path(results)
    if journal.exists() or not results.is_file() or _same_file(results, input_path):
        return
    if not unchanged_since_written(results):
        return
    counts = Counter(status for status in _statuses(results) if status in EXISTING)
    if not counts:
        return
    listed = sum(counts.values())
    doing = "validating" if command == "validate" else "running"
    raise ResumeError(
        f"{results} lists {listed} task(s) as created or uncertain, but the journal beside it, {journal.name}, is "
        f"missing, so {doing} {input_path.name} again would not know they exist (and would replace that list); "
        f"nothing was done. Restore {journal.name} (from the recycle bin or a backup), or give the results file "
        f"as the input: bulk-tasks {command} {shlex.quote(str(results))} --provider {provider} (rows it lists "
        "as created are never sent again).")


def _statuses(path: Path) -> Iterator[str]:
    """The ``_status`` column of a results file (its first sheet for a workbook), read row by row."""
    rows: Iterator[list[Any]] = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    header = next(rows, [])
    if STATUS_COLUMN not in header:
        return
    at = header.index(STATUS_COLUMN)
    for row in rows:
        if at < len(row):
            yield str(row[at])


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    yield from book.get_sheet_by_index(0).iter_rows()


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False
