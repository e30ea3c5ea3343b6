"""A row checked alone (an edit on the page) breaks exactly the rules it breaks within its whole sheet, and
the direct checks of a few rows (``rows.failure_cases``) find what pandera finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk_tasks.check import rows as rows_module
from bulk_tasks.check.rows import validate
from bulk_tasks.shape.prepare import ReadOptions, check_rows, prepare, value_reader
from helpers import write_csv

SAMPLES = Path(__file__).parents[2] / "samples"
MESSY = [["", "PROP-OAK", "T-1", "Fix", "31/31/2026", "urgent", "", "", "", "(510) 555-01", "x@", ""],
         ["G-1", "PROP-OAK", "T-2", "", "13/1/2026", "High", "EMP-1", "Ann", "ann@example.com", "", "", "#N/A"],
         ["", "", "T-3", "Call", "2026-03-08 02:30", "very high", "", "", "", "+14155550100", "", "=1+1"],
         ["", "PROP-ELM", "", "Paint", "1/2/2026", "lo", "", "Bo", "", "555", "bo@example.com", "x" * 40000],
         ["", "PROP-BAY", "T-5", "Mow", "12/1/2026 9:00 AM", "normal", "004417", "", "", "", "", ""]]
MESSY_HEADER = ["group_id", "Group External Ref", "Task Ref", "Title", "Due Date", "Priority", "Assignee Ref",
                "Assignee First Name", "Assignee Email", "Resident Phone", "Resident Email", "Notes"]


def sheets(tmp_path: Path) -> list[tuple[Path, str, ReadOptions]]:
    messy = write_csv(tmp_path / "messy.csv", MESSY_HEADER, MESSY * 3)
    return [(SAMPLES / "travtus-with-mistakes.csv", "travtus", ReadOptions(timezone="UTC")),
            (SAMPLES / "travtus-onboarding.csv", "travtus", ReadOptions(timezone="UTC")),
            (SAMPLES / "quo-follow-ups.csv", "quo", ReadOptions(timezone="UTC")),
            (messy, "travtus", ReadOptions(timezone="America/New_York")),
            (messy, "travtus", ReadOptions(timezone="UTC", dayfirst=True, phone_region="GB"))]


@pytest.mark.parametrize("which", range(5))
def test_each_row_alone_breaks_the_rules_it_breaks_in_its_sheet(tmp_path, which, monkeypatch):
    path, provider, options = sheets(tmp_path)[which]
    prepared = prepare(path, provider, options)
    reader = value_reader(prepared.reading)
    frame, match = prepared.table.frame, prepared.match
    monkeypatch.setattr(rows_module, "DIRECT_ROWS", 0)  # the whole sheet by pandera, whatever its size
    whole: dict[int, list] = {row: [] for row in frame.index}
    for error in validate(frame, match, prepared.provider, reader):
        whole[error.row].append(error)
    for row in frame.index:  # pandera, one row at a time
        assert validate(frame.loc[[row]], match, prepared.provider, reader) == whole[row], row
    monkeypatch.undo()
    assert any(whole.values()) or which in (1, 2)  # the clean samples have nothing to find
    for row in frame.index:  # directly, one row at a time, as an edit is checked
        alone, payloads = check_rows(frame.loc[[row]], match, prepared.provider, reader)
        assert alone == whole[row], row
        assert (row in payloads) == (not alone)
    some = list(frame.index[::2])
    assert validate(frame.loc[some], match, prepared.provider, reader) == sorted(
        error for row in some for error in whole[row])
