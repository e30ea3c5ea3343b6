"""Dates as ops people type them, read from real CSV and .xlsx files to what a person means."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

HEADER = ["group_external_ref", "title", "due_datetime"]

#: What a person typed → what they meant, as Travtus is sent it (local time in --timezone, UTC here).
TYPED = {
    "December 10, 2026": "2026-12-10T00:00:00",
    "Dec 10, 2026": "2026-12-10T00:00:00",
    "dec 10 2026": "2026-12-10T00:00:00",
    "10 Dec 2026": "2026-12-10T00:00:00",
    "10 DECEMBER, 2026": "2026-12-10T00:00:00",
    "3-Dec-26": "2026-12-03T00:00:00",
    "3-Dec-95": "1995-12-03T00:00:00",
    "12/4/26": "2026-12-04T00:00:00",
    "12/4/29": "2029-12-04T00:00:00",
    "12/4/30": "1930-12-04T00:00:00",
    "12/03/2026 9am": "2026-12-03T09:00:00",
    "12/03/2026 9 AM": "2026-12-03T09:00:00",
    "12/03/2026 9:30 pm": "2026-12-03T21:30:00",
    "12/03/2026 9:30PM": "2026-12-03T21:30:00",
    "12/03/2026 12am": "2026-12-03T00:00:00",
    "12/03/2026 12 pm": "2026-12-03T12:00:00",
    "Thursday, December 3, 2026": "2026-12-03T00:00:00",
    "Thu 3 Dec 2026": "2026-12-03T00:00:00",
    "Dec. 3rd, 2026 at 4:15 PM": "2026-12-03T16:15:00",
    "December 3, 2026 14:30": "2026-12-03T14:30:00",
    "Sept 3, 2026": "2026-09-03T00:00:00",
    "20261203": "2026-12-03T00:00:00",
    "2026-335": "2026-12-01T00:00:00",
    "2026-W49-4": "2026-12-03T00:00:00",
    "2026-12-03 9am": "2026-12-03T09:00:00",
    "2026-12-03": "2026-12-03T00:00:00",
}


def _rows(values):
    return [["PROP-1", f"Task {n}", value] for n, value in enumerate(values)]


def _results(path):
    results = path.with_name(f"{path.stem}.results.csv")
    return pd.read_csv(results, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_typed_form_is_read_to_what_a_person_means(tmp_path, capsys, suffix):
    values = list(TYPED)
    path = tmp_path / f"tasks{suffix}"
    (write_csv if suffix == ".csv" else write_xlsx)(path, HEADER, _rows(values))
    code = main(["run", str(path), "-p", "travtus", "--dry-run", "--timezone", "UTC", "--results",
                 str(tmp_path / "tasks.results.csv")])
    report = _results(tmp_path / "tasks.csv")
    assert code == 0, report["_error"].tolist()
    sent = [json.loads(text)["due_datetime"] for text in report["_payload"]]
    assert dict(zip(values, sent)) == TYPED


def test_dayfirst_decides_slashed_dates_only(tmp_path, capsys):
    path = write_csv(tmp_path / "tasks.csv", HEADER, _rows(["4/12/26 9am", "3-Dec-26", "December 3, 2026"]))
    assert main(["run", str(path), "-p", "travtus", "--dry-run", "--timezone", "UTC", "--dayfirst"]) == 0
    sent = [json.loads(text)["due_datetime"] for text in _results(path)["_payload"]]
    assert sent == ["2026-12-04T09:00:00", "2026-12-03T00:00:00", "2026-12-03T00:00:00"]


@pytest.mark.parametrize(("typed", "said"), [
    ("Dec 3", "has no year: write the whole date, such as Dec 3, 2026"),
    ("3 December", "has no year: write the whole date, such as 3 December, 2026"),
    ("12/8", "has no year: write the whole date, such as 12/8/2026"),
    ("tomorrow", "is a word, not a date: bulk-tasks sends exact dates"),
    ("ASAP", "is a word, not a date"),
    ("next Friday", "is a word, not a date"),
    ("Friday, December 3, 2026", "says Friday, but that date is a Thursday"),
    ("13/13/26", "is not a date bulk-tasks can read"),
    ("12/03/2026 13pm", "is not a date bulk-tasks can read"),
    ("Mayo 3, 2026", "is not a date bulk-tasks can read"),
])
def test_what_is_not_a_date_says_why(tmp_path, capsys, typed, said):
    path = write_csv(tmp_path / "tasks.csv", HEADER, _rows([typed]))
    assert main(["validate", str(path), "-p", "travtus", "--timezone", "UTC"]) == 1
    error = _results(path)["_error"][0]
    assert said in error
    assert typed in error


@pytest.mark.parametrize(("zone", "typed", "valid"), [
    ("Asia/Tokyo", "1900-01-01 00:00", False),     # 1899-12-31T15:00:00Z in UTC
    ("Asia/Tokyo", "1900-01-01 09:00", True),      # 1900-01-01T00:00:00Z
    ("America/New_York", "1900-01-01 00:00", True),
    ("UTC", "1900-01-01T08:00:00+09:00", False),    # an offset that puts it in 1899 in UTC
    ("America/New_York", "1900-01-01T02:00:00Z", False),  # 1899-12-31 in the zone Travtus is sent
])
@pytest.mark.parametrize("provider", ["quo", "travtus"])
def test_dates_before_1900_once_moved_to_the_zone_or_utc_are_invalid(tmp_path, capsys, zone, typed, valid,
                                                                     provider):
    if provider == "quo":
        path = write_csv(tmp_path / "tasks.csv", ["Title", "Description", "Due Date", "phoneNumberId"],
                         [["Call", "Pricing", typed, "PN1"]])
    else:
        path = write_csv(tmp_path / "tasks.csv", HEADER, _rows([typed]))
    code = main(["run", str(path), "-p", provider, "--dry-run", "--timezone", zone])
    report = _results(path)
    assert (code, report["_status"][0]) == ((0, "dry_run") if valid else (1, "invalid"))
    if not valid:
        assert "is outside the dates bulk-tasks accepts: from 1900-01-01" in report["_error"][0]
    else:
        sent = json.loads(report["_payload"][0])
        assert sent.get("dueDate", sent.get("due_datetime")) >= "1900-01-01"
