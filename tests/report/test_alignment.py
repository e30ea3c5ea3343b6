"""Every cell of the results workbook sits at the top of its row, in every program that opens it."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

LONG = "the boiler in flat 4 makes a knocking noise at night " * 8


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_cell_names_a_top_aligned_style(tmp_path, capsys, suffix):
    rows = [["", LONG, "PN1", "Extra note"], ["Call back", "Pricing", "PN1", ""]]
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"tasks{suffix}",
                                                           ["Title", "Description", "phoneNumberId", "Notes"], rows)
    main(["validate", str(path), "-p", "quo", "--results", str(tmp_path / "out.xlsx")])
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheets = [archive.read(name).decode() for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml")]
        styles = archive.read("xl/styles.xml").decode()
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles).group(1)
    xfs = re.findall(r"<xf .*?</xf>|<xf [^>]*/>", cell_xfs)
    assert all('vertical="top"' in xf and 'applyAlignment="1"' in xf for xf in xfs)
    normal = re.search(r"<cellStyleXfs[^>]*>(.*?)</cellStyleXfs>", styles).group(1)
    assert 'vertical="top"' in normal
    for xml in sheets:
        cells = re.findall(r"<c [^>]*>", xml)
        assert cells and all(re.search(r'\ss="[1-9]\d*"', tag) for tag in cells), \
            [tag for tag in cells if not re.search(r'\ss="[1-9]\d*"', tag)][:5]
    results = openpyxl.load_workbook(tmp_path / "out.xlsx")["Results"]
    assert results.row_dimensions[2].height > 15
    assert {cell.alignment.vertical for row in results.iter_rows() for cell in row if cell.value is not None} \
        == {"top"}
