"""The results file: columns and order, Excel safety, BOM, atomic replace, XLSX formatting."""

from __future__ import annotations

import csv
import os

import openpyxl
import pandas as pd
import pytest

from bulk_tasks.check.formulas import is_dangerous
from bulk_tasks.report.write import default_results_path, write_results
from pathlib import Path


def table(**extra) -> pd.DataFrame:
    frame = pd.DataFrame({
        "_row": [2, 3], "_status": ["created", "invalid"], "_task_id": ["T1", None], "_request_id": [None, None],
        "_http_status": [200, None], "_attempts": [1, None], "_error": [None, "Due Date = 'x': bad"],
        "Title": ["=HYPERLINK(\"http://evil\")", "@SUM(A1)"], "Phone": ["+14155550100", "-5"],
        "Note": ["+cmd|' /C calc'!A0", "café"],
    }, dtype=object)
    for name, values in extra.items():
        frame[name] = values
    return frame


@pytest.mark.parametrize(("text", "dangerous"), [
    ("=1+1", True), ("@SUM(A1)", True), ("+cmd|x", True), ("-2+3", True), ("+14155550100", False),
    ("-5", False), ("-5.25", False), ("1e5", False), ("plain", False), ("a=b", False), ("", False),
])
def test_dangerous_values(text, dangerous):
    assert is_dangerous(text) is dangerous


def test_csv_results_are_utf8_with_bom_and_neutralized(tmp_path):
    path = write_results(tmp_path / "r.csv", table())
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["_row", "_status", "_error", "Title", "Phone", "Note",
                       "_task_id", "_request_id", "_http_status", "_attempts"]
    assert rows[1][3] == "'=HYPERLINK(\"http://evil\")"
    assert rows[2][3] == "'@SUM(A1)"
    assert rows[1][4] == "+14155550100" and rows[2][4] == "-5"
    assert rows[1][5] == "'+cmd|' /C calc'!A0" and rows[2][5] == "café"
    assert rows[1][6] == "T1" and rows[2][2] == "Due Date = 'x': bad"


def test_xlsx_results_store_formulas_as_text_and_are_formatted(tmp_path):
    path = write_results(tmp_path / "r.xlsx", table(), {(3, "Title"): "must not be odd"})
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Results", "Summary"]
    sheet = workbook["Results"]
    assert [cell.value for cell in sheet[1]] == ["_row", "_status", "_error", "Title", "Phone", "Note",
                                                 "_task_id", "_request_id", "_http_status", "_attempts"]
    assert sheet["D2"].value == "=HYPERLINK(\"http://evil\")" and sheet["D2"].data_type == "s"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J3"
    assert sheet["B2"].fill.fgColor.rgb.endswith("C6EFCE") and sheet["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["D3"].comment.text == "must not be odd"
    assert sheet["D3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["D2"].comment is None
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary == {"created": 1, "invalid": 1, "total": 2}


def test_replacement_is_atomic_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("old")
    with pytest.raises(AttributeError):
        write_results(target, "not a table")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["r.csv"]
    write_results(target, table())
    assert target.read_text(encoding="utf-8-sig").startswith("_row,")
    assert sorted(os.listdir(tmp_path)) == ["r.csv", "r.csv.written"]


@pytest.mark.parametrize(("name", "expected"), [("tasks.xlsx", "tasks.results.xlsx"), ("tasks.csv", "tasks.results.csv"),
                                                ("Tasks.XLSX", "Tasks.results.xlsx"), ("t.txt", "t.results.csv")])
def test_default_results_path_sits_beside_the_input(name, expected):
    assert default_results_path(Path("/data") / name) == Path("/data") / expected


def test_a_results_file_that_cannot_be_written_is_one_sentence(tmp_path):
    from bulk_tasks.errors import ResultsFileError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ResultsFileError, match="Cannot write the results file .*choose another place with --results"):
        write_results(blocker / "r.csv", table())


def test_a_results_file_keeps_the_mode_of_the_one_it_replaces_and_a_new_one_follows_the_umask(tmp_path):
    import os
    import stat

    table = pd.DataFrame({"_row": [2], "_status": ["created"], "Title": ["a"]})
    for name in ("r.csv", "r.xlsx"):
        path = tmp_path / name
        old = os.umask(0o027)
        try:
            write_results(path, table)
        finally:
            os.umask(old)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        path.chmod(0o664)
        write_results(path, table)
        assert stat.S_IMODE(path.stat().st_mode) == 0o664


def test_more_rows_than_an_excel_sheet_holds_is_one_sentence(tmp_path, monkeypatch):
    from bulk_tasks.report import xlsx_writer
    from bulk_tasks.errors import ResultsFileError

    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 2)
    with pytest.raises(ResultsFileError, match=r"cannot hold 2 rows: an Excel sheet holds 1 below its header.*"
                                               r"--results .*r\.csv"):
        write_results(tmp_path / "r.xlsx", table())
    assert not (tmp_path / "r.xlsx").exists()
    assert write_results(tmp_path / "r.csv", table()).exists()


def test_a_run_too_big_for_an_xlsx_results_file_sends_nothing(tmp_path, monkeypatch, capsys):
    from bulk_tasks.report import xlsx_writer
    from bulk_tasks.cli import main
    from bulk_tasks.sandbox import sandbox_in_thread

    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 2)
    source = tmp_path / "t.csv"
    source.write_text("Group External Ref,Title\nP1,a\nP1,b\n", encoding="utf-8")
    with sandbox_in_thread() as sandbox:
        for name, value in sandbox.environment().items():
            monkeypatch.setenv(name, value)
        code = main(["run", str(source), "-p", "travtus", "--base-url", sandbox.url, "-q",
                     "--results", str(tmp_path / "t.results.xlsx")])
        assert code == 2 and not sandbox.state.tasks
    assert "an Excel sheet holds 1 below its header" in capsys.readouterr().err
