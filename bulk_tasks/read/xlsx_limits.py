"""Limits on a workbook's size, checked before the reader (calamine) touches its cells.

calamine holds a sheet as one dense rectangle from A1 to its last cell (32 bytes a cell), so one cell
at ``XFD1048576`` in a 2 KB file asks for 512 GiB, and a zip bomb inflates to gigabytes. Refused
here, each with a sentence, reading the archive in chunks (never a part whole):

- the archive inflates to more than ``MAX_EXPANSION`` times its size (above ``EXPANSION_FLOOR``);
- a sheet reaches beyond Excel's own limits (``MAX_ROWS`` × ``MAX_COLUMNS``);
- a sheet's rectangle, declared (``<dimension ref>``) or actual, holds more than ``MAX_SPARSENESS``
  times the cells present in it (above ``AREA_FLOOR``), or more than ``MAX_AREA`` cells in all.

References are found with fast patterns for the way spreadsheet programs write them (`` r="B12"``);
a chunk holding any other spelling (``r='B12'``, ``r = "B12"``, a line break before ``r``) is read
with a slower, general one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnreadableFileError

#: A workbook may inflate to this many times its size on disk (Excel's own files: 5-15 times).
MAX_EXPANSION = 50
#: Below this many bytes inflated, any expansion is accepted (small files compress unevenly).
EXPANSION_FLOOR = 64 << 20
#: Excel's own limits: a cell beyond them cannot come from Excel.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
#: A sheet's rectangle (A1 to its last row and column) may hold this many times the cells present ...
MAX_SPARSENESS = 20
#: ... once it is larger than this many cells (about 60 MB in memory) ...
AREA_FLOOR = 2_000_000
#: ... and never more than this many (a million rows of 40 columns; about 1.3 GB in the reader).
MAX_AREA = 40_000_000
_CHUNK = 1 << 20
_OVERLAP = 64
_REFERENCE = b' r="'
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"')
#: The row numbers of cell and row references (`` r="AB12"``) of at least n digits (index n - 1).
_ROW_NUMBERS = [re.compile(rb' r="[A-Z]*([0-9]{%d,})"' % n) for n in range(1, 9)]
#: The column letters of cell references with two letters or more (one letter: at most column Z).
_WIDE_COLUMNS = re.compile(rb' r="([A-Z]{2,})[0-9]')
_ANY_REFERENCE = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']([A-Z]*)([0-9]*)["']""")


def check_expansion(path: Path, archive: zipfile.ZipFile, size: int) -> None:
    """Refuse an archive whose parts, as its directory declares them, inflate out of proportion."""
    inflated = sum(entry.file_size for entry in archive.infolist())
    if inflated > max(EXPANSION_FLOOR, MAX_EXPANSION * size):
        raise UnreadableFileError(
            f"{path.name} would inflate from {_mib(size)} to {_mib(inflated)} once unzipped, more than "
            f"{MAX_EXPANSION} times its size (a zip bomb, or a damaged file), so bulk-tasks does not read it: "
            "open it in Excel and save it again as .xlsx, or export it as .csv.")


@dataclass
class Extent:
    """What a scan of one sheet part found: its last row and column, and the references in it."""

    rows: int = 0
    columns: int = 0
    references: int = 0
    declared_rows: int = 0
    declared_columns: int = 0

    @property
    def area(self) -> int:
        """Cells in the rectangle from A1 to the farthest cell, declared or present."""
        return max(self.rows, self.declared_rows) * max(self.columns, self.declared_columns, 1)


def check_extent(path: Path, archive: zipfile.ZipFile, parts: Iterable[str], title: str) -> None:
    """Refuse a sheet part whose extent is beyond Excel's or out of proportion to its cells."""
    for part in parts:
        extent = scan_extent(archive, part)
        rows, columns = max(extent.rows, extent.declared_rows), max(extent.columns, extent.declared_columns)
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            raise UnreadableFileError(
                f"{path.name}: the sheet {title!r} refers to cells beyond Excel's last cell (XFD1048576), so it "
                "was not written by Excel and bulk-tasks does not read it: save it again from Excel as .xlsx, "
                "or export it as .csv.")
        if extent.area > min(MAX_AREA, max(AREA_FLOOR, MAX_SPARSENESS * extent.references)):
            raise UnreadableFileError(
                f"{path.name}: the sheet {title!r} reaches cell {_letters(columns)}{rows}, a rectangle of "
                f"{extent.area:,} cells of which about {extent.references:,} hold data; bulk-tasks reads at most "
                f"{MAX_AREA:,} cells, and at most {MAX_SPARSENESS} times those holding data. In Excel, delete the "
                "rows and columns after the last task (select them, right-click, Delete) and save, or export "
                "the sheet as .csv.")


def scan_extent(archive: zipfile.ZipFile, part: str) -> Extent:
    """The farthest row and column referenced in ``part`` (declared and present), read in chunks."""
    extent = Extent()
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            text = tail + chunk
            if not tail:
                _declared(extent, text)
            if _plainly_written(text):
                extent.references += chunk.count(_REFERENCE)
                _scan(extent, text)
            else:
                _scan_slowly(extent, text)
            tail = chunk[-_OVERLAP:]
    return extent


def _plainly_written(text: bytes) -> bool:
    """Whether every attribute in ``text`` is written ``name="value"`` after one space (as spreadsheet
    programs write them), so that the fast patterns see every reference; single bytes are found fastest."""
    return (b"\n" not in text and b"\t" not in text and b"\r" not in text and b" =" not in text
            and text.count(b"=") == text.count(b'="'))


def _scan(extent: Extent, text: bytes) -> None:
    """The farthest row and column in ``text``: only references at least as wide as the farthest so far
    are taken (numbers of as many digits, columns of two letters or more)."""
    numbers = _ROW_NUMBERS[min(len(str(extent.rows)), 8) - 1].findall(text)
    if numbers:
        extent.rows = max(extent.rows, max(map(int, numbers)))
    columns = _WIDE_COLUMNS.findall(text)
    if columns:
        extent.columns = max(extent.columns, max(map(_column_number, set(columns))))
    elif _REFERENCE in text:
        extent.columns = max(extent.columns, 26)


def _scan_slowly(extent: Extent, text: bytes) -> None:
    for letters, digits in _ANY_REFERENCE.findall(text):
        extent.references += 1
        extent.rows = max(extent.rows, int(digits or 0))
        extent.columns = max(extent.columns, _column_number(letters))


def _declared(extent: Extent, head: bytes) -> None:
    match = _DIMENSION.search(head[:4096])
    if match:
        extent.declared_columns = _column_number(match[1])
        extent.declared_rows = int(match[2])


def _column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _letters(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB" if size >= 1 << 20 else f"{max(1, size // 1024)} KB"
