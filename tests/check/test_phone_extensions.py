"""A phone extension is never dropped without a word: the number is sent, the row says the extension was not."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

HEADER = ["group_external_ref", "title", "Assignee Phone", "Assignee Firstname"]
ROWS = [["PROP-OAK", "Call the plumber", "415-555-0100 ext. 23", "Ana"],
        ["PROP-OAK", "Call the roofer", "415-555-0101 x7", "Ben"],
        ["PROP-OAK", "Call the painter", "415-555-0102", "Cy"]]


def _results(path):
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name="Results", dtype=str, engine="openpyxl").fillna("")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_number_is_sent_and_the_row_says_the_extension_was_not(tmp_path, capsys, suffix):
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"tasks{suffix}", HEADER, ROWS)
    assert main(["run", str(path), "-p", "travtus", "--dry-run", "--timezone", "UTC"]) == 0
    out, err = capsys.readouterr()
    report = _results(tmp_path / f"tasks.results{suffix}")
    assert report["_status"].tolist() == ["dry_run"] * 3
    phones = [json.loads(text)["assignee"]["phone_number"] for text in report["_payload"]]
    assert phones == ["+14155550100", "+14155550101", "+14155550102"]
    assert report["_error"][0] == ("warning: Assignee Phone = '415-555-0100 ext. 23': the extension 23 was not sent "
                                   "(Travtus has no field for it, only the number +14155550100)")
    assert "the extension 7 was not sent" in report["_error"][1]
    assert report["_error"][2] == ""
    assert ("Assignee Phone: 2 phone numbers with an extension (such as '415-555-0100 ext. 23', row 2): the number "
            "is sent without it") in out + err


def test_a_warning_never_makes_a_row_invalid_and_sits_beside_its_errors(tmp_path, capsys):
    rows = [["", "Call the plumber", "415-555-0100 ext. 23", "Ana"], *ROWS[1:]]
    path = write_csv(tmp_path / "tasks.csv", HEADER, rows)
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "UTC"]) == 1
    report = _results(tmp_path / "tasks.results.csv")
    assert report["_status"].tolist() == ["invalid", "dry_run", "dry_run"]
    assert "extension" not in report["_error"][0]
    assert "the extension 7 was not sent" in report["_error"][1]


def test_a_sent_row_keeps_its_warning_in_the_results(tmp_path, capsys, monkeypatch):
    from bulk_tasks.sandbox import sandbox_in_thread

    path = write_csv(tmp_path / "tasks.csv", HEADER, ROWS[:1])
    with sandbox_in_thread() as running:
        for name, value in running.environment().items():
            monkeypatch.setenv(name, value)
        code = main(["run", str(path), "-p", "travtus", "--base-url", running.url, "--quiet", "--timezone", "UTC"])
        assert running.state.stats
    report = _results(tmp_path / "tasks.results.csv")
    assert (code, report["_status"][0]) == (0, "created"), report["_error"][0]
    assert "the extension 23 was not sent" in report["_error"][0]


def test_the_results_workbook_shows_the_warning(tmp_path, capsys):
    path = write_xlsx(tmp_path / "tasks.xlsx", HEADER, ROWS[:1])
    assert main(["run", str(path), "-p", "travtus", "--dry-run", "--timezone", "UTC"]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "tasks.results.xlsx")["Results"]
    header = [cell.value for cell in sheet[1]]
    assert "the extension 23 was not sent" in sheet.cell(2, header.index("_error") + 1).value
