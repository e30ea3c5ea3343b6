"""`validate`, `run --dry-run` and `template` as a user runs them, on real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bulk_tasks.cli import build_parser, main
from helpers import write_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def results_of(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name="Results", dtype=str, engine="openpyxl")
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def test_validate_mistakes_sample_groups_problems_and_writes_the_report(tmp_path, capsys):
    source = shutil.copy(SAMPLES / "travtus-with-mistakes.csv", tmp_path / "m.csv")
    code = main(["validate", str(source), "--provider", "travtus"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "6 of 11 rows are invalid" in out
    assert "Priority: must be one of: low, normal, high, very_high; did you mean 'very_high'? (row 9)" in out
    assert "rows 4, 5" in out
    assert "Building Manager" in err
    report = results_of(tmp_path / "m.results.csv")
    assert report["_row"].tolist() == ["2", "3", "4", "5", "6", "7", "9", "10", "11", "12", "13"]
    assert report.set_index("_row").loc["9", "_status"] == "invalid"
    assert "Priority = 'urgent'" in report.set_index("_row").loc["9", "_error"]
    assert "Building Manager" in report.columns


def test_validate_clean_sample_exits_zero(tmp_path, capsys):
    source = shutil.copy(SAMPLES / "quo-follow-ups.csv", tmp_path / "q.csv")
    assert main(["validate", str(source), "-p", "quo", "--sandbox"]) == 0  # its numbers and e-mails looked up
    assert "15 dry_run" in capsys.readouterr().out


def test_dry_run_xlsx_has_payloads_highlights_and_comments(tmp_path, capsys):
    source = shutil.copy(SAMPLES / "travtus-monthly-maintenance.xlsx", tmp_path / "m.xlsx")
    assert main(["run", str(source), "-p", "travtus", "--dry-run", "--timezone", "America/Chicago"]) == 0
    report = results_of(tmp_path / "m.results.xlsx")
    assert len(report) == 30 and set(report["_status"]) == {"dry_run"}
    payload = json.loads(report["_payload"][0])
    assert payload["group_external_ref"].startswith("PROP-") and "T" in payload["due_datetime"]
    assert list(report.columns[:3]) == ["_row", "_status", "_error"]
    assert list(report.columns[-5:]) == ["_task_id", "_request_id", "_http_status", "_attempts", "_payload"]
    assert "Title" in report.columns[3:-5] and "Due Date" in report.columns[3:-5]


def test_invalid_cells_are_highlighted_with_their_rule_in_xlsx(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["Group External Ref", "Title", "Priority"],
                     [["P1", "ok", "low"], ["P1", "bad", "urgent"]])
    assert main(["validate", str(path), "-p", "travtus", "--results", str(tmp_path / "r.xlsx")]) == 1
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Results"]
    headers = [cell.value for cell in sheet[1]]
    priority = sheet.cell(row=3, column=headers.index("Priority") + 1)
    assert priority.value == "urgent"
    assert priority.comment.text == "must be one of: low, normal, high, very_high; did you mean 'very_high'?"
    assert sheet.cell(row=2, column=headers.index("Priority") + 1).comment is None


def test_rows_created_earlier_are_already_created_in_a_dry_run(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["_row", "_status", "_task_id", "Group External Ref", "Title"],
                     [["2", "created", "T-1", "P1", "a"], ["3", "failed", "", "P1", "b"]])
    assert main(["run", str(path), "-p", "travtus", "--dry-run", "--results", str(tmp_path / "out.csv")]) == 0
    report = results_of(tmp_path / "out.csv").set_index("_row")
    assert report.loc["2", "_status"] == "already_created" and report.loc["2", "_task_id"] == "T-1"
    assert report.loc["3", "_status"] == "dry_run"
    assert report.columns.tolist().count("_status") == 1


@pytest.mark.parametrize("provider", ["travtus", "quo"])
def test_a_filled_in_template_validates(tmp_path, provider):
    template = tmp_path / f"{provider}.xlsx"
    assert main(["template", provider, "--output", str(template)]) == 0
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Tasks"]
    headers = [cell.value for cell in sheet[1]]
    example = {"travtus": {"group_external_ref": "PROP-OAK", "title": "Fix sink", "due_datetime": "2026-12-01 09:00",
                           "importance": "high", "assignee.email_address": "a@example.com",
                           "assignee.first_name": "Ana"},
               "quo": {"title": "Call", "description": "Pricing", "dueDate": "2026-12-01 09:00",
                       "phoneNumberId": "PNk3Ra9XwQ2m"}}[provider]
    for name, value in example.items():
        sheet.cell(row=2, column=headers.index(name) + 1, value=value)
    workbook.save(template)
    assert main(["validate", str(template), "-p", provider]) == 0


def test_every_command_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) == {"validate", "run", "verify", "undo", "template", "sandbox", "serve"}
    for name, sub in commands.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_python_dash_m_runs_the_cli(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bulk_tasks", "validate", str(SAMPLES / "quo-follow-ups.csv"),
                           "-p", "quo", "--sandbox", "--results", str(tmp_path / "r.csv")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.csv").exists()


def test_many_unknown_columns_are_named_up_to_twenty_then_counted(tmp_path, capsys):
    extra = [f"Extra {i}" for i in range(30)]
    path = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId", *extra],
                     [["Call", "Pricing", "PNk3Ra9XwQ2m", *("x" * 30)]])
    assert main(["validate", str(path), "-p", "quo"]) == 0
    err = capsys.readouterr().err
    assert "'Extra 19'" in err and "'Extra 20'" not in err and "and 10 more." in err


def test_problem_list_is_bounded_and_verbose_lists_everything(tmp_path, capsys):
    rows = [[f"Call {i}", "Pricing", f"XX{i}"] for i in range(20)]
    rows += [[f"Other {i}", "", "PNk3Ra9XwQ2m"] for i in range(3)]
    path = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId"], rows)
    assert main(["validate", str(path), "-p", "quo"]) == 1
    out = capsys.readouterr().out
    assert "23 of 23 rows are invalid" in out
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 8 more" in out
    assert main(["validate", str(path), "-p", "quo", "-v"]) == 1
    verbose = capsys.readouterr().out
    assert ", ".join(str(row) for row in range(2, 22)) in verbose and "more" not in verbose


def test_an_unexpected_bug_is_one_sentence_without_traceback_unless_verbose(tmp_path, capsys, monkeypatch):
    import bulk_tasks.api as api

    def broken(*args, **kwargs):
        raise RuntimeError("secret-ish detail")

    monkeypatch.setattr(api, "validate_file", broken)
    path = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId"], [["a", "b", "PNk3Ra9XwQ2m"]])
    assert main(["validate", str(path), "-p", "quo"]) == 1
    err = capsys.readouterr().err
    assert "internal problem (RuntimeError)" in err and "Traceback" not in err and "secret-ish" not in err
    assert main(["validate", str(path), "-p", "quo", "-v"]) == 1
    assert "Traceback" in capsys.readouterr().err
