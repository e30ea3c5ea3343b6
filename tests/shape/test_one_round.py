"""Every problem in one check: duplicates among invalid rows too; a results file keeps the sheet's row numbers."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

HEADER = ["group_external_ref", "external_ref", "title", "due_datetime"]


def _results(path):
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name="Results", dtype=str, engine="openpyxl").fillna("")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _errors(path):
    report = _results(path)
    return dict(zip(report["_row"].astype(int), report["_error"]))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_duplicates_among_invalid_rows_are_found_with_the_other_problems(tmp_path, capsys, suffix):
    rows = [["PROP-1", "T-1", "Fix the boiler", "2026-12-03"],
            ["PROP-1", "T-2", "Paint the hall", "2026-12-04"],
            ["PROP-1", "T-1", "Fix the boiler", "someday"],       # invalid, and the same task as row 2
            ["PROP-1", "T-3", "Clean", "not a date"],
            ["PROP-1", "T-3", "Clean", "not a date"],            # invalid twice over: T-3 again
            ["", "", "Call", "2026-13-45"],
            ["", "", "Call", "2026-13-45"],                      # no reference: the same cells again
            ["PROP-1", "T-4", "Wash", "2026-12-05"],
            ["", "T-4", "Wash", "2026-12-05"]]                   # invalid (no group), same task as row 9
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"tasks{suffix}", HEADER, rows)
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "UTC"]) == 1
    errors = _errors(tmp_path / f"tasks.results{suffix}")
    assert "external_ref = 'T-1': duplicate of row 2" in errors[4]
    assert "is not a date" in errors[4]
    assert "external_ref = 'T-3': duplicate of row 5" in errors[6] and "duplicate" not in errors[5]
    assert "(whole row): duplicate of row 7" in errors[8]
    assert "external_ref = 'T-4': duplicate of row 9" in errors[10]
    assert errors[2] == errors[3] == errors[9] == ""


def test_allow_duplicates_still_allows_them(tmp_path, capsys):
    rows = [["PROP-1", "T-1", "Fix the boiler", "2026-12-03"], ["PROP-1", "T-1", "Fix the boiler", "someday"]]
    path = write_csv(tmp_path / "tasks.csv", HEADER, rows)
    assert main(["run", str(path), "-p", "travtus", "--dry-run", "--timezone", "UTC", "--allow-duplicates"]) == 1
    assert "duplicate" not in _errors(tmp_path / "tasks.results.csv")[3]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_results_file_given_back_keeps_the_row_numbers_of_the_original_sheet(tmp_path, capsys, suffix):
    rows = [["PROP-1", "T-1", "Fix the boiler", "2026-12-03"], [None, None, None, None],
            ["PROP-1", "T-2", "Paint the hall", "someday"], [None, None, None, None],
            ["PROP-1", "T-3", "Clean", "2026-12-05"]]
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"tasks{suffix}", HEADER, rows)
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "UTC"]) == 1
    first = _errors(tmp_path / f"tasks.results{suffix}")
    assert list(first) == [2, 4, 6] and "someday" in first[4]
    capsys.readouterr()
    again = shutil.copy(tmp_path / f"tasks.results{suffix}", tmp_path / f"again{suffix}")
    assert main(["validate", str(again), "-p", "travtus", "--timezone", "UTC"]) == 1
    assert "(row 4)" in capsys.readouterr().out
    second = _errors(tmp_path / f"again.results{suffix}")
    assert list(second) == [2, 4, 6] and "someday" in second[4]
