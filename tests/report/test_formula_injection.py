"""Formula injection: a hostile-looking value is the user's text. It reaches the provider unchanged and
is neutralized only in the results file (CSV: a leading ``'``; XLSX: a text cell); phone numbers and
negative numbers stay as they are.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from bulk_tasks.cli import main
from bulk_tasks.check.formulas import is_dangerous
from bulk_tasks.sandbox import sandbox_in_thread

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
HOSTILE = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3"]
HARMLESS = ["-42", "+14155550100"]
SENT = [("=HYPERLINK(\"http://127.0.0.1:9/x\",\"click\")", "@SUM(1+1)"), ("+cmd|' /C calc'!A0", "-2+3"),
        ("-42", "+14155550100")]


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture
def sent(tmp_path, monkeypatch, capsys):
    """formula_injection.csv sent to the sandbox twice (CSV and XLSX results): the payloads it received, sorted."""
    payloads = []
    with sandbox_in_thread() as sandbox:
        for name, value in sandbox.environment().items():
            monkeypatch.setenv(name, value)
        for suffix in ("csv", "xlsx"):
            sandbox.state.reset()
            code = main(["run", str(CORPUS / "formula_injection.csv"), "-p", "quo", "--base-url", sandbox.url,
                         "--quiet", "--results", str(tmp_path / f"out-{suffix}.{suffix}")])
            assert code == 0, capsys.readouterr()
            # in the order the sandbox created them, which requests in flight together may swap
            payloads.append(sorted((task.payload for task in sandbox.state.tasks), key=json.dumps))
    assert payloads[0] == payloads[1]
    return payloads[0], tmp_path


def test_the_provider_receives_the_text_unchanged(sent):
    payloads, _ = sent
    assert sorted((p["title"], p["description"]) for p in payloads) == sorted(SENT)


def test_csv_results_neutralize_only_what_excel_would_run(sent):
    _, folder = sent
    rows = csv_rows(folder / "out-csv.csv")
    cells = [value for row in rows for value in (row["Title"], row["Description"])]
    assert cells == ["'" + text for text in HOSTILE] + HARMLESS
    assert all(not is_dangerous(value) for row in rows for value in row.values())
    assert [row["_status"] for row in rows] == ["created"] * 3


def test_xlsx_results_hold_the_exact_text_in_text_cells(sent):
    _, folder = sent
    book = openpyxl.load_workbook(folder / "out-xlsx.xlsx")
    sheet = book["Results"]
    header = [cell.value for cell in sheet[1]]
    title, description = header.index("Title") + 1, header.index("Description") + 1
    cells = [sheet.cell(row, column) for row in range(2, 5) for column in (title, description)]
    assert [cell.value for cell in cells] == HOSTILE + HARMLESS
    assert all(cell.data_type == "s" for cell in cells)


def test_a_results_csv_given_back_as_input_sends_the_original_text(tmp_path, capsys):
    report = tmp_path / "tasks.csv"
    assert main(["validate", str(CORPUS / "formula_injection.csv"), "-p", "quo", "--results", str(report)]) == 0
    assert csv_rows(report)[0]["Title"].startswith("'=")
    again = tmp_path / "again.csv"
    assert main(["run", str(report), "-p", "quo", "--dry-run", "--results", str(again)]) == 0
    payloads = [json.loads(row["_payload"]) for row in csv_rows(again)]
    assert [(p["title"], p["description"]) for p in payloads] == SENT


@pytest.mark.parametrize("text", ["-1,234.50", "-5%", "+1,000", "-0.5", "+14155550100", "-42"])
def test_numbers_people_write_are_not_touched(text):
    assert not is_dangerous(text)


@pytest.mark.parametrize("text", ["=1+1", "@cmd", "+1 (415) 555-0100 =A1", "-2+3", "+cmd|x", "=HYPERLINK(\"x\")"])
def test_values_excel_would_evaluate_are_neutralized(text):
    assert is_dangerous(text)
