"""A date cell of the input stays a date cell, in the sheet's own number format, in the results and the page's
checked workbook."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from bulk_tasks.cli import main
from webpage import running_page

HEADER = ["group_external_ref", "title", "Due Date", "Reminder", "Reported"]


def _sheet(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tasks"
    sheet.append(HEADER)
    for n, day in enumerate((4, 5), start=2):
        sheet.append(["PROP-1", f"Fix {n}", datetime(2026, 12, day, 13, 30), datetime(2026, 12, day - 1),
                      datetime(2026, 11, day)])
        sheet.cell(n, 3).number_format = "dd/mm/yyyy hh:mm"
        sheet.cell(n, 4).number_format = "mm-dd-yy"     # Excel's built-in short date (id 14)
        sheet.cell(n, 5).number_format = "d-mmm-yy"     # built-in 15, in a column no field reads
    book.save(path)
    return path


def _date_cells(workbook_bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes))["Results"]
    header = [cell.value for cell in sheet[1]]
    return {name: (sheet.cell(2, header.index(name) + 1).value, sheet.cell(2, header.index(name) + 1).number_format,
                   sheet.cell(2, header.index(name) + 1).is_date) for name in HEADER[2:]}


EXPECTED = {"Due Date": (datetime(2026, 12, 4, 13, 30), "dd/mm/yyyy hh:mm", True),
            "Reminder": (datetime(2026, 12, 3), "mm-dd-yy", True),
            "Reported": (datetime(2026, 11, 4), "d-mmm-yy", True)}


@pytest.mark.parametrize("command", [["validate"], ["run", "--dry-run"]])
def test_the_results_keep_the_sheets_date_cells_and_formats(tmp_path, capsys, command):
    path = _sheet(tmp_path / "tasks.xlsx")
    assert main([*command, str(path), "-p", "travtus", "--timezone", "UTC"]) == 0
    assert _date_cells((tmp_path / "tasks.results.xlsx").read_bytes()) == EXPECTED


def test_a_results_workbook_given_back_keeps_them_again(tmp_path, capsys):
    path = _sheet(tmp_path / "tasks.xlsx")
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "UTC"]) == 0
    again = tmp_path / "again.xlsx"
    again.write_bytes((tmp_path / "tasks.results.xlsx").read_bytes())
    assert main(["validate", str(again), "-p", "travtus", "--timezone", "UTC"]) == 0
    assert _date_cells((tmp_path / "again.results.xlsx").read_bytes()) == EXPECTED


async def test_the_pages_checked_workbook_keeps_them(tmp_path):
    path = _sheet(tmp_path / "tasks.xlsx")
    async with running_page(tmp_path / "work") as page:
        view = await page.upload(path)
        data = await page.download(f"/api/imports/{view['import']['id']}/checked.xlsx")
    assert _date_cells(data) == EXPECTED
