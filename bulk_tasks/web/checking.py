"""Reading and checking an upload for the page: column matching, counts, problems and grid rows.

Everything here calls the library (``read_table``, ``match_columns``, ``prepare``, ``results_table``,
``summarize``, ``cell_errors``); the page never checks a cell itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..check.headers import header_key, is_results_column, match_columns
from ..errors import EmptyInputError, MissingColumnsError, SheetNotFoundError
from ..console.messages import confirmation_question, next_steps, problem_lines, rows_text
from ..report.summary import summarize
from ..report.table import cell_errors, results_table
from ..shape.prepare import Prepared, ReadOptions, prepare
from ..providers import Provider
from ..read.table import read_table
from ..statuses import Outcome, RowStatus

MAX_PAGE = 500
GRID_RESULT_COLUMNS = ("_status", "_task_id", "_error")


@dataclass
class Grid:
    """Rows the page shows a page at a time: spreadsheet row numbers, statuses, cells and marks."""

    frame: pd.DataFrame
    columns: list[str]
    marks: dict[tuple[int, str], str] = field(default_factory=dict)

    def page(self, offset: int, limit: int, only_problems: bool) -> dict[str, Any]:
        """One page of rows as JSON-ready data (every value text or null)."""
        frame = self.frame
        if only_problems:
            frame = frame.loc[~frame["_status"].isin(_GOOD)]
        limit = max(1, min(limit, MAX_PAGE))
        chunk = frame.iloc[max(0, offset): max(0, offset) + limit]
        rows = []
        for number, values in zip(chunk.index.tolist(), chunk[self.columns].itertuples(index=False)):
            marks = {str(i): self.marks[(number, name)] for i, name in enumerate(self.columns)
                     if (number, name) in self.marks}
            rows.append({"row": number, "cells": [_text(v) for v in values], "marks": marks})
        return {"columns": self.columns, "total": len(frame), "offset": offset, "rows": rows}


_GOOD = {RowStatus.CREATED.value, RowStatus.ALREADY_CREATED.value, RowStatus.DRY_RUN.value}


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


@dataclass
class Checked:
    """The outcome of checking the current upload with some reading options."""

    options: ReadOptions
    headers: list[str]
    matching: list[dict[str, Any]]
    sheets: list[str]
    sheet: str | None
    error: str | None = None
    view: dict[str, Any] = field(default_factory=dict)
    grid: Grid | None = None
    to_send: int = 0
    invalid: int = 0
    mapping: dict[str, str] | None = None


def visible_sheets(path: Path) -> list[str]:
    """The visible sheets of a workbook already read once (so it is a safe one), in order."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [item.name for item in book.sheets_metadata if str(item.visible).rsplit(".", 1)[-1] == "Visible"]


def _is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def suggest_field(header: str, provider: Provider) -> str | None:
    """The field whose name or alias is most like ``header`` (the did-you-mean), if any is close."""
    keys = {header_key(alias): spec.name for spec in provider.fields for alias in (spec.name, *spec.aliases)}
    close = difflib.get_close_matches(header_key(header), list(keys), n=1, cutoff=0.6)
    return keys[close[0]] if close else None


def check(path: Path, provider: Provider, options: ReadOptions,
          recall: Callable[[list[str]], dict[str, str]] | None = None) -> Checked:
    """Read, match and validate ``path``; raises the library's ``BulkTasksError`` for unusable input.

    Without a mapping in ``options``, ``recall`` may supply the one saved for these headers (the
    sheet is then checked again with it). The sheet is read once more only when columns are missing.
    """
    options.reading()
    mapping = options.mapping if isinstance(options.mapping, dict) and options.mapping else None
    options = replace(options, mapping=mapping)
    prepared, error = None, None
    try:
        prepared = prepare(path, provider, options)
        table = prepared.table
    except MissingColumnsError as exc:
        table, error = read_table(path, options.sheet), str(exc)
    except (EmptyInputError, SheetNotFoundError) as exc:
        sheets = visible_sheets(path) if _is_zip(path) else []
        if len(sheets) < 2:
            raise
        return Checked(options, [], [], sheets, options.sheet or sheets[0], error=str(exc))
    if mapping is None and recall is not None:
        saved = recall(table.headers)
        if saved:
            return check(path, provider, replace(options, mapping=saved))
    match = prepared.match if prepared else match_columns(table.headers, provider, mapping, require=False)
    matching = [{"header": header, "field": match.field_of.get(header),
                 "suggestion": None if header in match.field_of else suggest_field(header, provider)}
                for header in table.headers if not is_results_column(header)]
    sheets = visible_sheets(path) if table.format == "xlsx" else []
    checked = Checked(options, table.headers, matching, sheets, table.sheet, error=error, mapping=mapping)
    if prepared is not None:
        _validation(checked, prepared, provider)
    return checked


def _validation(checked: Checked, prepared: Prepared, provider: Provider) -> None:
    """Counts, problems in the CLI's sentences, and the grid of a prepared sheet."""
    outcomes = {row: Outcome(row, RowStatus.DRY_RUN) for row in prepared.payloads}
    frame = results_table(prepared, outcomes, dry_run=False)
    summary = summarize(frame, None, validating=True, warnings=prepared.warnings, notes=prepared.notes,
                        errors=prepared.errors)
    own = [name for name in checked.headers if not is_results_column(name)]
    checked.grid = Grid(frame, ["_status", *own], cell_errors(prepared))
    checked.to_send = len(prepared.payloads)
    checked.invalid = len(prepared.invalid_rows)
    lines = problem_lines(summary)
    checked.view = {"counts": summary.counts, "total": summary.total, "warnings": summary.warnings,
                    "notes": summary.notes, "headline": lines[0] if lines else " ".join(next_steps(summary)),
                    "problems": [line.strip() for line in lines[1:]], "invalid": checked.invalid,
                    "to_send": checked.to_send, "confirm": confirmations(checked.to_send, provider)}


def confirmations(count: int, provider: Provider) -> dict[str, str]:
    """The CLI's question before sending, for the sandbox and for the real endpoint, as the page asks it."""
    question = {where: confirmation_question(count, provider.name, url).removesuffix(" [y/N]")
                for where, url in (("sandbox", "the built-in sandbox (nothing reaches the real provider)"),
                                   ("real", provider.task_url(None)))}
    return question


def results_grid(path: Path) -> Grid:
    """The results file of a run as a grid: its statuses, task ids and errors, then the input's columns."""
    table = read_table(path)
    frame = table.frame
    if "_row" in frame:
        numbers = pd.to_numeric(frame["_row"], errors="coerce")
        frame = frame.set_axis(numbers.fillna(pd.Series(frame.index, index=frame.index)).astype(int).tolist())
    own = [name for name in table.headers if not is_results_column(name)]
    shown = [name for name in GRID_RESULT_COLUMNS if name in frame]
    return Grid(frame, [*shown, *own])


def results_view(grid: Grid) -> dict[str, Any]:
    """Counts by status and the problems grouped by status and reason, from a results grid."""
    frame = grid.frame
    counts = frame["_status"].fillna("").value_counts(sort=False).to_dict()
    unsent = frame.loc[~frame["_status"].isin(_GOOD)]
    groups = [f"{status}: {reason} ({rows_text(rows.index.tolist())})" for (status, reason), rows
              in unsent.groupby([unsent["_status"], unsent["_error"].fillna("no reason recorded")], sort=False)]
    return {"counts": {str(k): int(v) for k, v in counts.items()}, "total": len(frame), "problems": groups}
