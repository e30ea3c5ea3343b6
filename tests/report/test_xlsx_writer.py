"""The streaming XLSX results writer: the same cells as the openpyxl writer it replaced, read back with
openpyxl and with the project's own reader, and opened by LibreOffice where it is installed."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bulk_tasks.report.table import cell_errors, results_table
from bulk_tasks.shape.prepare import prepare
from bulk_tasks.read.table import read_table
from bulk_tasks.report.write import write_results
from bulk_tasks.statuses import Outcome, RowStatus
from xlsx_reference import write_reference_xlsx

HEADER = ["Property", "Task Ref", "Title", "Description", "Due Date", "Priority", "Assignee Email", "Assignee First Name",
          "Notes"]


def generated_input(path: Path, rows: int) -> Path:
    """A Travtus sheet with a mix of valid rows, broken cells and awkward text."""
    awkward = ["=SUM(A1:A2)", "@cmd", "+cmd|' /C calc'!A0", "-42", "a & b < c > d", "café ✓ 😀",
               "tab\there", "line one\nline two", "ctrl\x01char", "x" * 40_000, "  ", "שלום"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            due = "31/31/2026" if i % 7 == 3 else f"2026-12-{1 + i % 28:02d} {8 + i % 10:02d}:15"
            priority = "urgent-ish" if i % 11 == 5 else ("high", "Normal", "Very High")[i % 3]
            writer.writerow([f"PROP-{i % 13:03d}", f"REF-{i:05d}", f"Task {i}" if i % 17 else "",
                             awkward[i % len(awkward)], due, priority, f"tech{i % 5}@example.com", "Emily",
                             awkward[(i * 5) % len(awkward)] if i % 2 else ""])
    return path


def results_of(tmp_path: Path, rows: int = 300) -> tuple[pd.DataFrame, dict]:
    prepared = prepare(generated_input(tmp_path / "in.csv", rows), "travtus")
    outcomes = {row: Outcome(row, RowStatus.CREATED if row % 3 else RowStatus.FAILED, task_id=f"T{row}",
                             http_status=201 if row % 3 else 500, attempts=1 + row % 2,
                             error=None if row % 3 else "HTTP 500 with no explanation from the provider")
                for row in prepared.payloads}
    return results_table(prepared, outcomes, dry_run=False), cell_errors(prepared)


def cells_by_header(path: Path) -> dict[str, list[tuple]]:
    """Per sheet, per column header: every cell's value, type, fill colour, bold and comment."""
    workbook = openpyxl.load_workbook(path)
    found = {}
    for sheet in workbook.worksheets:
        columns = list(sheet.iter_cols())
        for column in columns:
            found[f"{sheet.title}!{column[0].value}"] = [
                (cell.value, cell.data_type, cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None,
                 bool(cell.font.b), cell.comment.text if cell.comment else None) for cell in column]
    return found


def test_the_streaming_writer_writes_the_cells_the_openpyxl_writer_wrote(tmp_path):
    table, errors = results_of(tmp_path)
    assert errors and table["_status"].nunique() == 3
    write_results(tmp_path / "new.xlsx", table, errors)
    write_reference_xlsx(tmp_path / "old.xlsx", table, errors)
    new, old = cells_by_header(tmp_path / "new.xlsx"), cells_by_header(tmp_path / "old.xlsx")
    assert new.keys() == old.keys()
    for header in old:
        assert new[header] == old[header], header


def test_odd_values_are_written_as_openpyxl_wrote_them(tmp_path):
    table = pd.DataFrame({"_row": [2, 3, 4], "_status": ["created", "weird", None],
                          "_error": [None, " padded ", "x" * 33_000],
                          "_http_status": [np.int64(201), np.nan, pd.NA], "_attempts": [1.5, True, None],
                          "Text": ["\x0bvertical tab", "<&>", "=1+1"]}, dtype=object)
    write_results(tmp_path / "new.xlsx", table, {(4, "Text"): "broken", (99, "Text"): "not in the table"})
    write_reference_xlsx(tmp_path / "old.xlsx", table, {(4, "Text"): "broken"})
    assert cells_by_header(tmp_path / "new.xlsx") == cells_by_header(tmp_path / "old.xlsx")


def test_a_carriage_return_survives_the_round_trip(tmp_path):
    """openpyxl lost it (XML turns a bare CR into LF); a changed text would be a different task."""
    table = pd.DataFrame({"_row": [2], "_status": ["created"], "Description": ["one\r\ntwo\rthree"]}, dtype=object)
    path = write_results(tmp_path / "r.xlsx", table)
    assert openpyxl.load_workbook(path)["Results"]["C2"].value == "one\r\ntwo\rthree"
    assert read_table(path).frame["Description"].tolist() == ["one\r\ntwo\rthree"]


def test_a_text_that_looks_like_an_excel_escape_stays_as_written(tmp_path):
    """Excel (and calamine) read ``_x0041_`` as ``A``; the writer escapes the underscore."""
    table = pd.DataFrame({"_row": [2], "_status": ["created"], "Ref": ["a_x0041_b"], "Other": ["_x12_"]},
                         dtype=object)
    path = write_results(tmp_path / "r.xlsx", table)
    assert read_table(path).frame[["Ref", "Other"]].values.tolist() == [["a_x0041_b", "_x12_"]]


def test_results_read_back_by_bulk_tasks_give_the_same_table(tmp_path):
    table, errors = results_of(tmp_path, rows=120)
    path = write_results(tmp_path / "r.xlsx", table, errors)
    back = read_table(path).frame
    for name in ("_status", "_error", "Title", "Description", "Due Date", "Notes"):
        expected = [None if v is None else str(v).strip() or None for v in table[name].tolist()]
        expected = [v[:32767 - 30] + " … [cut: over Excel's limit]" if v and len(v) > 32767 else v
                    for v in expected]
        expected = [v.replace("\x01", "\ufffd") if v else v for v in expected]
        assert back[name].tolist() == expected, name


def test_many_comments_get_a_drawing_excel_can_show(tmp_path):
    rows = 3000
    table = pd.DataFrame({"_row": list(range(2, rows + 2)), "_status": ["invalid"] * rows,
                          "Title": ["x"] * rows}, dtype=object)
    write_results(tmp_path / "r.xlsx", table, {(row, "Title"): f"rule {row}" for row in range(2, rows + 2)})
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Results"]
    assert sheet.cell(row=rows + 1, column=3).comment.text == f"rule {rows + 1}"
    import zipfile

    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        vml = archive.read("xl/drawings/vmlDrawing1.vml").decode()
    assert vml.count("<v:shape ") == rows and 'data="1,2,3"' in vml


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_results(tmp_path):
    table, errors = results_of(tmp_path, rows=60)
    path = write_results(tmp_path / "r.xlsx", table, errors)
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=300)
    sheets = {p.name: list(csv.reader(p.open(encoding="utf-8"))) for p in out.glob("*.csv")}
    results = next(rows for name, rows in sheets.items() if "Results" in name)
    assert results[0] == [cell.value for cell in openpyxl.load_workbook(path)["Results"][1]]
    assert len(results) == len(table) + 1
    statuses = [row[results[0].index("_status")] for row in results[1:]]
    assert statuses == table["_status"].tolist()
