"""CSV/XLSX → a text table with spreadsheet row numbers.

Every cell becomes trimmed text or ``None``; the frame's index is the spreadsheet row number (the
header is row 1); fully blank rows are dropped without renumbering the others.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from ..check.headers import find_header_row
from ..errors import EmptyInputError, UnreadableFileError
from .xlsx import column_letter, read_xlsx_rows
from .xlsx_dates import DateFormat, date_formats
from ..check.values import object_array

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Rows below row 1 searched for the real header when row 1 does not look like one.
HEADER_SEARCH_ROWS = 20
#: Excel's first line naming the delimiter (``sep=;``), which Excel itself reads and never shows.
_SEP_HINT = re.compile(r'"?sep=([^\r\n"])"?[ \t]*(?:\r\n|\r|\n|$)', re.IGNORECASE)
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])


@dataclass
class Table:
    """The input as read: headers as written, and one text row per non-blank spreadsheet row."""

    path: Path
    format: str
    headers: list[str]
    frame: pd.DataFrame
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Header → the number format of its date cells in the workbook (``xlsx_dates``), for the results.
    date_formats: dict[str, DateFormat] = field(default_factory=dict)

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
    if kind == "xlsx" and sheet_name is not None:
        table.date_formats = {headers[at]: code for at, code in date_formats(path, sheet_name).items()
                              if at < len(headers) and headers[at] in table.headers}
    if kind == "csv" and sheet is not None:
        table.warnings.insert(0, f"--sheet {sheet!r} is ignored: {path.name} is a CSV file, which has no sheets.")
    return table


def _head(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableFileError(f"{path} does not exist: check the path and the file name.")
    if path.is_dir():
        raise UnreadableFileError(f"{path} is a folder: give the path of a .csv or .xlsx file.")
    if not path.is_file():
        raise UnreadableFileError(f"{path} is not a regular file (it is a pipe, a device or a socket), so it cannot be "
                                  "read as a sheet: save the sheet as a .csv or .xlsx file and give that file's path.")
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
    _refuse_header_below_row_1(path, headers, records)
    if not any(headers):
        if records.notna().any().any():
            raise EmptyInputError(f"{path.name} has no column names in row 1: put the column names in row 1 "
                                  "and one task per row below, with no blank rows above them.")
        raise EmptyInputError(f"{path.name} is empty: put the column names in row 1 and one task per row below.")
    records = records.set_axis(range(2, len(records) + 2))
    if all(records[column].hasnans for column in records):  # a blank row leaves a gap in every column
        records = records.dropna(how="all")
    if records.empty:
        raise EmptyInputError(f"{path.name} has a header row but no data rows: add one task per row below it.")
    headers, records, warnings = _name_columns(path, headers, records)
    return Table(path=path, format=kind, headers=headers, frame=records, sheet=sheet, warnings=warnings)


def _refuse_header_below_row_1(path: Path, headers: list[str], records: pd.DataFrame) -> None:
    """Row 1 is a title (or blank) while a row below it holds the column names: say so."""
    top = records.head(HEADER_SEARCH_ROWS).to_numpy(dtype=object).tolist()
    found = find_header_row([list[str | None](headers), *top])
    if found is None:
        return
    row, names = found
    shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    raise EmptyInputError(f"{path.name}: the column names must be in row 1; row {row} looks like the header "
                          f"({shown}): delete the rows above it.")


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
            letter = column_letter(position)
            named[position] = f"(column {letter})"
            warnings.append(f"Column {letter} has data but no name in row 1 (a blank header cell, or one merged "
                            f"with its neighbour): its values are not sent; they are kept in the results under "
                            f"'(column {letter})'. Give {letter}1 a name to use them.")
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
                f"{path.name}: columns {column_letter(first)} and {column_letter(position)} are both headed "
                f"{header!r}: rename or remove one of them.")


def _clean_cell(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = (value if isinstance(value, str) else str(value)).strip()
    return text or None


def _clean_column(values: list[Any]) -> list[Any]:
    """Trim every cell of one column; empty text becomes ``None`` (all-text columns on a fast path)."""
    try:
        return [value.strip() or None for value in values]
    except AttributeError:
        return [value.strip() or None if type(value) is str else _clean_cell(value) for value in values]


def _frame(columns: Iterable[list[Any]]) -> tuple[list[str], pd.DataFrame]:
    """Cleaned ``columns`` (each headed by its name) as the names and a frame of the rows below them.

    Taken one column at a time, so that each column's copies are gone before the next one's are made.
    """
    headers: list[str] = []
    data: dict[int, np.ndarray] = {}
    for at, column in enumerate(columns):
        cleaned = _clean_column(column)
        del column
        headers.append(cleaned[0] or "")
        data[at] = object_array(cleaned)[1:]
    rows = len(data[0]) if data else 0
    return headers, pd.DataFrame(data, index=pd.RangeIndex(rows), dtype=object, copy=False)


# --- CSV -----------------------------------------------------------------------------------------

def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with BOM, or plainly so without), else Windows-1252.

    A clear error for binary data and undecodable text. A stray NUL in text is left for the CSV
    reader to report with its row.
    """
    utf16 = _utf16_codec(data)
    if utf16 is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    elif _looks_binary(data[:4096]):
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


def _utf16_codec(data: bytes) -> str | None:
    """``utf-16`` for a BOM; ``utf-16-le``/``-be`` when every other byte is NUL (UTF-16 text without BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) * 2 >= len(odd) and not even.count(0):
        return "utf-16-le"
    if even.count(0) * 2 >= len(even) and not odd.count(0):
        return "utf-16-be"
    return None


def _looks_binary(sample: bytes) -> bool:
    """More control bytes than a text file with a stray one or two would have."""
    controls = sum(sample.count(byte) for byte in _CONTROL_BYTES)
    return controls > max(2, len(sample) // 200)


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
    scan = _scan_csv(path)
    source: Path | io.BytesIO = path if scan.recoded is None else io.BytesIO(scan.recoded)
    try:
        raw = pd.read_csv(source, sep=scan.delimiter, header=None, dtype=object, keep_default_na=False,
                          na_filter=False, skip_blank_lines=False, engine="c", encoding="utf-8",
                          skiprows=1 if scan.hinted else None)
    except pd.errors.ParserError as exc:
        raise UnreadableFileError(f"{path.name} is not a well-formed CSV file ({_parser_detail(exc)}): "
                                  "check for a stray quote or an unquoted delimiter on that line.") from None
    except pd.errors.EmptyDataError:  # the first line is blank
        text = (path.read_bytes() if scan.recoded is None else scan.recoded).removeprefix(b"\xef\xbb\xbf")
        first = len(text[: len(text) - len(text.lstrip(b"\r\n"))].splitlines()) + 1
        raise EmptyInputError(f"{path.name} has no column names in row 1 (row {first} looks like the header): "
                              "delete the blank rows above it, so that the column names are in row 1.") from None
    del source, scan
    parsed: list[np.ndarray | None] = [raw.iloc[:, at].to_numpy() for at in range(raw.shape[1])]
    del raw
    return _frame(_taken(parsed))


def _taken(arrays: list[np.ndarray | None]) -> Iterator[list[Any]]:
    """Each array as a list, dropped from ``arrays`` as it is taken (so freed once read)."""
    for at, array in enumerate(arrays):
        arrays[at] = None
        assert array is not None
        yield array.tolist()


@dataclass(frozen=True)
class _CsvScan:
    delimiter: str
    #: None for a UTF-8 file (BOM or not), which the parser reads itself with no copy of it in memory;
    #: else the file's text, decoded (``decode``) and encoded as UTF-8.
    recoded: bytes | None = None
    #: The first line is Excel's ``sep=;`` hint (skipped: the header is the line after it).
    hinted: bool = False


def _scan_csv(path: Path) -> _CsvScan:
    """One streamed pass over the file: empty, binary or NUL-bearing files refused with a sentence; its
    encoding checked (UTF-8 or not) and its delimiter sniffed, without holding the file in memory."""
    checker = codecs.getincrementaldecoder("utf-8")()
    utf8, content, lines, start = True, False, 0, None
    buffer = bytearray(CHECK_CHUNK)  # one buffer for every chunk: nothing left behind in the heap
    with path.open("rb") as handle:
        while size := handle.readinto(buffer):
            chunk = buffer if size == len(buffer) else buffer[:size]
            body = chunk
            if start is None:
                body = chunk.removeprefix(b"\xef\xbb\xbf")
                start = bytes(body[:4 * 65536])
                if _utf16_codec(start) is not None or _looks_binary(start[:4096]):
                    return _whole_file_scan(path)
            if b"\x00" in chunk:
                row = lines + chunk.count(b"\n", 0, chunk.index(b"\x00")) + 1
                raise UnreadableFileError(f"{path.name} contains a NUL character (an invisible control character) on "
                                          f"line {row}: delete it, or export the file again from Excel as CSV UTF-8.")
            lines += chunk.count(b"\n")
            content = content or bool(body.strip())
            if utf8 and not (chunk.isascii() and not checker.getstate()[0]):
                try:
                    checker.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            checker.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if not utf8:
        return _whole_file_scan(path)
    if not content:
        raise EmptyInputError(f"{path.name} is empty: put the column names in row 1 and one task per row below.")
    return _delimited((start or b"").decode("utf-8", "ignore"))


def _whole_file_scan(path: Path) -> _CsvScan:
    """The scan of a file that is not UTF-8: decoded whole (``decode``), which says what is wrong with it."""
    text = decode(path, path.read_bytes())
    if not text.strip():
        raise EmptyInputError(f"{path.name} is empty: put the column names in row 1 and one task per row below.")
    if "\x00" in text:
        row = text.count("\n", 0, text.index("\x00")) + 1
        raise UnreadableFileError(f"{path.name} contains a NUL character (an invisible control character) on line "
                                  f"{row}: delete it, or export the file again from Excel as CSV UTF-8.")
    return _delimited(text[: 4 * 65536], text.encode("utf-8"))


def _delimited(start: str, recoded: bytes | None = None) -> _CsvScan:
    """The delimiter Excel's ``sep=;`` first line names, else the one sniffed from the header line."""
    hint = _SEP_HINT.match(start.removeprefix("\ufeff"))
    if hint:
        return _CsvScan(hint[1], recoded, hinted=True)
    return _CsvScan(sniff_delimiter(start), recoded)


#: Bytes of a CSV file checked (encoding, NUL characters) at a time.
CHECK_CHUNK = 1 << 20


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
    rows, title = read_xlsx_rows(path, sheet)
    if not rows:
        return [], pd.DataFrame(), title
    width = max(len(row) for row in rows)
    columns = [list(column) for column in zip(*(row + [None] * (width - len(row)) for row in rows))]
    headers, table = _frame(columns)
    return headers, table, title
