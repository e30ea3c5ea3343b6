"""Every validation rule of both providers, with the row and the column as the user wrote it."""

from __future__ import annotations

import pytest

from bulk_tasks import ReadOptions, prepare
from bulk_tasks.check import rows as validation
from bulk_tasks.providers import RowRule
from bulk_tasks.providers.travtus.provider import Travtus
from bulk_tasks.check.rows import RowError
from bulk_tasks.shape.references import References

from helpers import write_csv

TRAVTUS_HEADER = ["Group External Ref", "group_id", "Title", "Due Date", "Priority", "Assignee Ref",
                  "Assignee Email", "Assignee First Name", "Resident Phone", "Resident Last Name"]
GOOD_TRAVTUS = ["PROP-OAK", "", "Fix sink", "2026-12-01 09:00", "High", "EMP-1", "", "", "", ""]


def travtus_errors(tmp_path, *rows: list[str], **options) -> list[RowError]:
    path = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, [GOOD_TRAVTUS, *rows])
    return prepare(path, "travtus", ReadOptions(**options)).errors


def with_changes(**changes: str) -> list[str]:
    row = dict(zip(TRAVTUS_HEADER, GOOD_TRAVTUS))
    row.update({key if key in row else key.replace("_", " "): value for key, value in changes.items()})
    return [row[header] for header in TRAVTUS_HEADER]


def only_error(errors: list[RowError]) -> RowError:
    assert len(errors) == 1, errors
    return errors[0]


def test_good_rows_have_no_errors(tmp_path):
    assert travtus_errors(tmp_path, with_changes(Title="Fix tap")) == []


def test_both_group_identifiers_is_an_error_naming_both_columns(tmp_path):
    row = with_changes(group_id="3f6c2a9e")
    error = only_error(travtus_errors(tmp_path, row))
    assert error.row == 3
    assert error.column == "group_id / Group External Ref"
    assert "exactly one of group_id and group_external_ref" in error.rule
    assert "PROP-OAK" in error.value and "3f6c2a9e" in error.value


def test_neither_group_identifier_is_an_error(tmp_path):
    error = only_error(travtus_errors(tmp_path, with_changes(Group_External_Ref="")))
    assert (error.row, error.value) == (3, "")
    assert "exactly one of group_id and group_external_ref" in error.rule


@pytest.mark.parametrize(("value", "rule"), [("31/31/2026", "is not a date"), ("2026-02-30", "is not a date"),
                                             ("tomorrow", "is a word, not a date"), ("12/1", "has no year")])
def test_bad_date_names_column_value_and_rule(tmp_path, value, rule):
    error = only_error(travtus_errors(tmp_path, with_changes(Due_Date=value)))
    assert (error.row, error.column, error.value) == (3, "Due Date", value)
    assert rule in error.rule


def test_dayfirst_changes_which_dates_are_valid(tmp_path):
    assert travtus_errors(tmp_path, with_changes(Due_Date="31/12/2026"), dayfirst=True) == []
    assert only_error(travtus_errors(tmp_path, with_changes(Due_Date="31/12/2026"))).column == "Due Date"


def test_unknown_importance_lists_the_choices(tmp_path):
    error = only_error(travtus_errors(tmp_path, with_changes(Priority="whenever")))
    assert (error.column, error.value) == ("Priority", "whenever")
    assert error.rule == "must be one of: low, normal, high, very_high"


@pytest.mark.parametrize("value", ["Very High", "very-high", " LOW "])
def test_importance_matches_loosely(tmp_path, value):
    assert travtus_errors(tmp_path, with_changes(Priority=value)) == []


def test_person_with_only_a_first_name_breaks_the_person_rule(tmp_path):
    row = with_changes(Assignee_Ref="", Assignee_First_Name="Maria")
    error = only_error(travtus_errors(tmp_path, row))
    assert error.column == "Assignee First Name"
    assert "an assignee needs an identifier or external_ref" in error.rule


def test_person_with_email_and_name_is_valid(tmp_path):
    row = with_changes(Assignee_Ref="", Assignee_Email="m@example.com", Assignee_First_Name="Maria")
    assert travtus_errors(tmp_path, row) == []


def test_person_with_phone_and_last_name_is_valid(tmp_path):
    assert travtus_errors(tmp_path, with_changes(Resident_Phone="(415) 555-0132", Resident_Last_Name="Ng")) == []


def test_bad_email_and_bad_phone_each_reported(tmp_path):
    row = with_changes(Assignee_Ref="", Assignee_Email="not-an-email", Assignee_First_Name="Maria",
                       Resident_Phone="12", Resident_Last_Name="Ng")
    errors = travtus_errors(tmp_path, row)
    assert {(e.column, e.value) for e in errors} == {("Assignee Email", "not-an-email"), ("Resident Phone", "12")}
    assert all(e.row == 3 for e in errors)


def test_all_errors_are_reported_at_once_in_row_order(tmp_path):
    errors = travtus_errors(tmp_path, with_changes(Priority="urgent"), with_changes(Due_Date="x"),
                            with_changes(group_id="g"))
    assert [e.row for e in errors] == [3, 4, 5]


QUO_HEADER = ["Title", "Description", "Due Date", "Assigned To", "phoneNumberId", "conversationId", "activityId"]
GOOD_QUO = ["Call back", "Pricing", "2026-12-02 14:00", "US1", "PNk3Ra9XwQ2m", "", ""]


def quo_errors(tmp_path, row: list[str]) -> list[RowError]:
    path = write_csv(tmp_path / "q.csv", QUO_HEADER, [GOOD_QUO, row])
    return prepare(path, "quo", ReadOptions()).errors


def quo_row(**changes: str) -> list[str]:
    row = dict(zip(QUO_HEADER, GOOD_QUO))
    row.update({key if key in row else key.replace("_", " "): value for key, value in changes.items()})
    return [row[header] for header in QUO_HEADER]


@pytest.mark.parametrize("column", ["Title", "Description"])
def test_quo_title_and_description_are_required(tmp_path, column):
    error = only_error(quo_errors(tmp_path, quo_row(**{column: "   "})))
    assert (error.row, error.column, error.value) == (3, column, "")
    assert "required" in error.rule


@pytest.mark.parametrize(("links", "expected_column"), [
    ({"phoneNumberId": "PNk3Ra9XwQ2m", "conversationId": "CN1"}, "phoneNumberId / conversationId"),
    ({"phoneNumberId": "", "conversationId": "", "activityId": ""}, "phoneNumberId / conversationId / activityId"),
    ({"phoneNumberId": "PNk3Ra9XwQ2m", "conversationId": "CN1", "activityId": "AC1"},
     "phoneNumberId / conversationId / activityId"),
])
def test_quo_exactly_one_link(tmp_path, links, expected_column):
    error = only_error(quo_errors(tmp_path, quo_row(**links)))
    assert error.column == expected_column
    assert "exactly one of phoneNumberId, conversationId and activityId" in error.rule


@pytest.mark.parametrize(("column", "value"), [("phoneNumberId", "XX1"), ("Assigned To", "U123")])
def test_quo_reference_columns_are_left_to_the_look_up_by_checking(tmp_path, column, value):
    assert quo_errors(tmp_path, quo_row(**{column: value})) == []


@pytest.mark.parametrize(("column", "value", "prefix"), [("phoneNumberId", "XX1", "PN"), ("Assigned To", "U123", "US")])
def test_without_a_look_up_a_quo_reference_must_be_an_id(tmp_path, column, value, prefix):
    path = write_csv(tmp_path / "q.csv", QUO_HEADER, [quo_row(**{column: value})])
    error = only_error(prepare(path, "quo", ReadOptions(), references=References(unchecked="--offline")).errors)
    assert (error.column, error.value) == (column, value)
    assert error.rule.startswith(f"is not an ID starting with {prefix}: ") and error.rule.endswith(", and --offline")


@pytest.mark.parametrize(("links", "column"), [({"phoneNumberId": "", "conversationId": "CX9"}, "conversationId"),
                                               ({"phoneNumberId": "", "activityId": "PN9"}, "activityId")])
def test_quo_conversation_and_activity_prefixes(tmp_path, links, column):
    error = only_error(quo_errors(tmp_path, quo_row(**links)))
    assert error.column == column and error.rule.startswith(("must start with CN", "must start with AC"))


def test_row_error_sentence(tmp_path):
    error = only_error(travtus_errors(tmp_path, with_changes(Priority="whenever")))
    assert str(error) == "row 3, Priority = 'whenever': must be one of: low, normal, high, very_high"


def test_a_near_miss_choice_gets_a_suggestion(tmp_path):
    errors = travtus_errors(tmp_path, with_changes(Priority="Hgh"))
    assert [e.rule for e in errors] == ["must be one of: low, normal, high, very_high; did you mean 'high'?"]
    errors = travtus_errors(tmp_path, with_changes(Priority="whenever"))
    assert [e.rule for e in errors] == ["must be one of: low, normal, high, very_high"]


@pytest.mark.parametrize("column, value, wanted", [
    ("phoneNumberId", "(415) 555-0100", "a phone number or a number's name"),
    ("phoneNumberId", "Main line", "a phone number or a number's name"),
    ("assignedTo", "ana@example.com", "an e-mail"),
])
def test_a_quo_phone_name_or_email_unchecked_says_it_needs_a_look_up(tmp_path, column, value, wanted):
    row = {"title": "Call", "description": "Pricing", "phoneNumberId": "PNk3Ra9XwQ2m", "assignedTo": "US1", column: value}
    path = write_csv(tmp_path / "q.csv", list(row), [list(row.values())])
    assert prepare(path, "quo", ReadOptions(timezone="UTC")).errors == []
    [error] = prepare(path, "quo", ReadOptions(timezone="UTC"), references=References(unchecked="why")).errors
    assert error.column == column
    assert f": {wanted} is turned into its ID by a look-up in the Quo workspace, and why" in error.rule


class SameWords(Travtus):
    """Two cross-field rules worded alike: they must still be told apart (by name, not by message)."""

    def rules(self) -> list[RowRule]:
        return [RowRule("needs_title", "needs more detail", ("title",), lambda f: f["title"].notna()),
                RowRule("needs_notes", "needs more detail", ("notes",), lambda f: f["notes"].notna())]


def test_cross_field_rules_are_told_apart_by_name_not_by_their_words(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["Group External Ref", "Title", "Notes"], [["PROP-1", "", "Key at desk"]])
    error = only_error(prepare(path, SameWords(), ReadOptions()).errors)
    assert error.column == "Title" and error.rule == "needs more detail"


@pytest.mark.parametrize("slice_size", [1, 2, 3, 50_000])
def test_an_excel_error_value_is_found_in_any_slice_of_a_column(tmp_path, monkeypatch, slice_size):
    """Columns are searched for Excel error values a slice of cells at a time: an error in the last
    cell of a later slice, or right after a slice's end, is still found."""
    monkeypatch.setattr(validation, "JOIN_SLICE", slice_size)
    rows = [with_changes(Title=f"Fix sink {n}") for n in range(5)]
    rows[3] = with_changes(Title="#REF!")
    errors = travtus_errors(tmp_path, *rows)
    assert [(error.row, error.column, error.value) for error in errors] == [(6, "Title", "#REF!")]
    assert errors[0].rule == validation.EXCEL_ERROR_RULE.format(code="#REF!")
