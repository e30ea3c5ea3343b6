"""Results a person can read and fix in Excel: column order, widths, wrapping, and the template's help."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd

from bulk_tasks import validate_file
from bulk_tasks.providers import get_provider
from bulk_tasks.report.write import write_results
from bulk_tasks.report.templates import field_prompt, write_template
from runs import results_of


def filled_template(path: Path) -> Path:
    """A Travtus template filled as a person would: date cells, an ID with leading zeros, a phone number
    typed as text, one impossible date and one misspelt priority."""
    write_template(get_provider("travtus"), path, "xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Tasks"]
    header = [cell.value for cell in sheet[1]]
    rows = [
        {"group_external_ref": "PROP-001", "external_ref": "M-1", "title": "Replace filter",
         "due_datetime": dt.datetime(2026, 12, 1, 9, 30), "importance": "high", "unit_external_ref": "000123",
         "resident.first_name": "Ana", "resident.phone_number": "4155550100"},
        {"group_external_ref": "PROP-001", "external_ref": "M-2", "title": "Smoke test",
         "due_datetime": "31/31/2026", "importance": "Hgh"},
        {"group_external_ref": "PROP-002", "external_ref": "M-3", "title": "Gutters",
         "due_datetime": dt.datetime(2026, 12, 3), "importance": "normal"},
        {"group_external_ref": "PROP-002", "external_ref": "M-4", "title": "Boiler",
         "due_datetime": "12/4/2026 9:00 AM", "importance": "low"},
    ]
    for number, row in enumerate(rows, start=2):
        for name, value in row.items():
            sheet.cell(row=number, column=header.index(name) + 1, value=value)
    workbook.save(path)
    return path


def column(sheet, name: str) -> int:
    return [cell.value for cell in sheet[1]].index(name) + 1


def test_results_of_a_template_keep_its_drop_downs_formats_and_dates(tmp_path):
    source = filled_template(tmp_path / "tasks.xlsx")
    summary = validate_file(source, "travtus")
    sheet = openpyxl.load_workbook(summary.results_path)["Results"]
    importance = openpyxl.utils.get_column_letter(column(sheet, "importance"))
    drop_downs = {str(v.sqref): v for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert drop_downs[f"{importance}2:{importance}1048576"].formula1 == '"low,normal,high,very_high"'
    assert drop_downs[f"{importance}2:{importance}1048576"].errorStyle == "stop"
    prompts = {str(v.sqref): v.prompt for v in sheet.data_validations.dataValidation}
    title = openpyxl.utils.get_column_letter(column(sheet, "title"))
    provider = get_provider("travtus")
    title_field = next(spec for spec in provider.fields if spec.name == "title")
    assert prompts[f"{title}2:{title}1048576"] == field_prompt(provider, title_field)
    unit = sheet.cell(row=2, column=column(sheet, "unit_external_ref"))
    phone = sheet.cell(row=2, column=column(sheet, "resident.phone_number"))
    assert (unit.value, unit.number_format) == ("000123", "@")
    assert (phone.value, phone.number_format, phone.data_type) == ("4155550100", "@", "s")
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(column(sheet, "title"))].width
    due = [sheet.cell(row=row, column=column(sheet, "due_datetime")) for row in range(2, 6)]
    typed = openpyxl.load_workbook(source)["Tasks"]
    typed_format = typed.cell(row=2, column=[c.value for c in typed[1]].index("due_datetime") + 1).number_format
    assert due[0].is_date and due[0].value == dt.datetime(2026, 12, 1, 9, 30)
    assert due[0].number_format == typed_format  # the sheet's own format (issue 22)
    assert due[2].is_date and due[2].number_format == typed_format
    assert (due[1].value, due[1].is_date) == ("31/31/2026", False)
    assert (due[3].value, due[3].is_date) == ("12/4/2026 9:00 AM", False)


def test_results_given_back_as_input_build_the_same_payloads(tmp_path):
    source = filled_template(tmp_path / "tasks.xlsx")
    first = validate_file(source, "travtus")
    again = validate_file(first.results_path, "travtus", results=tmp_path / "again.results.xlsx")
    before, after = results_of(first.results_path), results_of(again.results_path)
    payloads = [json.loads(p) for p in before["_payload"] if p]
    assert len(payloads) == 3 and payloads[0]["due_datetime"] == "2026-12-01T09:30:00"
    assert [json.loads(p) for p in after["_payload"] if p] == payloads
    assert before["_status"].tolist() == after["_status"].tolist()


def test_columns_are_as_wide_as_their_content_and_errors_wrap(tmp_path):
    long_error = "; ".join(f"Column {i} = 'value': is not what the provider accepts" for i in range(6))
    table = pd.DataFrame({"_row": [2, 3], "_status": ["invalid", "created"], "_error": [long_error, None],
                          "Code": ["A1", "B2"], "Story": ["x" * 300, "short"], "Name": ["Jordan", None]},
                         dtype=object)
    sheet = openpyxl.load_workbook(write_results(tmp_path / "r.xlsx", table))["Results"]
    widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]}
    assert widths["Code"] < 12 and widths["Name"] < 12
    assert widths["Story"] == 50
    assert 30 <= widths["_error"] <= 60
    error = sheet.cell(row=2, column=column(sheet, "_error"))
    assert error.alignment.wrap_text and error.value == long_error
    assert sheet.row_dimensions[2].height >= 15 * (len(long_error) // 60 + 1)
    assert sheet.row_dimensions[3].height is None


def test_short_errors_still_get_a_readable_column(tmp_path):
    table = pd.DataFrame({"_row": [2], "_status": ["failed"], "_error": ["timeout"]}, dtype=object)
    sheet = openpyxl.load_workbook(write_results(tmp_path / "r.xlsx", table))["Results"]
    assert sheet.column_dimensions["C"].width >= 30


def test_a_csv_input_gets_a_csv_result_and_is_told_how_to_get_the_workbook(tmp_path, capsys):
    from bulk_tasks.cli import main

    source = tmp_path / "tasks.csv"
    source.write_text("Group External Ref,Title,Priority\nP1,Fix it,high\nP1,Other,urgent\n", encoding="utf-8")
    assert main(["validate", str(source), "-p", "travtus"]) == 1
    out = capsys.readouterr().out
    assert (tmp_path / "tasks.results.csv").exists() and not (tmp_path / "tasks.results.xlsx").exists()
    assert (f"Results: {tmp_path / 'tasks.results.csv'} (for a highlighted Excel workbook, "
            f"add --results {tmp_path / 'tasks.results.xlsx'})") in out
    assert main(["validate", str(source), "-p", "travtus", "--results", str(tmp_path / "tasks.results.xlsx")]) == 1
    assert "add --results" not in capsys.readouterr().out
    assert openpyxl.load_workbook(tmp_path / "tasks.results.xlsx")["Results"]["B3"].value == "invalid"
