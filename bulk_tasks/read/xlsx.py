"""XLSX → rows of cell text, read with python-calamine (a Rust reader, ~15× faster than openpyxl).

What calamine does not tell, the workbook's XML does, read here with defusedxml: which part holds
the chosen sheet, which cells are Excel errors (calamine reads them as empty), which formulas
never had their result saved, and which numbers Excel shows zero-padded (``000123``, see numformats).
Any part declaring XML entities is refused before anything is parsed.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from ..errors import SheetNotFoundError, UnreadableFileError
from .numformats import padding_format, render
from .xlsx_limits import check_expansion, check_extent

MAX_CELLS_NAMED = 5
#: The most characters one Excel cell holds.
EXCEL_CELL_LIMIT = 32767
_ENTITY_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_ERROR_CELL = re.compile(rb"""\st=["']e["']""")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
STYLES_PART = "xl/styles.xml"
#: What ``zipfile`` raises for a damaged archive: besides BadZipFile, a changed byte can claim a newer zip
#: version or a compression method it lacks (NotImplementedError) or encryption (RuntimeError).
_ZIP_DAMAGE = (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError,
               RuntimeError)


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_xlsx_rows(path: Path, sheet: str | None) -> tuple[list[list[Any]], str]:
    """The chosen sheet's cells as text or ``None`` (a formula's saved result), and the sheet's title."""
    data = path.read_bytes()
    archive = _open_archive(path, data)
    with archive:
        check_expansion(path, archive, len(data))
        _refuse_entity_declarations(path, archive)
        if "xl/workbook.xml" not in archive.namelist():
            raise _unreadable(path, "it is a zip archive without a workbook inside")
        book = _workbook(path, data)
        title = _pick_sheet(path, book, sheet)
        part = _sheet_part(archive, title)
        _check_extent(path, archive, part, title)
        rows = _calamine_rows(path, book, title)
        if part is not None:
            _check_cells(path, archive, part, rows)
    return rows, title


def _check_extent(path: Path, archive: zipfile.ZipFile, part: str | None, title: str) -> None:
    """Refuse a sheet out of proportion before calamine allocates it (``xlsx_limits``); every worksheet
    part when the chosen one cannot be told."""
    parts = [part] if part in archive.namelist() else [name for name in archive.namelist()
                                                        if name.startswith("xl/worksheets/") and name.endswith(".xml")]
    try:
        check_extent(path, archive, parts, title)
    except _ZIP_DAMAGE:
        raise _unreadable(path, "a part of it is damaged") from None


def _check_cells(path: Path, archive: zipfile.ZipFile, part: str, rows: list[list[Any]]) -> None:
    """Refuse unsaved formulas; put back the Excel errors calamine reads as empty cells and the
    zero-padded text Excel shows for numbers formatted ``000000``."""
    try:
        if _part_matches(path, archive, part, _FORMULA_TAG):
            _refuse_unsaved_formulas(path, archive, part)
        if _part_matches(path, archive, part, _ERROR_CELL):
            _put_values(rows, _error_cells(archive, part))
        padded = _padding_styles(archive)
        if padded:
            _put_values(rows, _padded_numbers(archive, part, padded))
    except (ParseError, *_ZIP_DAMAGE):
        raise _unreadable(path, "a part of it is damaged") from None


def cell_text(value: Any) -> str | None:
    """A typed cell as the text a person would expect (dates ISO 8601, ``4155550100`` not ``4155550100.0``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _unreadable(path: Path, reason: str) -> UnreadableFileError:
    return UnreadableFileError(f"{path.name} is not a readable Excel workbook ({reason}): open it in Excel and "
                               "save it again as .xlsx, or export it as .csv.")


def _open_archive(path: Path, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_DAMAGE:
        raise _unreadable(path, "it is damaged or incomplete") from None


def _refuse_entity_declarations(path: Path, archive: zipfile.ZipFile) -> None:
    for name in archive.namelist():
        if not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        if _part_matches(path, archive, name, _ENTITY_DECLARATION):
            raise UnreadableFileError(
                f"{path.name} contains XML entity declarations, which Excel never writes and bulk-tasks refuses "
                "for safety (they can be used to read files or exhaust memory): save the sheet again from "
                "Excel as .xlsx, or export it as .csv.")


def _part_matches(path: Path, archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes]) -> bool:
    """Whether a part's bytes match ``pattern``, read in chunks (never the whole part at once)."""
    try:
        with archive.open(name) as part:
            tail = b""
            while chunk := part.read(1 << 20):
                if pattern.search(tail + chunk):
                    return True
                tail = chunk[-32:]
    except _ZIP_DAMAGE:
        raise _unreadable(path, "it is damaged or incomplete") from None
    return False


def _workbook(path: Path, data: bytes) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - calamine raises its own types for every kind of damage
        raise _unreadable(path, "a part of it is damaged") from None


def _pick_sheet(path: Path, book: Any, sheet: str | None) -> str:
    visible = [item.name for item in book.sheets_metadata if str(item.visible).rsplit(".", 1)[-1] == "Visible"]
    if sheet is None:
        if not visible:
            raise UnreadableFileError(f"{path.name} has no visible sheet: unhide the sheet with the tasks in Excel.")
        return visible[0]
    for name in visible:
        if name.strip().casefold() == sheet.strip().casefold():
            return name
    names = ", ".join(map(repr, visible)) or "none"
    raise SheetNotFoundError(f"{path.name} has no visible sheet called {sheet!r}; its sheets are: {names}.")


def _calamine_rows(path: Path, book: Any, title: str) -> list[list[Any]]:
    try:
        rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001
        raise _unreadable(path, "a part of it is damaged") from None
    return [[None if value == "" else cell_text(value) for value in row] for row in rows]


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The archive path of the sheet called ``title`` (``xl/worksheets/sheet1.xml``), from the workbook XML."""
    from defusedxml.ElementTree import fromstring

    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - a workbook calamine could read but we cannot map: skip the extra checks
        return None
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations}
    for element in workbook.iter():
        if element.tag.rpartition("}")[2] == "sheet" and element.get("name") == title:
            target = targets.get(element.get(f"{_REL_NS}id"), "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _cells(archive: zipfile.ZipFile, part: str) -> Any:
    """Every ``<c>`` element of a sheet part with the local names of its children, streaming."""
    from defusedxml.ElementTree import iterparse

    sheet_data = None
    with archive.open(part) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            name = element.tag.rpartition("}")[2]
            if event == "start":
                if name == "sheetData":
                    sheet_data = element
            elif name == "c":
                yield element, {child.tag.rpartition("}")[2]: child for child in element}
            elif name == "row" and sheet_data is not None:
                sheet_data.clear()


def _refuse_unsaved_formulas(path: Path, archive: zipfile.ZipFile, part: str) -> None:
    """A formula whose result was never saved reads as empty: refuse rather than send a blank.

    ``=IF(A2="","",A2)`` saved by Excel is an empty string (``t="str"``, empty ``<v>``), and is fine; no
    ``<v>`` at all is not, nor an empty ``<v/>`` of any other type (what openpyxl writes for a formula).
    """
    cells = [element.get("r") or "?" for element, children in _cells(archive, part)
             if "f" in children and _unsaved(element, children.get("v"))]
    if not cells:
        return
    shown = ", ".join(cells[:MAX_CELLS_NAMED]) + (f" and {len(cells) - MAX_CELLS_NAMED} more"
                                                   if len(cells) > MAX_CELLS_NAMED else "")
    raise UnreadableFileError(
        f"{path.name} has formulas whose results were never saved (cells {shown}), so they would read as "
        "empty: open the file in Excel and save it (Excel then stores each result), or type the values in.")


def _unsaved(element: Any, value: Any) -> bool:
    return value is None or (not (value.text or "") and element.get("t") != "str")


def _error_cells(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row index, column index) → the Excel error (``#N/A``, ``#REF!``, …) of every error cell."""
    errors = {}
    for element, children in _cells(archive, part):
        if element.get("t") == "e" and "v" in children and element.get("r"):
            match = _CELL_REF.fullmatch(element.get("r"))
            if match:
                errors[(int(match[2]) - 1, _column_index(match[1]))] = (children["v"].text or "").strip()
    return errors


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _padding_styles(archive: zipfile.ZipFile) -> dict[int, tuple[str | None, ...]]:
    """Cell style index → the tokens of its zero-padding number format, for the styles that have one."""
    from defusedxml.ElementTree import fromstring

    if STYLES_PART not in archive.namelist():
        return {}
    parts = {child.tag.rpartition("}")[2]: child for child in fromstring(archive.read(STYLES_PART))}
    formats = {int(fmt.get("numFmtId", "-1")): padding_format(fmt.get("formatCode", ""))
               for fmt in parts.get("numFmts", ())}
    padding = {number: tokens for number, tokens in formats.items() if tokens}
    if not padding:
        return {}
    return {index: padding[int(xf.get("numFmtId", "0"))] for index, xf in enumerate(parts.get("cellXfs", ()))
            if int(xf.get("numFmtId", "0")) in padding}


def _padded_numbers(archive: zipfile.ZipFile, part: str,
                    padded: dict[int, tuple[str | None, ...]]) -> dict[tuple[int, int], str]:
    """(row index, column index) → the text Excel shows, for every number cell with a padding format."""
    shown = {}
    for element, children in _cells(archive, part):
        style, reference = element.get("s"), element.get("r")
        if style is None or reference is None or element.get("t", "n") != "n" or "v" not in children:
            continue
        tokens = padded.get(int(style))
        match = _CELL_REF.fullmatch(reference)
        text = render(tokens, children["v"].text or "") if tokens and match else None
        if text is not None and match:
            shown[(int(match[2]) - 1, _column_index(match[1]))] = text
    return shown


def _put_values(rows: list[list[Any]], values: dict[tuple[int, int], str]) -> None:
    for (row, column), value in values.items():
        if row < len(rows):
            cells = rows[row]
            cells.extend([None] * (column + 1 - len(cells)))
            cells[column] = value
