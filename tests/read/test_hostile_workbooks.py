"""Workbooks that would make the reader allocate gigabytes are refused before it reads a cell.

Each case runs ``bulk-tasks validate`` in its own process under a 1 GiB address-space limit: without
the checks the reader asks for 512 GiB (a cell at XFD1048576), 3.2 GiB (CV1048576) or inflates 1 GiB
of blank space (a zip bomb), and the process dies or gets a MemoryError.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import hostile_books
from bulk_tasks.errors import UnreadableFileError
from bulk_tasks.read import xlsx_limits
from bulk_tasks.read.table import read_table

ADDRESS_SPACE = 1 << 30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def validate_limited(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulk_tasks", "validate", str(path), "-p", "quo", "--quiet",
                           "--results", str(path.with_suffix(".results.csv"))],
                          capture_output=True, text=True, timeout=300, preexec_fn=_limited)


@pytest.mark.parametrize(("name", "book", "sentence"), [
    ("far.xlsx", lambda: hostile_books.far_cell("XFD1048576"), "the sheet 'Tasks' reaches cell XFD1048576"),
    ("cv.xlsx", lambda: hostile_books.far_cell("CV1048576"), "the sheet 'Tasks' reaches cell CV1048576"),
    ("bomb.xlsx", lambda: hostile_books.zip_bomb(1024), "would inflate from"),
])
def test_a_hostile_workbook_is_refused_with_a_sentence_under_a_memory_limit(tmp_path, name, book, sentence):
    path = hostile_books.write(tmp_path / name, book())
    assert path.stat().st_size < 2 << 20
    done = validate_limited(path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith(f"Error: {name}") and sentence in done.stderr
    assert "Traceback" not in done.stderr and "panicked" not in done.stderr and "memory allocation" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert not path.with_suffix(".results.csv").exists()


def test_the_same_small_workbook_without_the_far_cell_reads_under_the_limit(tmp_path):
    path = hostile_books.write(tmp_path / "fine.xlsx", hostile_books.small_book())
    done = validate_limited(path)
    assert done.returncode == 0, done.stderr
    assert path.with_suffix(".results.csv").exists()


def test_a_declared_extent_out_of_proportion_is_refused(tmp_path):
    path = hostile_books.write(tmp_path / "dim.xlsx", hostile_books.lying_dimension("ZZ900000"))
    with pytest.raises(UnreadableFileError, match="reaches cell ZZ900000"):
        read_table(path)


@pytest.mark.parametrize("spelling", ["r='{ref}'", 'r = "{ref}"', '\nr="{ref}"', '\tr="{ref}"'])
def test_a_far_cell_spelled_unusually_is_found_too(tmp_path, spelling):
    rows = [hostile_books.row(1, list(zip("ABC", hostile_books.QUO_HEADER))),
            f'<row r="9"><c {spelling.format(ref="CV1048576")} t="inlineStr"><is><t>x</t></is></c></row>']
    book = hostile_books.book_bytes({"Tasks": hostile_books.sheet_xml(rows)})
    with pytest.raises(UnreadableFileError, match="reaches cell CV1048576"):
        read_table(hostile_books.write(tmp_path / "odd.xlsx", book))


def test_a_reference_beyond_excel_is_refused(tmp_path):
    rows = [hostile_books.row(1, list(zip("ABC", hostile_books.QUO_HEADER))), hostile_books.row(2, [("A", "x")]),
            '<row r="3"><c r="A99999999"><v>1</v></c></row>']
    path = hostile_books.write(tmp_path / "beyond.xlsx", hostile_books.book_bytes({"Tasks": hostile_books.sheet_xml(rows)}))
    with pytest.raises(UnreadableFileError, match="beyond Excel's last cell"):
        read_table(path)


def test_a_far_cell_within_the_floor_is_read(tmp_path):
    rows = [hostile_books.row(1, list(zip("ABC", hostile_books.QUO_HEADER))),
            hostile_books.row(2, [("A", "Call back"), ("B", "Pricing"), ("C", "PN1")]),
            hostile_books.row(500, [("AZ", "note")])]
    path = hostile_books.write(tmp_path / "note.xlsx", hostile_books.book_bytes({"Tasks": hostile_books.sheet_xml(rows)}))
    table = read_table(path)
    assert table.frame.shape[0] == 2 and "(column AZ)" in table.headers


def test_the_scan_finds_the_farthest_cell_across_chunk_boundaries(tmp_path):
    rows = [hostile_books.row(n, [(letters, "v" * 40) for letters in ("A", "B", "AC")]) for n in range(1, 40_000)]
    rows.insert(20_000, hostile_books.row(20_000, [("ZZ", "far")]))
    book = hostile_books.book_bytes({"Tasks": hostile_books.sheet_xml(rows)})
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 4 << 20
        extent = xlsx_limits.scan_extent(archive, "xl/worksheets/sheet1.xml")
    assert (extent.rows, extent.columns) == (39_999, 26 * 26 + 26)
    assert 3 * 39_999 <= extent.references <= 4 * 40_000
