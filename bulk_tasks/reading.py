"""CSV/XLSX → a text table with spreadsheet row numbers.

Every cell becomes trimmed text or ``None``; the frame's index is the spreadsheet row number (the
header is row 1); fully blank rows are dropped without renumbering the others.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EmptyInputError, SheetNotFoundError, UnreadableFileError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Table:
    """The input as read: headers as written, and one text row per non-blank spreadsheet row."""

    path: Path
    format: str
    headers: list[str]
    frame: pd.DataFrame
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[int]:
        """Spreadsheet row numbers of the data rows."""
        return self.frame.index.tolist()


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file; raise an ``InputError`` subclass with a fixable sentence if it can't be."""
    path = Path(path)
    head = _head(path)
    kind = _kind(path, head)
    if kind == "xlsx":
        headers, records, sheet_name = _read_xlsx(path, sheet)
    else:
        (headers, records), sheet_name = _read_csv(path), None
    table = _build_table(path, kind, headers, records, sheet_name)
    if kind == "csv" and sheet is not None:
        table.warnings.insert(0, f"--sheet {sheet!r} is ignored: {path.name} is a CSV file, which has no sheets.")
    return table


def _head(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableFileError(f"{path} does not exist: check the path and the file name.")
    if path.is_dir():
        raise UnreadableFileError(f"{path} is a folder: give the path of a .csv or .xlsx file.")
    try:
        with path.open("rb") as handle:
            return handle.read(8)
    except OSError as exc:
        raise UnreadableFileError(f"{path} cannot be opened ({exc.strerror}).") from None


def _kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFileError(
            f"{path.name} is a password-protected workbook or an old-style .xls file: open it in Excel, "
            "remove the password (File > Info > Protect Workbook) and save it as .xlsx.")
    if suffix == ".xls":
        raise UnreadableFileError(f"{path.name} is an old-style .xls file: save it as .xlsx or .csv in Excel.")
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if suffix in EXCEL_SUFFIXES:
        raise UnreadableFileError(
            f"{path.name} is not a real Excel .xlsx file (it is not a zip archive): open it in Excel and "
            "save it again as .xlsx, or export it as .csv.")
    if suffix in TEXT_SUFFIXES or not suffix:
        return "csv"
    raise UnreadableFileError(f"{path.name} is not a spreadsheet bulk-tasks can read: use a .csv or .xlsx file.")


def _build_table(path: Path, kind: str, headers: list[str], records: pd.DataFrame, sheet: str | None) -> Table:
    if not any(headers):
        if records.notna().any().any():
            raise EmptyInputError(f"{path.name} has no column names in row 1: put the column names in row 1 "
                                  "and one task per row below, with no blank rows above them.")
        raise EmptyInputError(f"{path.name} is empty: put the column names in row 1 and one task per row below.")
    records = records.set_axis(range(2, len(records) + 2))
    records = records.dropna(how="all")
    if records.empty:
        raise EmptyInputError(f"{path.name} has a header row but no data rows: add one task per row below it.")
    headers, records, warnings = _name_columns(path, headers, records)
    return Table(path=path, format=kind, headers=headers, frame=records, sheet=sheet, warnings=warnings)


def _name_columns(path: Path, headers: list[str], records: pd.DataFrame) -> tuple[list[str], pd.DataFrame, list[str]]:
    warnings: list[str] = []
    width = max(len(headers), records.shape[1])
    headers = headers + [""] * (width - len(headers))
    records = records.reindex(columns=range(width))
    named: dict[int, str] = {}
    for position, header in enumerate(headers):
        if header:
            named[position] = header
        elif records[position].notna().any():
            named[position] = f"(column {_letter(position)})"
            warnings.append(f"Column {_letter(position)} has data but no header: it is ignored.")
    _refuse_duplicates(path, named)
    records = records[list(named)]
    records.columns = list(named.values())
    return list(named.values()), records, warnings


def _refuse_duplicates(path: Path, named: dict[int, str]) -> None:
    seen: dict[str, int] = {}
    for position, header in named.items():
        first = seen.setdefault(header.casefold(), position)
        if first != position:
            raise UnreadableFileError(
                f"{path.name}: columns {_letter(first)} and {_letter(position)} are both headed {header!r}: "
                "rename or remove one of them.")


def _letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _clean(values: pd.DataFrame) -> pd.DataFrame:
    """Trim every cell; empty text becomes ``None``."""
    cleaned = {}
    for column in values.columns:
        series = values[column].astype(object)
        text = series.where(series.isna(), series.astype(str).str.strip())
        cleaned[column] = text.where(text.notna() & (text != ""), None)
    return pd.DataFrame(cleaned, index=values.index, dtype=object)


# --- CSV -----------------------------------------------------------------------------------------

def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; a clear error otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:4096]:
        raise UnreadableFileError(
            f"{path.name} is not a text file (it contains binary data): give a .csv exported from "
            "Excel, or the .xlsx itself.")
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.removeprefix(b"\xef\xbb\xbf").decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise UnreadableFileError(
        f"{path.name} is not in an encoding bulk-tasks can read: in Excel use File > Save As > "
        "'CSV UTF-8 (Comma delimited)'.")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate found most often outside quotes."""
    header, inside = [], False
    for char in text[:65536]:
        if char == '"':
            inside = not inside
        elif char in "\r\n" and not inside:
            break
        elif not inside:
            header.append(char)
    line = "".join(header)
    counts = {delimiter: line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _read_csv(path: Path) -> tuple[list[str], pd.DataFrame]:
    text = decode(path, path.read_bytes())
    if not text.strip():
        raise EmptyInputError(f"{path.name} is empty: put the column names in row 1 and one task per row below.")
    if "\x00" in text:
        raise UnreadableFileError(f"{path.name} contains a NUL character: export it again from Excel as CSV UTF-8.")
    delimiter = sniff_delimiter(text)
    try:
        raw = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                          na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        raise UnreadableFileError(f"{path.name} is not a well-formed CSV file ({_parser_detail(exc)}): "
                                  "check for a stray quote or an unquoted delimiter on that line.") from None
    except pd.errors.EmptyDataError:
        raise EmptyInputError(f"{path.name} has no column names in row 1: put the column names in row 1 "
                              "and one task per row below, with no blank rows above them.") from None
    cleaned = _clean(raw)
    headers = [value or "" for value in cleaned.iloc[0].tolist()]
    return headers, cleaned.iloc[1:].reset_index(drop=True).set_axis(range(cleaned.shape[1]), axis=1)


def _parser_detail(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[-1]
    message = message.replace("Error tokenizing data. C error: ", "")
    unclosed = re.fullmatch(r"EOF inside string starting at row (\d+)", message)
    if unclosed:  # pandas counts these rows from 0, unlike its "line N" messages
        return f"a quote opened on row {int(unclosed.group(1)) + 1} is never closed"
    return re.sub(r"Expected (\d+) fields in line (\d+), saw (\d+)",
                  r"row \2 has \3 cells where the header has \1", message)


# --- XLSX ----------------------------------------------------------------------------------------

def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], pd.DataFrame, str]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # bytes, not the path: openpyxl refuses a real workbook whose name does not end in .xlsx
        workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        reason = {KeyError: "it is a zip archive without a workbook inside",
                  zipfile.BadZipFile: "it is damaged or incomplete"}.get(type(exc), "its content is not a workbook")
        raise UnreadableFileError(
            f"{path.name} is not a readable Excel workbook ({reason}): open it in Excel and save "
            "it again as .xlsx, or export it as .csv.") from None
    except Exception as exc:  # noqa: BLE001 - XML attacks and malformed parts surface as many types
        raise UnreadableFileError(
            f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}); it may be damaged "
            "or contain unsafe XML: save it again from Excel as .xlsx.") from None
    try:
        worksheet = _pick_sheet(path, workbook, sheet)
        worksheet.reset_dimensions()  # the size recorded in the file can be wrong: trust the cells instead
        rows = [[_cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001
        if isinstance(exc, SheetNotFoundError):
            raise
        raise UnreadableFileError(
            f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}); it may be damaged "
            "or contain unsafe XML: save it again from Excel as .xlsx.") from None
    finally:
        workbook.close()
    if not rows:
        return [], pd.DataFrame(), worksheet.title
    width = max(len(row) for row in rows)
    table = _clean(pd.DataFrame([row + [None] * (width - len(row)) for row in rows], dtype=object))
    headers = [value or "" for value in table.iloc[0].tolist()]
    return headers, table.iloc[1:].reset_index(drop=True), worksheet.title


def _pick_sheet(path: Path, workbook: Any, sheet: str | None) -> Any:
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if sheet is None:
        if not visible:
            raise UnreadableFileError(f"{path.name} has no visible sheet: unhide the sheet with the tasks in Excel.")
        return visible[0]
    for worksheet in visible:
        if worksheet.title.strip().casefold() == sheet.strip().casefold():
            return worksheet
    names = ", ".join(repr(ws.title) for ws in visible) or "none"
    raise SheetNotFoundError(f"{path.name} has no visible sheet called {sheet!r}; its sheets are: {names}.")


def _cell_text(value: Any) -> Any:
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
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)
