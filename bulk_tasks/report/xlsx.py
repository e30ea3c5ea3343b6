"""The XLSX results workbook: a ``Results`` sheet a person can read and fix rows in, and a ``Summary``.

``Results`` has a bold frozen header with an autofilter, columns as wide as their content (capped),
``_error`` wrapped, statuses coloured, invalid cells highlighted with a comment stating the rule, and
on every column that feeds a field the help the template gives (drop-downs, prompts, text format for
IDs and phones, real date cells). Written by ``xlsx_writer`` in chunks of rows, column by column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..record.guard import FINGERPRINT_PROPERTY, xlsx_fingerprint
from .layout import DATE_FORMATS, ColumnLook, as_date, column_looks, row_height, summary_rows
from ..statuses import RowStatus
from .xlsx_cells import cell, cell_body, escape_column, number_cells, prepared_cells, text_cells
from ..read.xlsx import column_letter
from .xlsx_writer import Sheet, Styles, write_workbook

STATUS_COLOURS = {
    RowStatus.CREATED: "C6EFCE", RowStatus.ALREADY_CREATED: "DDEBF7", RowStatus.DRY_RUN: "DDEBF7",
    RowStatus.INVALID: "FFC7CE", RowStatus.FAILED: "FFC7CE", RowStatus.UNCERTAIN: "FFEB9C",
    RowStatus.NOT_SENT: "EDEDED", RowStatus.DELETED: "EDEDED", RowStatus.CHANGED: "FFEB9C",
    RowStatus.UPDATED: "C6EFCE",
}
INVALID_FILL = "FFC7CE"
CHUNK_ROWS = 5_000


def write_results_xlsx(path: Path, table: pd.DataFrame, order: Sequence[int],
                       cell_errors: Mapping[tuple[int, str], str], looks: Sequence[ColumnLook] | None = None,
                       about: Sequence[tuple[str, Any]] = ()) -> None:
    """Write ``table``'s columns in ``order`` to a results workbook at ``path``, fingerprinted
    (``results_guard``) so that changes made to it later are noticed; ``about``
    (``provenance.run_description``) heads the Summary sheet."""
    looks = list(looks) if looks is not None else column_looks(table, order)
    styles = Styles()
    header = [table.columns[at] for at in order]
    plain = styles.add(named=True)
    base = [styles.add(number_format=look.number_format, wrap=look.wrap) if look.number_format or look.wrap
            else plain for look in looks]
    comments = _comment_cells(table, header, cell_errors)
    results = Sheet("Results", _result_rows(table, order, header, base, looks, comments, styles),
                    (len(table) + 1, len(order)), widths=[look.width for look in looks], column_styles=base,
                    freeze_header=True, autofilter=True,
                    validations=[look.validation for look in looks if look.validation is not None],
                    comments=[(row, column, text) for (row, column), text in sorted(comments.items())],
                    ignore_numbers_as_text=any(look.number_format == "@" for look in looks))
    rows = summary_rows(table, about)
    summary = Sheet("Summary", [_summary_xml(rows, styles.add(bold=True), len(about), plain)], (len(rows), 2),
                    widths=[34, 40] if about else [18, 12])
    write_workbook(path, [results, summary], styles,
                   lambda parts: {FINGERPRINT_PROPERTY: xlsx_fingerprint(parts)})


def _comment_cells(table: pd.DataFrame, header: list[str],
                   cell_errors: Mapping[tuple[int, str], str]) -> dict[tuple[int, int], str]:
    """(sheet row, column position) → rule, for the invalid cells of rows present in ``table``."""
    if not cell_errors:
        return {}
    rows = sorted({row for row, _ in cell_errors})
    positions = pd.Index(table["_row"]).get_indexer(rows)
    sheet_row = {row: int(at) + 2 for row, at in zip(rows, positions) if at >= 0}
    column_of = {name: at for at, name in enumerate(header)}
    return {(sheet_row[row], column_of[name]): rule for (row, name), rule in cell_errors.items()
            if row in sheet_row and name in column_of}


def _result_rows(table: pd.DataFrame, order: Sequence[int], header: list[str], base: list[int],
                 looks: Sequence[ColumnLook], comments: Mapping[tuple[int, int], str], styles: Styles) -> Any:
    bold = styles.add(bold=True)
    letters = [column_letter(at) for at in range(len(order))]
    yield "<row r=\"1\">" + "".join(cell(f"{letter}1", name, bold) for letter, name in zip(letters, header)) + "</row>"
    status_at = header.index("_status")
    status_styles = {status.value: styles.add(fill=colour) for status, colour in STATUS_COLOURS.items()}
    invalid = {at: styles.add(fill=INVALID_FILL, number_format=looks[at].number_format, wrap=looks[at].wrap)
               for at in {column for _, column in comments}}
    date_styles = [_date_styles(look, styles) for look in looks]
    arrays = [table.iloc[:, at].to_numpy() for at in order]
    for start in range(0, len(table), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(table))
        numbers = [str(row) for row in range(start + 2, stop + 2)]
        columns = []
        for at, letter in enumerate(letters):
            values = arrays[at][start:stop].tolist()
            if at == status_at:
                columns.append(prepared_cells(letter, numbers, values, _bodies(values, status_styles, base[at])))
            else:
                columns.append(_column_cells(letter, numbers, values, base[at], looks[at], date_styles[at]))
        for (row, at), _rule in comments.items():
            if start + 2 <= row < stop + 2:
                value = arrays[at][row - 2]
                columns[at][row - 2 - start] = cell(f"{letters[at]}{row}", value, invalid[at])
        yield "".join(f'{opener}{"".join(cells)}</row>' for opener, cells in zip(_row_openers(
            numbers, arrays, looks, start, stop), zip(*columns)))


def _row_openers(numbers: list[str], arrays: list[Any], looks: Sequence[ColumnLook], start: int,
                 stop: int) -> list[str]:
    """``<row>`` tags, tall enough for the wrapped columns' text."""
    openers = [f'<row r="{row}">' for row in numbers]
    for at, look in enumerate(looks):
        if not look.wrap:
            continue
        for offset, text in enumerate(arrays[at][start:stop].tolist()):
            height = row_height(text, look.width)
            if height is not None:
                openers[offset] = f'<row r="{numbers[offset]}" ht="{height:g}" customHeight="1">'
    return openers


def _column_cells(letter: str, numbers: list[str], values: list[Any], style: int, look: ColumnLook,
                  date_styles: Mapping[str, int]) -> list[str]:
    if look.dates:
        return prepared_cells(letter, numbers, values, _date_bodies(values, style, date_styles))
    escaped = escape_column(values)
    if escaped is not None:
        return text_cells(letter, numbers, escaped[0], style, edges=escaped[1])
    whole = number_cells(letter, numbers, values, style)
    if whole is not None:
        return whole
    return [cell(f"{letter}{row}", value, style) for row, value in zip(numbers, values)]


def _bodies(values: list[Any], styles: Mapping[Any, int], default: int) -> dict[Any, str]:
    """One cell body per distinct value, styled by value (the status column)."""
    bodies = {}
    for value in set(values):
        body = cell_body(value, styles.get(value, default))
        if body is not None:
            bodies[value] = body
    return bodies


def _date_bodies(values: list[Any], style: int, date_styles: Mapping[str, int]) -> dict[Any, str]:
    """One cell body per distinct value of a date column: a date cell where the text is an ISO date."""
    bodies = {}
    for value in set(values):
        moment, kind = as_date(value)
        body = cell_body(value, style) if moment is None else cell_body(moment, date_styles[kind])
        if body is not None:
            bodies[value] = body
    return bodies


def _date_styles(look: ColumnLook, styles: Styles) -> dict[str, int]:
    """Date kind → style, for a date column: the input workbook's own format, else an ISO one by kind."""
    if not look.dates:
        return {}
    if look.date_format is not None:
        return dict.fromkeys(DATE_FORMATS, styles.add(number_format=look.date_format))
    return {kind: styles.add(number_format=code) for kind, code in DATE_FORMATS.items()}


def _summary_xml(rows: list[tuple[Any, ...]], bold: int, about: int = 0, plain: int = 0) -> str:
    """The Summary rows: ``about`` lines (labels bold), then the counts under a bold header."""
    header = about + 1 + (1 if about else 0)
    lines = []
    for number, values in enumerate(rows, start=1):
        lines.append(f'<row r="{number}">' + "".join(
            cell(f"{column_letter(at)}{number}", value,
                 bold if number == header or (number <= about and at == 0) else plain)
            for at, value in enumerate(values)) + "</row>")
    return "".join(lines)
