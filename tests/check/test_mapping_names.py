"""The --mapping file reads its columns and field names as headers are read; a missing required field gets a
did-you-mean among the sheet's columns."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

HEADER = ["Subject line", "Details", "Phone Number Id"]
ROWS = [["Call back", "Pricing", "PN1"]]


@pytest.mark.parametrize("mapping", [
    {"Subject line": "Title"}, {"subject line": "TITLE"}, {"SUBJECT-LINE": "title"}, {"Subject line": " title "},
])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_case_and_punctuation_do_not_matter_on_either_side(tmp_path, capsys, mapping, suffix):
    path = (write_csv if suffix == ".csv" else write_xlsx)(tmp_path / f"tasks{suffix}", HEADER, ROWS)
    (tmp_path / "mapping.json").write_text(json.dumps(mapping), encoding="utf-8")
    assert main(["run", str(path), "-p", "quo", "--dry-run", "--mapping", str(tmp_path / "mapping.json"),
                 "--results", str(tmp_path / "out.csv")]) == 0
    report = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert json.loads(report["_payload"][0]) == {"title": "Call back", "description": "Pricing",
                                                 "phoneNumberId": "PN1"}


def test_a_column_the_sheet_lacks_gets_a_did_you_mean(tmp_path, capsys):
    path = write_csv(tmp_path / "tasks.csv", HEADER, ROWS)
    (tmp_path / "mapping.json").write_text(json.dumps({"Subjet line": "title"}), encoding="utf-8")
    assert main(["validate", str(path), "-p", "quo", "--mapping", str(tmp_path / "mapping.json")]) == 2
    assert "names the column 'Subjet line', which is not in the sheet (did you mean 'Subject line'?)" \
        in capsys.readouterr().err


@pytest.mark.parametrize(("header", "suggested"), [("Name of task", "Name of task"), ("Task Title", None),
                                                   ("Titel", "Titel")])
def test_a_missing_required_field_gets_a_did_you_mean_among_the_columns(tmp_path, capsys, header, suggested):
    path = write_csv(tmp_path / "tasks.csv", [header, "Description", "phoneNumberId", "Notes"],
                     [["Call back", "Pricing", "PN1", ""]])
    code = main(["validate", str(path), "-p", "quo"])
    err = capsys.readouterr().err
    if suggested is None:
        assert code == 0
    else:
        assert code == 2
        assert f"The sheet has no column for title (did you mean {suggested!r}?)" in err


def test_with_nothing_close_the_columns_not_read_are_listed(tmp_path, capsys):
    path = write_csv(tmp_path / "tasks.csv", ["Betreff", "Description", "phoneNumberId"], [["Call", "d", "PN1"]])
    assert main(["validate", str(path), "-p", "quo"]) == 2
    assert "no column for title (the sheet's columns not read: 'Betreff'): rename the column" in \
        capsys.readouterr().err
