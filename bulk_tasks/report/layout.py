"""How the results read: column order, column widths, the template's help per column, the Summary rows.

The order is the same for CSV and XLSX: ``_row`` (to find the row in the input), ``_status`` and
``_error`` first, then the input's own columns as they were, then the technical columns
(``_task_id``, ``_request_id``, ``_http_status``, ``_attempts``, ``_payload``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from .summary import status_counts
from .xlsx_cells import date_serial
from ..read.xlsx import column_letter
from .xlsx_writer import MAX_ROWS, Validation

if TYPE_CHECKING:
    from ..providers.fields import Field

LEADING_COLUMNS = ("_row", "_status", "_error")
TECHNICAL_COLUMNS = ("_task_id", "_request_id", "_http_status", "_attempts", "_payload")
#: Width limits in characters: most columns, and the wrapped ``_error`` column.
MAX_WIDTH = 50.0
ERROR_WIDTH = (30.0, 60.0)
#: Points per line of text in a row, and the tallest row Excel allows.
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0
#: Display formats of date cells: date alone, date and time to the minute, and with seconds.
DATE_FORMATS = {"date": "yyyy-mm-dd", "minutes": "yyyy-mm-dd hh:mm", "seconds": "yyyy-mm-dd hh:mm:ss"}
_DATE_TEXT = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(:\d\d)?)?")


@dataclass(frozen=True)
class ColumnLook:
    """How one results column is shown in the workbook."""

    width: float
    wrap: bool = False
    number_format: str | None = None
    dates: bool = False
    validation: Validation | None = None
    #: The number format the input workbook gave this column's dates (``Table.date_formats``).
    date_format: str | int | None = None


def column_order(columns: Sequence[str]) -> list[int]:
    """Positions of ``columns`` in results order (see the module docstring)."""
    names = list(columns)
    lead = [names.index(name) for name in LEADING_COLUMNS if name in names]
    technical = [names.index(name) for name in TECHNICAL_COLUMNS if name in names]
    other_results = [at for at, name in enumerate(names)
                     if name.startswith("_") and at not in lead and at not in technical]
    own = [at for at, name in enumerate(names) if not name.startswith("_")]
    return lead + own + technical + other_results


def column_looks(table: pd.DataFrame, order: Sequence[int], fields: Mapping[str, Field] | None = None,
                 provider: Any = None, date_formats: Mapping[str, str | int] | None = None) -> list[ColumnLook]:
    """Width, wrapping, format and help of each column in ``order``; ``fields`` maps headers to fields,
    ``date_formats`` headers to the number format of their date cells in the input workbook."""
    fields, date_formats = fields or {}, date_formats or {}
    looks = []
    for position, at in enumerate(order):
        name = str(table.columns[at])
        spec = fields.get(name)
        dates = (spec is not None and spec.kind.value == "datetime") or name in date_formats
        wrap = name == "_error"
        width = content_width(name, table.iloc[:, at].tolist(), dates, ERROR_WIDTH[1] if wrap else MAX_WIDTH)
        if wrap:
            width = max(width, ERROR_WIDTH[0])
        number_format = "@" if spec is not None and not dates else None
        validation = _validation(provider, spec, column_letter(position)) if spec is not None else None
        looks.append(ColumnLook(width, wrap, number_format, dates, validation, date_formats.get(name)))
    return looks


def content_width(header: str, values: list[Any], dates: bool = False, cap: float = MAX_WIDTH) -> float:
    """Characters needed by the header (bold, with its filter button) and the longest value, capped."""
    texts = [value for value in values if type(value) is str]
    longest = max(map(len, texts), default=0)
    if len(texts) < len(values):
        others = (len(str(value)) for value in values if value is not None and type(value) is not str)
        longest = max(longest, max(others, default=0))
    if dates:
        longest = max(longest, len(DATE_FORMATS["seconds"]))
    return float(min(cap, max(len(header) * 1.1 + 4, longest + 2, 6)))


def row_height(text: Any, width: float) -> float | None:
    """The height a row needs for ``text`` wrapped in a column ``width`` characters wide; None for one line.

    Written into the file because neither Excel nor LibreOffice fits rows to wrapped text on opening.
    """
    if type(text) is not str:
        return None
    per_line = max(width - 4, 10)
    lines = sum(-(-max(len(line), 1) // int(per_line)) for line in text.split("\n"))
    return min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT) if lines > 1 else None


def _validation(provider: Any, spec: Field, letter: str) -> Validation:
    from .templates import field_prompt

    cells = f"{letter}2:{letter}{MAX_ROWS}"
    prompt = field_prompt(provider, spec) if provider is not None else ""
    if spec.kind.value != "enum":
        return Validation(cells, prompt_title=spec.name[:32], prompt=prompt[:255])
    return Validation(cells, spec.choices, prompt_title=spec.name[:32], prompt=prompt[:255],
                      error_title=f"Not a valid {spec.name}"[:32],
                      error=f"{spec.name} must be one of: {', '.join(spec.choices)}. Pick one from the list."[:225])


def as_date(value: Any) -> tuple[datetime | None, str]:
    """``(moment, format kind)`` for an ISO date text Excel can hold as a date cell; ``(None, "")`` otherwise.

    Read back, the cell gives the same moment (``2026-12-01 09:00`` comes back as ``2026-12-01T09:00:00``),
    so the row's payload, and so its identity, are unchanged.
    """
    if type(value) is not str or not _DATE_TEXT.fullmatch(value):
        return None, ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, ""
    if date_serial(moment) is None:
        return None, ""
    kind = "date" if len(value) == 10 else "seconds" if moment.second else "minutes"
    return moment, kind


def summary_rows(table: pd.DataFrame, about: Sequence[tuple[str, Any]] = ()) -> list[tuple[Any, ...]]:
    """The Summary sheet, row by row: what the run was (``about``) and a blank row, then a header,
    rows per status, the total."""
    counts = status_counts(table["_status"])
    lead = [*about, ()] if about else []
    return [*lead, ("status", "rows"), *counts.items(), ("total", len(table))]
