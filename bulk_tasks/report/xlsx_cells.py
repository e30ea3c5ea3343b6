"""XLSX cells as XML text: escaping, text, number and date cells, built a column at a time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from ..read.xlsx import EXCEL_CELL_LIMIT

CUT_MARK = " … [cut: over Excel's limit]"
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Anything a text needs besides plain copying: XML escapes, illegal characters, a carriage return.
_NEEDS_ESCAPE = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9A-Fa-f]{4}_")
#: Excel reads ``_x0041_`` in a text as the character U+0041; ``_x005F_`` keeps such a text as written.
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE_BUT_NUL = re.compile(r"[&<>\r\x01-\x08\x0b\x0c\x0e-\x1f]")
_LOOKS_ESCAPED = re.compile(r"_x[0-9A-Fa-f]{4}_")
_SEPARATOR = "\x00"
_SPACE_AFTER_SEPARATOR = re.compile(r"\x00\s")
_EPOCH = datetime(1899, 12, 30)
_FIRST_TRUE_SERIAL_DATE = datetime(1900, 3, 1)


def escape_text(text: str) -> str:
    """``text`` as XML character data: escaped, illegal characters replaced, cut to Excel's cell limit."""
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 30] + CUT_MARK
    if _NEEDS_ESCAPE.search(text):
        text = ILLEGAL_XML.sub("\ufffd", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        text = _EXCEL_ESCAPE.sub("_x005F_", text.replace("\r", "&#13;"))
    return text


def escape_column(values: list[Any]) -> tuple[list[str | None], bool] | None:
    """Every value of a column of text (``None`` for empty cells) escaped as ``escape_text`` does, and
    whether any value starts or ends with white space (its cell then needs ``xml:space``).

    One joined string answers both questions, so that a plain column costs one ``join`` and two
    searches. ``None`` when the column holds anything but text and ``None``.
    """
    try:
        joined = _SEPARATOR.join(values)
        texts: list[Any] = values
    except TypeError:
        texts = ["" if value is None else value for value in values]
        try:
            joined = _SEPARATOR.join(texts)
        except TypeError:
            return None
    edges = _edge_space(joined)
    if _NEEDS_ESCAPE_BUT_NUL.search(joined) or ("_x" in joined and _LOOKS_ESCAPED.search(joined)) \
            or joined.count(_SEPARATOR) != len(values) - 1 or max(map(len, texts), default=0) > EXCEL_CELL_LIMIT:
        return [None if value is None else escape_text(value) for value in values], edges
    return values, edges


def _edge_space(joined: str) -> bool:
    """Whether a value of a joined column starts or ends with white space (searched forwards and
    backwards, as a search for a separator followed by a space is many times faster than the converse)."""
    return (joined[:1].isspace() or joined[-1:].isspace() or bool(_SPACE_AFTER_SEPARATOR.search(joined))
            or bool(_SPACE_AFTER_SEPARATOR.search(joined[::-1])))


def date_serial(moment: datetime) -> float | None:
    """Excel's serial number of ``moment`` (1900 date system); None before 1900-03-01, where Excel's
    serials are off by its 1900 leap-year bug."""
    if moment < _FIRST_TRUE_SERIAL_DATE or moment.tzinfo is not None:
        return None
    delta = moment - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def text_cells(letter: str, rows: Sequence[str], values: list[str | None], style: int = 0,
               edges: bool = True) -> list[str]:
    """``<c>`` elements of escaped text values; empty cells left out unless styled. ``edges``: some value
    may start or end with white space."""
    if edges:
        return [_text_cell(f"{letter}{row}", value, style) for row, value in zip(rows, values)]
    s = f' s="{style}"' if style else ""
    start, middle = f'<c r="{letter}', f'"{s} t="inlineStr"><is><t>'
    if not style:
        return [f"{start}{row}{middle}{value}</t></is></c>" if value is not None else ""
                for row, value in zip(rows, values)]
    return [f"{start}{row}{middle}{value}</t></is></c>" if value is not None else f'{start}{row}"{s}/>'
            for row, value in zip(rows, values)]


def number_cells(letter: str, rows: Sequence[str], values: list[Any], style: int = 0) -> list[str] | None:
    """``<c>`` elements of a column of whole numbers and ``None``; ``None`` if it holds anything else."""
    if not all(type(value) is int or value is None for value in values):
        return None
    s = f' s="{style}"' if style else ""
    return [f'<c r="{letter}{row}"{s}><v>{value}</v></c>' if value is not None else
            (f'<c r="{letter}{row}"{s}/>' if style else "") for row, value in zip(rows, values)]


def prepared_cells(letter: str, rows: Sequence[str], values: list[Any], bodies: dict[Any, str]) -> list[str]:
    """``<c>`` elements from a body per distinct value (``bodies[value]`` is everything after the reference,
    from the closing quote on); values without a body are left out."""
    start = f'<c r="{letter}'
    return [f"{start}{row}{bodies[value]}" if value in bodies else "" for row, value in zip(rows, values)]


def cell_body(value: Any, style: int = 0, date_style: int = 0) -> str | None:
    """What ``cell`` writes after ``<c r="A1``, for ``prepared_cells``; None for no cell at all."""
    whole = cell("", value, style, date_style)
    return whole[len('<c r="'):] if whole else None


def _text_cell(ref: str, escaped: str | None, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if escaped is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    space = ' xml:space="preserve"' if escaped != escaped.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def cell(ref: str, value: Any, style: int = 0, date_style: int = 0) -> str:
    """One ``<c>`` element for any value: text, a number, a boolean, a date (with ``date_style``)."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return _text_cell(ref, escape_text(value), style)
    if value is None or _is_missing(value):
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>' if value not in (float("inf"), float("-inf")) \
            else _text_cell(ref, repr(value), style)
    if isinstance(value, (datetime, date)):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        serial = date_serial(moment)
        if serial is not None:
            s = f' s="{style or date_style}"' if style or date_style else ""
            return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
    if hasattr(value, "item"):  # a numpy scalar
        return cell(ref, value.item(), style, date_style)
    return _text_cell(ref, escape_text(str(value)), style)


def _is_missing(value: Any) -> bool:
    """NaN, ``pd.NA`` and ``pd.NaT`` (without importing pandas)."""
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False
