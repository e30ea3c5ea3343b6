"""Read what Excel shows: numbers formatted to pad with zeros are read as the text on screen."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bulk_tasks import ReadOptions, prepare
from bulk_tasks.read.numformats import padding_format, render
from bulk_tasks.read.table import read_table


def formatted_workbook(path: Path, cells: list[tuple[object, str | None]]) -> Path:
    """One column ``ref`` of cells, each (value, number format or None for General)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["group_external_ref", "title", "external_ref"])
    for row, (value, number_format) in enumerate(cells, start=2):
        sheet.cell(row, 1, "PROP-1")
        sheet.cell(row, 2, f"Task {row}")
        cell = sheet.cell(row, 3, value)
        if number_format:
            cell.number_format = number_format
    book.save(path)
    return path


def test_a_zero_padded_number_is_read_as_the_text_excel_shows(tmp_path):
    path = formatted_workbook(tmp_path / "t.xlsx", [
        (123, "000000"), (123456789, "00000-0000"), (1234, "00000-0000"), (-42, "000000"),
        (1234567, "000000"), ("000123", "@"), (123, None), (123.5, "0.00"), (1234, "#,##0"), (7, "0")])
    frame = read_table(path).frame
    assert frame["external_ref"].tolist() == ["000123", "12345-6789", "00000-1234", "-000042", "1234567",
                                             "000123", "123", "123.5", "1234", "7"]


def test_the_payload_carries_the_padded_text(tmp_path):
    path = formatted_workbook(tmp_path / "t.xlsx", [(42, "000000")])
    assert prepare(path, "travtus", ReadOptions(timezone="UTC")).payloads[2]["external_ref"] == "000042"


def test_dates_and_text_are_untouched_beside_a_padding_format(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["group_external_ref", "title", "due_datetime", "unit_external_ref"])
    sheet.append(["PROP-1", "Fix", datetime(2026, 12, 1, 9, 0), 204])
    sheet["C2"].number_format = "yyyy-mm-dd hh:mm"
    sheet["D2"].number_format = "0000"
    book.save(tmp_path / "t.xlsx")
    frame = read_table(tmp_path / "t.xlsx").frame
    assert frame.loc[2].tolist() == ["PROP-1", "Fix", "2026-12-01T09:00:00", "0204"]


@pytest.mark.parametrize("code", ["0", "0.00", "#,##0", "000000;-000000", "@", "General", "0%", "00.0",
                                  "[Red]0000", "mm/dd/yyyy"])
def test_other_formats_are_not_padding(code):
    assert padding_format(code) is None


@pytest.mark.parametrize("code, stored, shown", [
    ("000000", "123", "000123"), ('"ID-"000', "12345", "ID-12345"), ("000000", "1.235E+2", "000124"),
    ("00\\-00", "7", "00-07"), ("00000", "0", "00000")])
def test_padding_formats_render_as_excel_does(code, stored, shown):
    tokens = padding_format(code)
    assert tokens is not None and render(tokens, stored) == shown
