"""Golden payloads for both providers, and a property test against Quo's published request schema."""

from __future__ import annotations

from datetime import datetime

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulk_tasks import ReadOptions, prepare
from bulk_tasks.providers.quo.provider import request_schema
from bulk_tasks.check.values import excel_error
from helpers import write_csv, write_xlsx


def test_travtus_golden_payload(tmp_path):
    header = ["Group External Ref", "Task Ref", "Title", "Description", "Due Date", "reminder_datetime",
              "Priority", "Unit", "Assignee Ref", "Resident First Name", "Resident Phone", "Notes", "Extra"]
    row = ["PROP-OAK", "MAINT-0001", "Fix sink", "Kitchen sink drips", "12/1/2026 9:30 PM", "2026-11-30",
           "Very High", "OAK-101", "007", "Ana", "(415) 555-0132", "  ", "ignored"]
    path = write_csv(tmp_path / "t.csv", header, [row])
    prepared = prepare(path, "travtus", ReadOptions(timezone="America/New_York"))
    assert prepared.payloads == {2: {
        "group_external_ref": "PROP-OAK",
        "external_ref": "MAINT-0001",
        "title": "Fix sink",
        "description": "Kitchen sink drips",
        "due_datetime": "2026-12-01T21:30:00",
        "reminder_datetime": "2026-11-30T00:00:00",
        "importance": "very_high",
        "unit_external_ref": "OAK-101",
        "assignee": {"external_ref": "007"},
        "resident": {"first_name": "Ana", "phone_number": "+14155550132"},
    }}


def test_travtus_datetime_with_offset_is_converted_to_the_timezone(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["group_id", "due_datetime"], [["G1", "2026-12-01T14:00:00Z"]])
    prepared = prepare(path, "travtus", ReadOptions(timezone="Europe/Berlin"))
    assert prepared.payloads[2] == {"group_id": "G1", "due_datetime": "2026-12-01T15:00:00"}


def test_quo_golden_payload_in_utc(tmp_path):
    header = ["Title", "Description", "Due Date", "Assigned To", "Phone Number Id", "Unknown"]
    rows = [["Call back", "Pricing", "2026-12-02 14:00", "USm2Fq8KpL", "PNt7Ld4HcV8z", "x"],
            ["Send deck", "Onboarding", "", "", "PNt7Ld4HcV8z", ""]]
    path = write_csv(tmp_path / "q.csv", header, rows)
    prepared = prepare(path, "quo", ReadOptions(timezone="America/Los_Angeles"))
    assert prepared.payloads == {
        2: {"title": "Call back", "description": "Pricing", "dueDate": "2026-12-02T22:00:00Z",
            "assignedTo": "USm2Fq8KpL", "phoneNumberId": "PNt7Ld4HcV8z"},
        3: {"title": "Send deck", "description": "Onboarding", "phoneNumberId": "PNt7Ld4HcV8z"},
    }


def test_excel_cells_become_the_same_payload_as_text(tmp_path):
    path = write_xlsx(tmp_path / "q.xlsx", ["title", "description", "dueDate", "conversationId"],
                      [["Call", "Desc", datetime(2026, 12, 2, 14, 0), "CN1"]])
    assert prepare(path, "quo").payloads[2]["dueDate"] == "2026-12-02T14:00:00Z"


# Hypothesis also draws string constants of the code under test, such as the Excel error "#GETTING_DATA":
# a cell holding one is rightly invalid, so the valid-text strategy leaves them out.
text = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip() and excel_error(s) is None)
dates = st.datetimes(min_value=datetime(1900, 1, 1)).map(lambda d: d.strftime("%Y-%m-%d %H:%M")) | st.just("")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=text, description=text, due=dates, link=st.sampled_from(["phoneNumberId", "conversationId", "activityId"]),
       suffix=st.text(st.characters(min_codepoint=48, max_codepoint=122), max_size=12),
       assignee=st.none() | st.text(st.characters(min_codepoint=48, max_codepoint=122), max_size=8))
def test_every_quo_payload_satisfies_the_published_schema(tmp_path, title, description, due, link, suffix, assignee):
    prefix = {"phoneNumberId": "PN", "conversationId": "CN", "activityId": "AC"}[link]
    header = ["title", "description", "dueDate", "assignedTo", link]
    row = [title, description, due, "" if assignee is None else "US" + assignee, prefix + suffix]
    path = write_csv(tmp_path / "q.csv", header, [row])
    prepared = prepare(path, "quo")
    assert prepared.errors == []
    payload = prepared.payloads[2]
    jsonschema.validate(payload, request_schema(), format_checker=jsonschema.FormatChecker())
    assert payload["title"] == title.strip() and payload[link] == prefix + suffix.strip()
    if due:
        assert payload["dueDate"].endswith("Z") and len(payload["dueDate"]) == 20
