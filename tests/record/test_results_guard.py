"""A results file the user edited is never replaced by a run of the original input."""

from __future__ import annotations

import os

import openpyxl
import pytest

from bulk_tasks.cli import main
from bulk_tasks.record.guard import sidecar_path, unchanged_since_written
from bulk_tasks.sandbox import sandbox_in_thread

ROWS = "Group External Ref,Title,Priority\nPROP-OAK,Fix the door,high\nPROP-OAK,Paint the hall,urgent\nPROP-ELM,Gutters,low\n"


@pytest.fixture
def source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tasks.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def fix_in_excel(path, value="normal"):
    """What a person does: open the results, fix the invalid priority, save."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Results"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=header.index("Priority") + 1, value=value)
    workbook.save(path)


def test_an_edited_xlsx_results_file_is_kept_and_the_sentence_says_what_to_run(source, capsys):
    results = source.with_name("tasks.results.xlsx")
    assert main(["validate", str(source), "-p", "travtus", "--results", str(results)]) == 1
    assert unchanged_since_written(results)
    fix_in_excel(results)
    edited = results.read_bytes()
    capsys.readouterr()
    assert main(["validate", str(source), "-p", "travtus", "--results", str(results)]) == 2
    error = capsys.readouterr().err
    assert results.read_bytes() == edited
    assert f"{results} was changed after bulk-tasks wrote it" in error and str(source) in error
    assert f"bulk-tasks validate {results} --provider travtus" in error and "--results" in error
    assert "Traceback" not in error
    assert main(["validate", str(results), "-p", "travtus"]) == 0, "the fixed file given as input is updated in place"
    assert openpyxl.load_workbook(results)["Results"]["B3"].value == "dry_run"
    assert unchanged_since_written(results)


def test_an_unchanged_results_file_is_replaced_as_before(source):
    results = source.with_name("tasks.results.xlsx")
    assert main(["validate", str(source), "-p", "travtus", "--results", str(results)]) == 1
    first = results.stat().st_mtime_ns
    os.utime(results, ns=(first - 10**9, first - 10**9))
    assert main(["validate", str(source), "-p", "travtus", "--results", str(results)]) == 1
    assert results.stat().st_mtime_ns != first - 10**9


def test_an_edited_csv_results_file_is_kept(source, capsys):
    results = source.with_name("tasks.results.csv")
    assert main(["validate", str(source), "-p", "travtus"]) == 1
    assert sidecar_path(results).exists() and unchanged_since_written(results)
    assert main(["validate", str(source), "-p", "travtus"]) == 1, "not edited: replaced"
    edited = results.read_text(encoding="utf-8-sig").replace(",urgent", ",normal")
    results.write_text(edited, encoding="utf-8-sig")
    capsys.readouterr()
    assert main(["validate", str(source), "-p", "travtus"]) == 2
    assert "tasks.results.csv was changed after bulk-tasks wrote it" in capsys.readouterr().err
    assert results.read_text(encoding="utf-8-sig") == edited
    assert main(["validate", str(results), "-p", "travtus"]) == 0


def test_a_file_bulk_tasks_did_not_write_is_not_overwritten(source, capsys):
    other = source.with_name("budget.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "someone's work"
    workbook.save(other)
    assert main(["validate", str(source), "-p", "travtus", "--results", str(other)]) == 2
    assert "was not written by bulk-tasks" in capsys.readouterr().err
    assert openpyxl.load_workbook(other).active["A1"].value == "someone's work"


def test_a_run_of_the_original_input_sends_nothing_when_the_results_were_edited(source, capsys, monkeypatch):
    source.write_text(ROWS.replace("urgent", "high"), encoding="utf-8")
    results = source.with_name("tasks.results.xlsx")
    with sandbox_in_thread() as sandbox:
        for name, value in sandbox.environment().items():
            monkeypatch.setenv(name, value)
        common = ["-p", "travtus", "--base-url", sandbox.url, "--results", str(results), "-q"]
        assert main(["run", str(source), *common]) == 0
        assert len(sandbox.state.tasks) == 3
        fix_in_excel(results, "low")
        capsys.readouterr()
        assert main(["run", str(source), *common]) == 2
        assert f"bulk-tasks run {results} --provider travtus" in capsys.readouterr().err
        assert len(sandbox.state.tasks) == 3
