"""Hostile workbooks written by hand: a cell far away, a declared extent that lies, a zip bomb.

Shared by the tests and ``benchmarks/faults.py``; each is a valid .xlsx archive a few KB in size.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
QUO_HEADER = ("Title", "Description", "phoneNumberId")


def _text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def row(number: int, cells: list[tuple[str, str]]) -> str:
    return f'<row r="{number}">' + "".join(_text_cell(f"{col}{number}", text) for col, text in cells) + "</row>"


def sheet_xml(rows: list[str], dimension: str | None = None) -> bytes:
    """A worksheet part: ``rows`` (``<row>`` elements) and an optional ``<dimension ref>``."""
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(rows)
    return f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{head}<sheetData>{body}</sheetData></worksheet>'.encode()


def book_bytes(sheets: dict[str, bytes], padding: int = 0) -> bytes:
    """A workbook of the given sheets (name → worksheet part), deflated; the first sheet padded at its
    end with ``padding`` bytes of blank space (written in chunks, never held in memory)."""
    names = list(sheets)
    parts = {
        "[Content_Types].xml": (
            f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, len(names) + 1)) + "</Types>").encode(),
        "_rels/.rels": (f'{_DECLARATION}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                            + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                                      for i, name in enumerate(names, start=1))
                            + "</sheets></workbook>").encode(),
        "xl/_rels/workbook.xml.rels": (
            f'{_DECLARATION}<Relationships xmlns="{_PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1)) + "</Relationships>").encode(),
    }
    parts.update({f"xl/worksheets/sheet{i}.xml": sheets[name] for i, name in enumerate(names, start=1)})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml" or not padding:
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(data)
                for start in range(0, padding, 1 << 24):
                    part.write(b" " * min(1 << 24, padding - start))
    return out.getvalue()


def _task_rows() -> list[str]:
    return [row(1, list(zip("ABC", QUO_HEADER))), row(2, [("A", "Call back"), ("B", "Pricing"), ("C", "PN1")])]


def far_cell(reference: str = "XFD1048576") -> bytes:
    """A header, one task, and one more cell at ``reference`` (calamine allocates the whole rectangle)."""
    letters = reference.rstrip("0123456789")
    number = int(reference[len(letters):])
    return book_bytes({"Tasks": sheet_xml([*_task_rows(), row(number, [(letters, "x")])])})


def lying_dimension(reference: str = "XFD1048576") -> bytes:
    """A small sheet whose ``<dimension ref>`` claims it reaches ``reference``."""
    return book_bytes({"Tasks": sheet_xml(_task_rows(), dimension=f"A1:{reference}")})


def zip_bomb(mib: int = 1024) -> bytes:
    """A small sheet padded with ``mib`` MiB of blank space: a few MB on disk, far more once inflated."""
    return book_bytes({"Tasks": sheet_xml(_task_rows())}, padding=mib << 20)


def small_book() -> bytes:
    """The same header and task with nothing hostile: the control case."""
    return book_bytes({"Tasks": sheet_xml(_task_rows(), dimension="A1:C2")})


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
