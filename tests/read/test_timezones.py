"""Times mean what the user meant: the computer's zone by default, said on every run, kept per import."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bulk_tasks import ReadOptions, prepare
from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx

QUO_HEADER = ["Title", "Description", "Due Date", "phoneNumberId"]
TRAVTUS_HEADER = ["group_external_ref", "title", "due_datetime"]


def quo_sheet(tmp_path: Path, *dates: str, name: str = "q.csv") -> Path:
    rows = [[f"Call {n}", "Pricing", date, "PNk3Ra9XwQ2m"] for n, date in enumerate(dates)]
    return write_csv(tmp_path / name, QUO_HEADER, rows)


def payloads(path: Path) -> list[dict]:
    report = pd.read_csv(path.with_name(f"{path.stem}.results.csv"), dtype=str, keep_default_na=False,
                         encoding="utf-8-sig")
    return [json.loads(text) for text in report["_payload"]]


def test_naive_times_are_read_in_the_computers_zone_and_the_run_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "12/1/2026 9:00 AM", "12/1/2026")
    assert main(["run", str(path), "-p", "quo", "--dry-run"]) == 0
    assert [p["dueDate"] for p in payloads(path)] == ["2026-12-01T14:00:00Z", "2026-12-01T05:00:00Z"]
    err = capsys.readouterr().err
    assert ("Dates without a time zone were read as America/New_York (this computer's zone); "
            "use --timezone to change.") in err


def test_validate_says_the_zone_too_and_timezone_overrides_the_computer(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    path = quo_sheet(tmp_path, "2026-12-01 09:00")
    assert main(["validate", str(path), "-p", "quo"]) == 0
    assert "were read as Asia/Tokyo (this computer's zone)" in capsys.readouterr().err
    assert main(["run", str(path), "-p", "quo", "--dry-run", "--timezone", "Europe/London"]) == 0
    assert payloads(path)[0]["dueDate"] == "2026-12-01T09:00:00Z"
    assert "Dates without a time zone were read as Europe/London (given with --timezone)." \
        in capsys.readouterr().err


def test_utc_only_when_the_computer_has_no_zone(tmp_path, monkeypatch, capsys):
    import tzlocal

    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: None)
    path = quo_sheet(tmp_path, "2026-12-01 09:00")
    assert main(["run", str(path), "-p", "quo", "--dry-run"]) == 0
    assert payloads(path)[0]["dueDate"] == "2026-12-01T09:00:00Z"
    assert ("read as UTC (no time zone is set on this computer); use --timezone to change."
            in capsys.readouterr().err)


def test_no_word_about_zones_when_no_date_lacks_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "2026-12-01T09:00:00Z", "")
    assert main(["validate", str(path), "-p", "quo"]) == 0
    assert "time zone" not in capsys.readouterr().err


def test_excel_date_cells_are_in_the_computers_zone(tmp_path, monkeypatch):
    from datetime import datetime

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    path = write_xlsx(tmp_path / "q.xlsx", QUO_HEADER, [["Call", "Desc", datetime(2026, 12, 2, 14, 0), "PNk3Ra9XwQ2m"]])
    prepared = prepare(path, "quo")
    assert prepared.payloads[2]["dueDate"] == "2026-12-02T22:00:00Z"
    assert prepared.reading.timezone == "America/Los_Angeles"


# --- the journal keeps the reading options of an import ----------------------------------------------

def sandbox_run(path: Path, *options: str) -> int:
    return main(["run", str(path), "-p", "quo", "--sandbox", "-q", *options])


def reading_records(path: Path) -> list[dict]:
    journal = path.with_name(f"{path.stem}.results.journal.jsonl")
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    return [line for line in lines if line.get("type") == "reading"]


def test_a_rerun_in_another_zone_is_refused_naming_the_earlier_zone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "2026-12-01 09:00", "2026-12-02 09:00")
    assert sandbox_run(path) == 0
    assert reading_records(path) == [{"type": "reading", "timezone": "America/New_York", "dayfirst": False,
                                      "phone_region": "US"}]
    capsys.readouterr()
    monkeypatch.setenv("TZ", "Europe/London")
    assert sandbox_run(path) == 2
    err = capsys.readouterr().err
    assert "This import was run before with --timezone America/New_York" in err
    assert "--timezone Europe/London (this computer's zone)" in err
    assert "could be created twice" in err and "Traceback" not in err
    assert sandbox_run(path, "--timezone", "America/New_York") == 0
    assert "2 already_created" in capsys.readouterr().out


def test_the_user_may_change_the_zone_explicitly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "2026-12-01 09:00")
    assert sandbox_run(path) == 0
    assert sandbox_run(path, "--timezone", "Europe/London") == 0
    assert [r["timezone"] for r in reading_records(path)] == ["America/New_York", "Europe/London"]
    capsys.readouterr()
    monkeypatch.setenv("TZ", "America/New_York")
    assert sandbox_run(path) == 2
    assert "run before with --timezone Europe/London" in capsys.readouterr().err


def test_another_name_of_the_same_zone_is_not_a_change(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "2026-12-01 09:00")
    assert sandbox_run(path) == 0
    monkeypatch.setenv("TZ", "US/Eastern")
    assert sandbox_run(path) == 0
    assert "1 already_created" in capsys.readouterr().out
    monkeypatch.setenv("TZ", "US/Central")
    assert sandbox_run(path) == 2


def test_a_sheet_whose_dates_do_not_depend_on_the_zone_is_not_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "2026-12-01T09:00:00Z")
    assert sandbox_run(path) == 0
    monkeypatch.setenv("TZ", "Europe/London")
    assert sandbox_run(path) == 0


def test_dayfirst_is_kept_per_import_too(tmp_path, capsys):
    path = quo_sheet(tmp_path, "1/2/2026 09:00")
    assert sandbox_run(path, "--dayfirst", "--timezone", "UTC") == 0
    capsys.readouterr()
    assert sandbox_run(path, "--timezone", "UTC") == 2
    err = capsys.readouterr().err
    assert "run before with --dayfirst" in err and "give --no-dayfirst yourself" in err
    assert sandbox_run(path, "--no-dayfirst", "--timezone", "UTC") == 0


# --- day first or month first ----------------------------------------------------------------------

def test_a_date_that_reads_only_day_first_suggests_dayfirst(tmp_path, capsys):
    path = quo_sheet(tmp_path, "13/02/2026", "1/2/2026")
    assert main(["validate", str(path), "-p", "quo", "--timezone", "UTC"]) == 1
    out = capsys.readouterr().out
    assert "Due Date: is a date only when read day first (day/month/year)" in out
    assert "run again with --dayfirst (row 2)" in out
    assert main(["validate", str(path), "-p", "quo", "--timezone", "UTC", "--dayfirst"]) == 0


def test_a_date_that_reads_only_month_first_under_dayfirst_says_so(tmp_path, capsys):
    path = quo_sheet(tmp_path, "2/13/2026")
    assert main(["validate", str(path), "-p", "quo", "--dayfirst"]) == 1
    assert "is a date only when read month first" in capsys.readouterr().out


def test_a_column_of_dates_that_read_both_ways_is_pointed_out(tmp_path, capsys):
    path = quo_sheet(tmp_path, "1/2/2026", "3/4/2026 10:00", "5/5/2026", "2026-06-01")
    assert main(["validate", str(path), "-p", "quo"]) == 0
    err = capsys.readouterr().err
    assert ("Due Date: every date like 1/2/2026 reads both as month/day/year and as day/month/year; they were "
            "read month first (1/2/2026 = 2 January 2026). If they are written day first, run again with "
            "--dayfirst.") in err
    assert main(["validate", str(path), "-p", "quo", "--dayfirst"]) == 0
    assert "reads both" not in capsys.readouterr().err


def test_no_warning_when_one_date_settles_the_order(tmp_path, capsys):
    path = quo_sheet(tmp_path, "1/2/2026", "12/25/2026")
    assert main(["validate", str(path), "-p", "quo"]) == 0
    assert "reads both" not in capsys.readouterr().err


def test_not_a_date_hint_shows_day_first_examples_under_dayfirst(tmp_path, capsys):
    path = quo_sheet(tmp_path, "someday")
    assert main(["validate", str(path), "-p", "quo"]) == 1
    assert "12/1/2026 9:00 AM or December 1, 2026 (a real calendar date)" in capsys.readouterr().out
    assert main(["validate", str(path), "-p", "quo", "--dayfirst"]) == 1
    out = capsys.readouterr().out
    assert "1/12/2026 9:00 AM or December 1, 2026 (day first, as --dayfirst reads; a real calendar date)" in out
    assert "12/1/2026" not in out


# --- daylight saving time --------------------------------------------------------------------------

@pytest.mark.parametrize("provider", ["quo", "travtus"])
def test_a_time_in_the_spring_forward_gap_is_invalid_for_every_provider(tmp_path, provider):
    if provider == "quo":
        path = quo_sheet(tmp_path, "2026-03-08 02:30")
    else:
        path = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, [["PROP-1", "Fix", "3/8/2026 2:30 AM"]])
    prepared = prepare(path, provider, ReadOptions(timezone="America/New_York"))
    assert prepared.payloads == {}
    [error] = prepared.errors
    assert error.rule.startswith("is a time that does not exist in America/New_York: the clocks skip that hour")


def test_a_repeated_hour_is_its_first_occurrence(tmp_path):
    options = ReadOptions(timezone="America/New_York")
    quo = prepare(quo_sheet(tmp_path, "2026-11-01 01:30"), "quo", options)
    assert quo.payloads[2]["dueDate"] == "2026-11-01T05:30:00Z"  # 01:30 EDT, not 01:30 EST (06:30Z)
    travtus = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, [["PROP-1", "Fix", "2026-11-01 01:30"]])
    assert prepare(travtus, "travtus", options).payloads[2]["due_datetime"] == "2026-11-01T01:30:00"


def test_a_run_that_sent_nothing_binds_no_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    path = quo_sheet(tmp_path, "2026-12-01 09:00", "not a date")
    assert sandbox_run(path) == 1  # blocked by the invalid row: nothing sent
    path.write_text(path.read_text().replace("not a date", "2026-12-02 09:00"))
    monkeypatch.setenv("TZ", "Europe/London")
    assert sandbox_run(path) == 0
    assert [r["timezone"] for r in reading_records(path)] == ["Europe/London"]  # the blocked run left no journal


def test_a_date_alone_whose_midnight_is_skipped_is_the_first_moment_of_that_day(tmp_path):
    # Chile springs forward at midnight: 2026-09-06 00:00 never happens in America/Santiago.
    options = ReadOptions(timezone="America/Santiago")
    travtus = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, [["PROP-1", "Fix", "2026-09-06"], ["PROP-1", "Fix again", "9/6/2026"]])
    prepared = prepare(travtus, "travtus", options)
    assert prepared.errors == []
    assert [p["due_datetime"] for p in prepared.payloads.values()] == ["2026-09-06T01:00:00"] * 2
    quo = prepare(quo_sheet(tmp_path, "2026-09-06", "2026-09-06 00:30"), "quo", options)
    assert quo.payloads[2]["dueDate"] == "2026-09-06T04:00:00Z"
    assert quo.errors[0].row == 3 and quo.errors[0].rule.startswith("is a time that does not exist")
