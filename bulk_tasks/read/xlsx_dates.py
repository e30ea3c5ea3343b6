"""The number format of each date column of a workbook, so that the results show dates as the sheet did.

Read from the first rows below the header (``SAMPLED_ROWS``): the first number cell of a column whose
style is a date format gives that column's format, a built-in id (``14``: the short date of Excel's
language) or a format code (``dd/mm/yyyy hh:mm``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from .xlsx import _CELL_REF, _ZIP_DAMAGE, STYLES_PART, _cells, _column_index, _sheet_part

#: Rows below the header looked at for a date cell's format.
SAMPLED_ROWS = 50
DateFormat = int | str


def date_formats(path: Path, title: str) -> dict[int, DateFormat]:
    """Column index → the number format of its date cells, for the sheet called ``title`` of ``path``."""
    try:
        with zipfile.ZipFile(path) as archive:
            styles = _date_styles(archive)
            part = _sheet_part(archive, title) if styles else None
            return _sampled(archive, part, styles) if part else {}
    except (ParseError, *_ZIP_DAMAGE):
        return {}  # the reading itself says what is wrong with such a file


def _date_styles(archive: zipfile.ZipFile) -> dict[int, DateFormat]:
    """Cell style index → its number format, for the styles whose format shows a date or a time."""
    from defusedxml.ElementTree import fromstring
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if STYLES_PART not in archive.namelist():
        return {}
    parts = {child.tag.rpartition("}")[2]: child for child in fromstring(archive.read(STYLES_PART))}
    codes = {int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "") for fmt in parts.get("numFmts", ())}
    found: dict[int, DateFormat] = {}
    for index, xf in enumerate(parts.get("cellXfs", ())):
        number = int(xf.get("numFmtId", "0"))
        if number in codes and is_date_format(codes[number]):
            found[index] = codes[number]
        elif number not in codes and number in BUILTIN_FORMATS and is_date_format(BUILTIN_FORMATS[number]):
            found[index] = number
    return found


def _sampled(archive: zipfile.ZipFile, part: str, styles: dict[int, DateFormat]) -> dict[int, DateFormat]:
    formats: dict[int, DateFormat] = {}
    for element, children in _cells(archive, part):
        match = _CELL_REF.fullmatch(element.get("r") or "")
        if match is None or int(match[2]) > SAMPLED_ROWS + 1:
            break
        style = element.get("s")
        if int(match[2]) < 2 or style is None or element.get("t", "n") != "n" or "v" not in children:
            continue
        column = _column_index(match[1])
        if int(style) in styles:
            formats.setdefault(column, styles[int(style)])
    return formats

