"""Header matching: normalized names, aliases, dotted names, --mapping, unknown and missing columns."""

from __future__ import annotations

import json

import pytest

from bulk_tasks.check.headers import header_key, load_mapping, match_columns
from bulk_tasks.errors import MissingColumnsError, UsageError
from bulk_tasks.shape.prepare import prepare
from bulk_tasks.providers import get_provider

QUO = get_provider("quo")
TRAVTUS = get_provider("travtus")
QUO_MINIMUM = ["Title", "Description", "phoneNumberId"]


def test_header_key_keeps_only_lowercase_letters_and_digits():
    assert header_key(" Assignee Email-Address (2) ") == "assigneeemailaddress2"
    assert header_key("assignee.email_address") == header_key("Assignee Email Address")


def test_dotted_names_of_travtus_people_match_spoken_headers():
    headers = ["Group Ref", "Assignee Email Address", "Creator.External_Ref", "resident first name",
               "Resident Phone", "creator.id"]
    assert match_columns(headers, TRAVTUS).field_of == {
        "Group Ref": "group_external_ref",
        "Assignee Email Address": "assignee.email_address",
        "Creator.External_Ref": "creator.external_ref",
        "resident first name": "resident.first_name",
        "Resident Phone": "resident.phone_number",
        "creator.id": "creator.identifier",
    }


def test_due_date_matches_each_providers_own_field():
    assert match_columns([*QUO_MINIMUM, "Due Date"], QUO).field_of["Due Date"] == "dueDate"
    assert match_columns(["Property", "Due Date"], TRAVTUS).field_of["Due Date"] == "due_datetime"


def test_priority_is_an_alias_of_importance():
    assert match_columns(["group_id", "Priority"], TRAVTUS).field_of["Priority"] == "importance"


def test_unknown_columns_are_listed_in_order():
    match = match_columns(["Colour", *QUO_MINIMUM, "Owner's desk", "Notes"], QUO)
    assert match.unknown == ["Colour", "Owner's desk", "Notes"]
    assert set(match.field_of.values()) == {"title", "description", "phoneNumberId"}


def test_results_columns_are_neither_unknown_nor_matched():
    headers = ["_row", "_status", "_task_id", "_error", "_title", *QUO_MINIMUM]
    match = match_columns(headers, QUO)
    assert match.unknown == []
    assert match.field_of == {"Title": "title", "Description": "description", "phoneNumberId": "phoneNumberId"}


def test_mapping_file_applies(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"Betreff": "title", "Tel-ID": "phoneNumberId"}), encoding="utf-8")
    mapping = load_mapping(path)
    match = match_columns(["Betreff", "Description", "Tel-ID"], QUO, mapping)
    assert match.field_of == {"Betreff": "title", "Description": "description", "Tel-ID": "phoneNumberId"}
    assert match.header_of["title"] == "Betreff"


def test_mapping_wins_over_a_header_that_would_match_by_name():
    match = match_columns(["Title", "Subject", "Description", "phoneNumberId"], QUO, {"Subject": "title"})
    assert match.field_of["Subject"] == "title"
    assert "Title" not in match.field_of
    assert match.unknown == ["Title"]


def test_mapping_with_a_bom_is_read(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_bytes(b'\xef\xbb\xbf{"Ref": "external_ref"}')
    assert load_mapping(path) == {"Ref": "external_ref"}


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "is not valid JSON"),
    ('["title"]', "must be one JSON object"),
    ('{"Title": 3}', "must be one JSON object"),
])
def test_bad_mapping_files(tmp_path, content, fragment):
    path = tmp_path / "mapping.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=fragment):
        load_mapping(path)


def test_mapping_to_an_unknown_field_suggests_the_closest():
    with pytest.raises(UsageError, match=r"'Titel' to 'titel', which is not a quo field \(did you mean 'title'\?\)"):
        match_columns(["Titel", "Description", "phoneNumberId"], QUO, {"Titel": "titel"})


def test_mapping_naming_a_missing_header_lists_the_real_ones():
    with pytest.raises(UsageError, match=r"names the column 'Nope', which is not in the sheet; its columns are: 'a', 'b'"):
        match_columns(["a", "b"], QUO, {"Nope": "title"})


def test_missing_required_column_names_the_field_and_the_closest_header():
    with pytest.raises(MissingColumnsError) as caught:
        match_columns(["Titel", "Description", "phoneNumberId", "Notes"], QUO)
    message = str(caught.value)
    assert "no column for title (did you mean 'Titel'?)" in message
    assert "description" not in message.split(":")[0]
    assert "Notes" not in message


def test_every_missing_group_is_named_in_one_message():
    with pytest.raises(MissingColumnsError) as caught:
        match_columns(["Subjct", "Colour"], QUO)
    message = str(caught.value)
    assert message.startswith("The sheet has no columns for title (did you mean 'Subjct'?); description; "
                              "one of phoneNumberId / conversationId / activityId")
    assert ". " not in message and message.endswith(".")
    assert "--mapping" in message


def test_closest_header_is_found_through_aliases():
    with pytest.raises(MissingColumnsError, match=r"one of group_id / group_external_ref \(did you mean 'Property ID'\?\)"):
        match_columns(["Property ID", "Title"], TRAVTUS)


def test_no_suggestion_when_nothing_is_close():
    with pytest.raises(MissingColumnsError) as caught:
        match_columns(["Title", "Zzz"], TRAVTUS)
    assert "did you mean" not in str(caught.value)
    assert "group_id" in str(caught.value) and "group_external_ref" in str(caught.value)


def test_two_columns_for_one_field_is_an_error():
    with pytest.raises(MissingColumnsError, match=r"Columns 'Due Date' and 'due_datetime' both fill the field due_datetime"):
        match_columns(["group_id", "Due Date", "due_datetime"], TRAVTUS)


def test_two_columns_mapped_to_one_field_is_an_error():
    with pytest.raises(MissingColumnsError, match="both fill the field title"):
        match_columns(["A", "B", "Description", "phoneNumberId"], QUO, {"A": "title", "B": "title"})


def test_unknown_columns_become_one_warning_naming_them(tmp_path):
    path = tmp_path / "tasks.csv"
    path.write_bytes(b"Title,Description,phoneNumberId,Colour,_status\nA,B,PNk3Ra9XwQ2m,red,\n")
    assert prepare(path, "quo").warnings == ["Unknown column(s) ignored (kept in the results): 'Colour'."]
