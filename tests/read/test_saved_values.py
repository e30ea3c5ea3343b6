"""Formula cells and their saved values, in real workbooks: an empty ``<v/>`` is a formula never computed."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from bulk_tasks.cli import main
from bulk_tasks.errors import UnreadableFileError
from bulk_tasks.read.table import read_table

SHEET = "xl/worksheets/sheet1.xml"


def _openpyxl_formulas(path):
    """What openpyxl (and other programs) write for a formula: ``<f>…</f><v/>``, no result saved."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tasks"
    sheet.append(["Title", "Description", "phoneNumberId"])
    sheet.append(['=UPPER("fix the boiler")', "Flat 4", "PN1"])
    sheet.append(["Call back", "Block B", "PN1"])
    book.save(path)
    return path


def _rewrite_sheet(path, old: bytes, new: bytes):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert old in members[SHEET]
    members[SHEET] = members[SHEET].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_openpyxl_writes_an_empty_saved_value(tmp_path):
    path = _openpyxl_formulas(tmp_path / "tasks.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert b"<v />" in archive.read(SHEET) or b"<v/>" in archive.read(SHEET)


def test_a_formula_with_an_empty_saved_value_is_refused(tmp_path):
    path = _openpyxl_formulas(tmp_path / "tasks.xlsx")
    with pytest.raises(UnreadableFileError, match=r"formulas whose results were never saved \(cells A2\)"):
        read_table(path)


def test_the_cli_refuses_it_with_exit_2(tmp_path, capsys):
    path = _openpyxl_formulas(tmp_path / "tasks.xlsx")
    assert main(["validate", str(path), "-p", "quo"]) == 2
    out, err = capsys.readouterr()
    assert "has formulas whose results were never saved (cells A2)" in out + err
    assert "Traceback" not in out + err


def test_excels_saved_empty_string_stays_an_empty_cell(tmp_path):
    path = _openpyxl_formulas(tmp_path / "tasks.xlsx")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(SHEET)
    start = xml.index(b'<c r="A2"')
    old = xml[start:xml.index(b"</c>", start) + 4]
    path = _rewrite_sheet(path, old, b'<c r="A2" t="str"><f>IF(B2="","",B2)</f><v></v></c>'
                                     b'<c r="D2" t="str"><f>""</f><v/></c>')
    table = read_table(path)
    assert table.frame.loc[2, "Title"] is None
    assert table.frame.loc[2, "Description"] == "Flat 4"
