"""The openpyxl XLSX results writer as it was before the streaming writer, kept as the reference the
streaming writer's output is compared with, cell by cell (``test_xlsx_writer.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from bulk_tasks.read.xlsx import EXCEL_CELL_LIMIT
from bulk_tasks.report.summary import status_counts
from bulk_tasks.statuses import RowStatus

STATUS_COLOURS = {
    RowStatus.CREATED: "C6EFCE", RowStatus.ALREADY_CREATED: "DDEBF7", RowStatus.DRY_RUN: "DDEBF7",
    RowStatus.INVALID: "FFC7CE", RowStatus.FAILED: "FFC7CE", RowStatus.UNCERTAIN: "FFEB9C",
    RowStatus.NOT_SENT: "EDEDED",
}
INVALID_FILL = "FFC7CE"


def write_reference_xlsx(path: Path, table: pd.DataFrame, cell_errors: Mapping[tuple[int, str], str]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Results")
    sheet.freeze_panes = "A2"
    columns = list(table.columns)
    bold = Font(bold=True)
    sheet.append([_styled(WriteOnlyCell(sheet, value=name), font=bold) for name in columns])
    fills = {status: PatternFill("solid", fgColor=colour) for status, colour in STATUS_COLOURS.items()}
    invalid_fill = PatternFill("solid", fgColor=INVALID_FILL)
    status_at = columns.index("_status")
    row_at = columns.index("_row")
    errors_by_row: dict[int, dict[str, str]] = {}
    for (row, header), rule in cell_errors.items():
        errors_by_row.setdefault(row, {})[header] = rule
    for values in table.itertuples(index=False, name=None):
        cells: list[Any] = [_xlsx_value(sheet, value) for value in values]
        status = values[status_at]
        if status in fills:
            cells[status_at] = _styled(_as_cell(sheet, cells[status_at]), fill=fills[status])
        for header, rule in errors_by_row.get(int(values[row_at]), {}).items():
            at = columns.index(header)
            cell = _styled(_as_cell(sheet, cells[at]), fill=invalid_fill)
            cell.comment = Comment(rule, "bulk-tasks")
            cells[at] = cell
        sheet.append(cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(table) + 1}"
    summary = workbook.create_sheet("Summary")
    summary.append([_styled(WriteOnlyCell(summary, value="status"), font=bold),
                    _styled(WriteOnlyCell(summary, value="rows"), font=bold)])
    for status, count in status_counts(table["_status"]).items():
        summary.append([status, count])
    summary.append(["total", len(table)])
    workbook.save(path)


def _as_cell(sheet: Any, value: Any) -> Any:
    return value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)


def _styled(cell: Any, **styles: Any) -> Any:
    for name, style in styles.items():
        setattr(cell, name, style)
    return cell


def _xlsx_value(sheet: Any, value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 30] + " … [cut: over Excel's limit]"
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text
