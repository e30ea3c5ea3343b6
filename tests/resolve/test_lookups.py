"""References looked up in the sandbox's workspace over loopback: Quo numbers and users, Travtus groups,
units and people; unknown values, --offline, no credentials, failures said once, retries, progress."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bulk_tasks import ReadOptions, SendOptions, run_import_async
from bulk_tasks.api import _dry_run
from bulk_tasks.console.wording import PAGE
from bulk_tasks.errors import LookupUnavailable
from bulk_tasks.providers.quo.workspace import QuoNumber, QuoWorkspace, demo_workspace
from bulk_tasks.providers.travtus.workspace import Community, TravtusWorkspace, person, unit
from helpers import write_csv

QUO = ["Title", "Description", "Phone Number", "Assigned To"]


def results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def send_to(sandbox) -> SendOptions:
    return SendOptions(base_url=sandbox.url, env=sandbox.environment())


def lookups(sandbox, provider: str) -> dict[str, int]:
    return dict(sandbox.state.stats.providers[provider].lookup_requests)


async def check(path: Path, provider: str, sandbox=None, *, offline: bool = False, send: SendOptions | None = None,
                said: list[str] | None = None, region: str | None = None):
    send = send or (send_to(sandbox) if sandbox is not None else SendOptions(env={}))
    return await _dry_run(path, provider, ReadOptions(phone_region=region), None, send=send, offline=offline,
                          say=None if said is None else said.append)


async def test_quo_numbers_names_and_emails_become_ids_in_the_payload(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", "MAYA.CHEN@example.com"],
                                                ["B", "d", "main  LINE", "ravi.patel@example.com"],
                                                ["C", "d", "+1 212 555 0199", "USr7Tc3VnB"],
                                                ["D", "d", "PNt7Ld4HcV8z", ""]])
    summary = await check(path, "quo", sandbox)
    assert summary.exit_code == 0, summary.errors
    rows = results(summary.results_path)
    payloads = [json.loads(row["_payload"]) for row in rows]
    assert [(p["phoneNumberId"], p.get("assignedTo")) for p in payloads] == [
        ("PNk3Ra9XwQ2m", "USm2Fq8KpL"), ("PNk3Ra9XwQ2m", "USr7Tc3VnB"), ("PNt7Ld4HcV8z", "USr7Tc3VnB"),
        ("PNt7Ld4HcV8z", None)]
    assert rows[0]["Phone Number"] == "(415) 555-0100" and rows[0]["Assigned To"] == "MAYA.CHEN@example.com"
    assert rows[1]["_resolved"].startswith('Phone Number: main  LINE → PNk3Ra9XwQ2m (415) 555-0100 "Main line"; ')
    assert rows[0]["_resolved"] == ('Phone Number: (415) 555-0100 → PNk3Ra9XwQ2m "Main line"; '
                                    "Assigned To: MAYA.CHEN@example.com → USm2Fq8KpL Maya Chen <maya.chen@example.com>")
    # every e-mail is someone on a number: one request, no page of users
    assert lookups(sandbox, "quo") == {"/v1/phone-numbers": 1}
    assert sandbox.state.stats.providers["quo"].task_requests == 0 and not sandbox.state.tasks  # only GETs


async def test_a_quo_email_not_on_any_number_reads_pages_of_users_until_found(tmp_path, sandbox):
    workspace = demo_workspace()
    sandbox.config.quo_workspace = workspace
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", "sam.okafor@example.com"]])
    summary = await check(path, "quo", sandbox)
    assert summary.exit_code == 0, summary.errors
    assert json.loads(results(summary.results_path)[0]["_payload"])["assignedTo"] == "USb4Nn6WqT"
    assert lookups(sandbox, "quo") == {"/v1/phone-numbers": 1, "/v1/users": 1}


async def test_unknown_quo_values_make_their_rows_invalid_saying_what_the_workspace_has(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "+1 415 555 0101", "maya.chen@exampel.com"],
                                                ["B", "d", "Main lne", "US999"],
                                                ["C", "d", "PNnope", ""],
                                                ["D", "d", "(415) 555-0100", "maya.chen@example.com"]])
    summary = await check(path, "quo", sandbox)
    errors = {(e.row, e.column): e.rule for e in summary.errors}
    assert errors[(2, "Phone Number")] == ('no phone number +1 415-555-0101 in this Quo workspace; its numbers are '
                                           '(415) 555-0100 "Main line", (212) 555-0199 "Leasing NYC"')
    assert errors[(2, "Assigned To")].endswith("did you mean 'maya.chen@example.com'?")
    assert errors[(3, "Phone Number")].endswith("did you mean 'Main line'?")
    assert errors[(3, "Assigned To")].startswith("no user ID 'US999' in this Quo workspace")
    assert errors[(4, "Phone Number")].startswith("no ID 'PNnope' in this Quo workspace")
    assert {row for row, _ in errors} == {2, 3, 4}
    assert [row["_status"] for row in results(summary.results_path)] == ["invalid", "invalid", "invalid", "dry_run"]
    # the users were paged through to be sure the two unknown ones are nobody's
    assert lookups(sandbox, "quo") == {"/v1/phone-numbers": 1, "/v1/users": 1}


async def test_a_name_two_numbers_share_is_refused_and_a_local_number_reads_in_the_phone_region(tmp_path, sandbox):
    workspace = demo_workspace()
    workspace.numbers.append(QuoNumber("PNdup", "+442071838750", "020 7183 8750", "Main line"))
    sandbox.config.quo_workspace = QuoWorkspace(workspace.numbers, workspace.users)
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "Main line", ""], ["B", "d", "020 7183 8750", ""]])
    summary = await check(path, "quo", sandbox, region="GB")
    [error] = summary.errors
    assert error.row == 2 and error.rule.startswith("2 numbers of this Quo workspace are called 'Main line'")
    assert json.loads(results(summary.results_path)[1]["_payload"])["phoneNumberId"] == "PNdup"


def travtus_sheet(tmp_path: Path, rows: list[list[str]]) -> Path:
    headers = ["Group External Ref", "Unit", "Task Ref", "Title", "Assignee Ref", "Assignee Email",
               "Assignee First Name"]
    return write_csv(tmp_path / "t.csv", headers, rows)


async def test_travtus_groups_units_and_people_are_checked_once_each_within_their_group(tmp_path, sandbox):
    path = travtus_sheet(tmp_path, [
        ["PROP-OAK", "OAK-101", "T-1", "a", "EMP-0042", "", ""],
        ["PROP-OAK", "OAK-101", "T-2", "b", "EMP-0042", "", ""],
        ["PROP-OKA", "OAK-101", "T-3", "c", "", "", ""],
        ["PROP-ELM", "OAK-101", "T-4", "d", "", "", ""],
        ["PROP-OAK", "OAK-204", "T-5", "e", "EMP-9999", "", ""],
        ["PROP-BAY", "", "T-6", "f", "", "new.person@example.com", "Kim"],
    ])
    summary = await check(path, "travtus", sandbox)
    errors = {(e.row, e.column): e.rule for e in summary.errors}
    assert errors == {
        (4, "Group External Ref"): "no group (property) 'PROP-OKA' in this Travtus workspace; did you mean 'PROP-OAK'?",
        (5, "Unit"): "no unit with external_ref 'OAK-101' in group PROP-ELM of this Travtus workspace",
        (6, "Assignee Ref"): "no person with external_ref 'EMP-9999' in group PROP-OAK of this Travtus workspace",
    }
    statuses = [row["_status"] for row in results(summary.results_path)]
    assert statuses == ["dry_run", "dry_run", "invalid", "invalid", "invalid", "dry_run"]
    # four distinct groups asked once each; units and people of the groups found, each value once
    assert lookups(sandbox, "travtus") == {"/communities/": 4, "/units/find/": 3, "/persons/find/": 2}
    assert sandbox.state.stats.providers["travtus"].task_requests == 0 and not sandbox.state.tasks
    assert results(summary.results_path)[0]["_resolved"].startswith("Group External Ref: PROP-OAK → Oakwood Apartments")


def big_workspace(units: int) -> TravtusWorkspace:
    return TravtusWorkspace([Community("G1", "BIG", "Big", units=[unit("BIG", f"U-{n}") for n in range(units)],
                                       persons=[person("BIG", "EMP-1", "A", "B")])])


async def test_many_units_of_one_group_are_read_a_page_at_a_time_with_a_progress_line(tmp_path, sandbox):
    sandbox.config.travtus_workspace = big_workspace(450)
    wanted = [f"U-{n}" for n in range(0, 450, 4)]  # 113 units, spread over every page
    path = travtus_sheet(tmp_path, [["BIG", ref, f"T-{ref}", "t", "", "", ""] for ref in wanted])
    said: list[str] = []
    summary = await check(path, "travtus", sandbox, said=said)
    assert summary.exit_code == 0, summary.errors[:3]
    assert said == ["Looking up 113 Travtus units…"]
    assert lookups(sandbox, "travtus") == {"/communities/": 1, "/units/find/": 5}


async def test_offline_asks_nothing_and_refuses_values_that_need_a_look_up(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", "USm2Fq8KpL"],
                                                ["B", "d", "PNk3Ra9XwQ2m", "maya.chen@example.com"],
                                                ["C", "d", "PNwhatever", "USwhoever"]])
    summary = await check(path, "quo", send=send_to(sandbox), offline=True)
    errors = {(e.row, e.column): e.rule for e in summary.errors}
    assert set(errors) == {(2, "Phone Number"), (3, "Assigned To")}
    assert errors[(2, "Phone Number")] == (
        "is not an ID starting with PN: a phone number or a number's name is turned into its ID by a look-up in "
        "the Quo workspace, and --offline looks nothing up: run without --offline, or type the ID")
    assert sandbox.state.stats.requests == 0
    assert sum("--offline" in note for note in summary.warnings) == 1


async def test_without_credentials_validate_says_once_that_references_were_not_checked(tmp_path):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", ""], ["B", "d", "PNk3Ra9XwQ2m", ""]])
    summary = await check(path, "quo", send=SendOptions(env={}))
    [error] = summary.errors
    assert error.row == 2 and "no Quo credentials were given" in error.rule
    notes = [note for note in summary.warnings if "not checked" in note]
    assert notes == ["The sheet's phone numbers, users were not checked against the Quo workspace (no credentials): "
                     "to check them, set QUO_API_KEY (or use --env-file FILE), or --sandbox to check against the "
                     "demo workspace."]


async def test_refused_credentials_stop_the_check_once_with_exit_2(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", ""]] * 1)
    with pytest.raises(LookupUnavailable) as caught:
        await check(path, "quo", send=SendOptions(base_url=sandbox.url, env={"QUO_API_KEY": "wrong-key"}))
    assert caught.value.exit_code == 2
    assert "the credentials were refused (HTTP 401" in str(caught.value) and "wrong-key" not in str(caught.value)
    assert not PAGE.flags_left(str(caught.value))  # the page says it in its own words
    assert lookups(sandbox, "quo") == {"/v1/phone-numbers": 1}


async def test_a_host_that_is_down_is_said_once(tmp_path, unused_tcp_port):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", ""]])
    send = SendOptions(base_url=f"http://127.0.0.1:{unused_tcp_port}", env={"QUO_API_KEY": "a-test-key-1234"}, timeout=2)
    with pytest.raises(LookupUnavailable, match="could not connect to 127.0.0.1") as caught:
        await check(path, "quo", send=send)
    assert PAGE.say(str(caught.value)).endswith("To fix it, check the network and try again.")


async def test_look_ups_are_retried_like_a_safe_get(tmp_path, sandbox):
    sandbox.config.quo_lookup_failures = 2
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", ""]])
    summary = await check(path, "quo", sandbox)
    assert summary.exit_code == 0
    assert lookups(sandbox, "quo") == {"/v1/phone-numbers": 3}


async def test_a_run_sends_the_ids_and_a_rerun_keeps_them_when_the_workspace_changed(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "Main line", "maya.chen@example.com"]])
    first = await run_import_async(path, "quo", ReadOptions(), send_to(sandbox))
    assert first.counts == {"created": 1}
    [task] = sandbox.state.tasks
    assert task.payload["phoneNumberId"] == "PNk3Ra9XwQ2m" and task.payload["assignedTo"] == "USm2Fq8KpL"
    # the name now belongs to another number; a new row uses it
    workspace = demo_workspace()
    workspace.numbers[0] = QuoNumber("PNk3Ra9XwQ2m", "+14155550100", "(415) 555-0100", "Old line")
    workspace.numbers.append(QuoNumber("PNnew", "+14155550111", "(415) 555-0111", "Main line"))
    sandbox.config.quo_workspace = workspace
    write_csv(path, QUO, [["A", "d", "Main line", "maya.chen@example.com"], ["B", "d", "Main line", ""]])
    second = await run_import_async(path, "quo", ReadOptions(), send_to(sandbox))
    rows = results(second.results_path)
    assert [row["_status"] for row in rows] == ["already_created", "not_sent"]
    assert rows[1]["_error"].startswith("Phone Number = 'Main line': an earlier run of this import used PNk3Ra9XwQ2m "
                                        "for it, but the workspace now resolves to PNnew")
    assert len(sandbox.state.tasks) == 1


async def test_a_row_an_unknown_reference_makes_invalid_still_counts_for_duplicates(tmp_path, sandbox):
    path = travtus_sheet(tmp_path, [["PROP-OKA", "", "T-1", "a", "", "", ""],
                                    ["PROP-OAK", "", "T-1", "a", "", "", ""]])
    summary = await check(path, "travtus", sandbox)
    errors = {(e.row, e.column): e.rule for e in summary.errors}
    assert errors[(2, "Group External Ref")].startswith("no group (property) 'PROP-OKA'")
    assert errors[(3, "Task Ref")].startswith("duplicate of row 2")
    assert [row["_status"] for row in results(summary.results_path)] == ["invalid", "invalid"]


async def test_a_run_whose_look_ups_are_refused_sends_nothing_and_says_why_on_every_row(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO, [["A", "d", "(415) 555-0100", ""], ["B", "d", "Main line", ""]])
    send = SendOptions(base_url=sandbox.url, env={"QUO_API_KEY": "not-the-key-123"})
    summary = await run_import_async(path, "quo", ReadOptions(), send)
    assert summary.exit_code == 1 and summary.counts == {"not_sent": 2}
    rows = results(summary.results_path)
    assert all(row["_error"].startswith("not sent: Could not look the sheet's references up in Quo") for row in rows)
    assert "not-the-key-123" not in summary.results_path.read_text(encoding="utf-8-sig")
    assert not sandbox.state.tasks and lookups(sandbox, "quo") == {"/v1/phone-numbers": 1}
