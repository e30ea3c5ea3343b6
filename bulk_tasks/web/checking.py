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
from ..errors import BulkTasksError, EmptyInputError, MissingColumnsError, SheetNotFoundError
from ..console.wording import PAGE, PAGE_STATUSES
from ..console.messages import confirmation_question, next_steps, problem_lines, rows_text
from ..report.summary import Summary, exit_code_for, ordered_counts
from ..report.table import cell_errors, input_fields, results_table
from ..report.write import write_results
from ..shape.prepare import Edits, Prepared, ReadOptions, check_input, shape_checked, without_cycle_collection
from ..providers import Provider
from ..read.table import read_table
from ..statuses import RowStatus
from .lookups import PageLookups, first_look
from .sheet import Sheet

MAX_PAGE = 500
#: Values of each column shown beside its drop-down.
EXAMPLES = 3
GRID_RESULT_COLUMNS = ("_status", "_task_id", "_error")
CHECK_COLUMNS = ("_status", "_error")


@dataclass
class Grid:
    """Rows the page shows a page at a time: spreadsheet row numbers, statuses, cells and marks."""

    frame: pd.DataFrame
    columns: list[str]
    marks: dict[tuple[int, str], str] = field(default_factory=dict)
    #: Header → (row → what its reference resolved to); (row, header) → the workspace's values to choose from.
    shown: dict[str, dict[int, str]] = field(default_factory=dict)
    choices: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)

    def page(self, offset: int, limit: int, only_problems: bool, rows: list[int] | None = None,
             around: int | None = None) -> dict[str, Any]:
        """One page of rows as JSON-ready data (every value text or null): of ``rows`` when given, and
        the page holding row ``around`` when it is among them."""
        frame = self.frame if rows is None else self.frame.loc[rows]
        if only_problems:
            frame = frame.loc[~frame["_status"].isin(_GOOD)]
        limit = max(1, min(limit, MAX_PAGE))
        found = None
        if around is not None:
            at = int(frame.index.searchsorted(around))
            found = at < len(frame) and int(frame.index[at]) == around
            offset = (min(at, max(len(frame) - 1, 0)) // limit) * limit
        chunk = frame.iloc[max(0, offset): max(0, offset) + limit]
        page = {"columns": self.columns, "total": len(frame), "offset": offset,
                "rows": self.rows(chunk.index.tolist())}
        if found is not None:
            page["found"] = found
        return page

    def rows(self, numbers: list[int]) -> list[dict[str, Any]]:
        """The grid's rows ``numbers``: cells as text or null, the rule of each bad cell, what each reference
        resolved to, and the values offered for an unknown one."""
        chunk = self.frame.loc[numbers, self.columns]
        rows = []
        said = [name == "_error" for name in self.columns]
        shown = [(str(i), self.shown[name]) for i, name in enumerate(self.columns) if name in self.shown]
        for number, values in zip(numbers, chunk.itertuples(index=False)):
            marks = {str(i): PAGE.say(self.marks[(number, name)]) for i, name in enumerate(self.columns)
                     if (number, name) in self.marks}
            cells = [PAGE.say(text) if say and text else text for say, text in zip(said, map(_text, values))]
            row = {"row": number, "cells": cells, "marks": marks,
                   "resolved": {at: texts[number] for at, texts in shown if number in texts}}
            if self.choices:
                row["choices"] = {str(i): self.choices[(number, name)] for i, name in enumerate(self.columns)
                                  if (number, name) in self.choices}
            rows.append(row)
        return rows


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
    editable: Sheet | None = None
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
          recall: Callable[[list[str]], dict[str, str]] | None = None, edits: Edits | None = None,
          sandbox: bool = True) -> Checked:
    """Read, match and validate ``path``, its references looked up where it would go (``sandbox``: the demo
    workspace; ``lookups``); raises the library's ``BulkTasksError`` for unusable input. Without a mapping in
    ``options``, ``recall`` may supply the one saved for these headers (the sheet is then checked again
    with it). The sheet is read once more only when columns are missing."""
    options.reading()
    mapping = options.mapping if isinstance(options.mapping, dict) and options.mapping else None
    options = replace(options, mapping=mapping)
    prepared, error, lookups = None, None, None
    try:
        prepared, lookups = prepared_for_page(path, provider, options, edits, sandbox)
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
            return check(path, provider, replace(options, mapping=saved), edits=edits, sandbox=sandbox)
    try:
        field_of = (prepared.match if prepared else match_columns(table.headers, provider, mapping,
                                                                  require=False)).field_of
    except MissingColumnsError as exc:  # two columns chosen for one field: the drop-downs as chosen
        error, field_of = str(exc), dict(mapping or {})
    matching = [{"header": header, "field": field_of.get(header),
                 "suggestion": None if header in field_of else suggest_field(header, provider),
                 "examples": table.frame[header].dropna().head(EXAMPLES).tolist()}
                for header in table.headers if not is_results_column(header)]
    sheets = visible_sheets(path) if table.format == "xlsx" else []
    checked = Checked(options, table.headers, matching, sheets, table.sheet, error=error, mapping=mapping)
    if prepared is not None:
        _validation(checked, prepared, lookups)
    return checked


def prepared_for_page(path: Path, provider: Provider, options: ReadOptions, edits: Edits | None,
                      sandbox: bool) -> tuple[Prepared, PageLookups | None]:
    """``prepare`` with the references looked up for the page (``lookups.first_look``)."""
    with without_cycle_collection():
        checked_input = check_input(path, provider, options, edits=edits)
        lookups = first_look(checked_input, sandbox)
        return shape_checked(checked_input, lookups.references if lookups is not None else None), lookups


def _validation(checked: Checked, prepared: Prepared, lookups: PageLookups | None) -> None:
    """The grid of a prepared sheet (editable), its counts and problems."""
    frame = results_table(prepared, {}, dry_run=True, lazy_payloads=True)  # dry_run rows, no JSON built
    marks = cell_errors(prepared)
    own = [name for name in checked.headers if not is_results_column(name)]
    sheet = Sheet.of(prepared, frame, marks, lookups)
    checked.grid = Grid(frame, [*CHECK_COLUMNS, *own], marks, sheet.shown, sheet.choices)
    checked.editable = sheet
    revalidated(checked)


def revalidated(checked: Checked) -> None:
    """Counts, the problems in the CLI's sentences and the question before sending, from the sheet as it
    is now (after edits)."""
    sheet = checked.editable
    assert sheet is not None
    prepared = sheet.prepared
    errors = sheet.all_errors()
    counts = ordered_counts(sheet.counts)
    summary = Summary(counts, None, exit_code_for(counts, validating=True), warnings=prepared.warnings,
                      notes=prepared.notes, errors=errors, validating=True)
    checked.invalid = len(sheet.errors)
    checked.to_send = summary.counts.get(RowStatus.DRY_RUN.value, 0)
    lines = problem_lines(summary)
    kinds: dict[tuple[str, str], int] = {}
    for error in errors:
        kinds[(error.column, error.rule)] = kinds.get((error.column, error.rule), 0) + 1
    say = PAGE.say
    headline = lines[0] if lines else " ".join(next_steps(summary, words=PAGE))
    checked.view = {"counts": summary.counts, "total": summary.total, "warnings": list(map(say, summary.warnings)),
                    "notes": list(map(say, summary.notes)), "headline": say(headline),
                    "problems": [say(line.strip()) for line in lines[1:]], "invalid": checked.invalid,
                    "to_send": checked.to_send, "confirm": confirmations(checked.to_send, prepared.provider),
                    "kinds": [{"column": column, "rule": rule, "label": f"{column}: {say(rule)}", "rows": count}
                              for (column, rule), count in kinds.items()]}


def write_checked(target: Path, prepared: Prepared) -> None:
    """The checked workbook of a sheet: every row with its status, invalid cells highlighted with their rule,
    the sheet's columns with the help and the date cells (in the sheet's own formats) of the CLI's results."""
    write_results(target, results_table(prepared, {}, dry_run=True, lazy_payloads=True), cell_errors(prepared),
                  fields=input_fields(prepared), provider=prepared.provider,
                  date_formats=prepared.table.date_formats)


def confirmations(count: int, provider: Provider) -> dict[str, str]:
    """The CLI's question before sending, for the sandbox and for the real endpoint, as the page asks it."""
    question = {where: confirmation_question(count, provider.display_name(), url).removesuffix(" [y/N]")
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
    groups = [f"{PAGE_STATUSES.get(status, status)}: {PAGE.say(reason)} ({rows_text(rows.index.tolist())})"
              for (status, reason), rows
              in unsent.groupby([unsent["_status"], unsent["_error"].fillna("no reason recorded")], sort=False)]
    return {"counts": {str(k): int(v) for k, v in counts.items()}, "total": len(frame), "problems": groups}


def warm_up(folder: Path) -> None:
    """Check one example row of each provider once, so that the first sheet a person drops does not pay
    for what Python loads on first use (the checks' schema, phone metadata, time zones)."""
    import csv

    from ..providers import PROVIDERS, get_provider

    folder.mkdir(parents=True, exist_ok=True)
    for name in sorted(PROVIDERS):
        provider = get_provider(name)
        path = folder / f"warm-up-{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([spec.name for spec in provider.fields])
            writer.writerow([spec.example for spec in provider.fields])
        try:
            check(path, provider, ReadOptions(timezone="UTC"))
        except BulkTasksError:
            pass  # an example that is not valid warms up just as well
        finally:
            path.unlink(missing_ok=True)
