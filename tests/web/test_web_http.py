"""bulk-tasks serve over loopback HTTP: every endpoint of the journey, against the library's own answers."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import openpyxl
import pytest

from bulk_tasks import cli
from bulk_tasks.api import validate_file
from bulk_tasks.console.wording import PAGE
from bulk_tasks.errors import UsageError
from bulk_tasks.console.messages import confirmation_question, problem_lines
from bulk_tasks.shape.prepare import ReadOptions
from bulk_tasks.report.templates import write_template
from bulk_tasks.providers import get_provider
from helpers import write_csv
from webpage import MISTAKES, fixed_mistakes

QUO_HEADER = ["Title", "Description", "phoneNumberId", "Assigned To"]


def quo_rows(count: int, start: int = 0) -> list[list[str]]:
    return [[f"Call back customer {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(start, start + count)]


async def test_state_names_the_providers_their_endpoints_and_credentials(page):
    state = await page.get_json("/api/state")
    providers = {p["name"]: p for p in state["providers"]}
    assert providers["quo"]["credentials"] == ["QUO_API_KEY"]
    assert providers["travtus"]["endpoint"] == get_provider("travtus").task_url(None)
    assert state["imports"] == [] and state["running"] == []


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
async def test_the_template_download_is_the_librarys_template_in_the_pages_words(page, tmp_path, fmt):
    expected = write_template(get_provider("travtus"), tmp_path / f"t.{fmt}", fmt, words=PAGE).read_bytes()
    assert await page.download(f"/api/templates/travtus/{fmt}") == expected
    assert await page.download(f"/api/templates/travtus/{fmt}") == expected  # a second download too
    if fmt == "csv":  # a CSV template is only its header: the same as the command line's
        assert expected == write_template(get_provider("travtus"), tmp_path / "cli.csv", fmt).read_bytes()


async def test_an_upload_shows_matching_counts_problems_and_bad_cells_as_the_cli_does(page, tmp_path):
    view = await page.upload(MISTAKES)
    summary = validate_file(MISTAKES, "travtus", ReadOptions(timezone="UTC"), results=tmp_path / "r.csv")
    assert view["validation"]["counts"] == summary.counts
    assert view["validation"]["invalid"] == len({e.row for e in summary.errors})
    lines = problem_lines(summary)
    assert view["validation"]["headline"] == lines[0] == "6 of 11 rows are invalid:"
    assert view["validation"]["problems"] == [PAGE.say(line.strip()) for line in lines[1:]]  # in the page's words
    assert "Due Date: is not a date bulk-tasks can read" in view["validation"]["problems"][1]
    assert "--phone-region" in lines[-1] and "“Country of phone numbers”" in view["validation"]["problems"][-1]
    assert view["validation"]["confirm"]["real"] == confirmation_question(
        5, "Travtus", get_provider("travtus").task_url(None)).removesuffix(" [y/N]")
    assert {m["header"]: m["field"] for m in view["matching"]}["Due Date"] == "due_datetime"
    page_ = await page.get_json(f"/api/imports/{view['import']['id']}/rows?only=problems")
    due = page_["columns"].index("Due Date")
    marked = {row["row"]: row for row in page_["rows"]}
    assert marked[7]["cells"][due] == "31/31/2026"
    assert "is not a date bulk-tasks can read" in marked[7]["marks"][str(due)]
    assert {row["row"] for row in page_["rows"]} == {e.row for e in summary.errors}


async def test_rows_come_a_page_at_a_time(page, tmp_path):
    source = write_csv(tmp_path / "many.csv", QUO_HEADER, quo_rows(250))
    view = await page.upload(source, provider="quo")
    chunk = await page.get_json(f"/api/imports/{view['import']['id']}/rows?offset=200&limit=100")
    assert chunk["total"] == 250
    assert [row["row"] for row in chunk["rows"]] == list(range(202, 252))
    assert chunk["columns"][:3] == ["_status", "_error", "Title"]
    assert chunk["rows"][0]["cells"][:3] == ["dry_run", None, "Call back customer 200"]


async def test_a_wrong_time_zone_gets_the_cli_sentence_in_the_pages_words(page):
    view = await page.upload(MISTAKES)
    with pytest.raises(UsageError) as refused:
        ReadOptions(timezone="Mars/Base").reading()
    answer = await page.post_json(f"/api/imports/{view['import']['id']}/check", {"timezone": "Mars/Base"}, status=422)
    assert answer["error"] == PAGE.say(str(refused.value)) == (
        "Unknown time zone 'Mars/Base' in the Time zone field: use an IANA name such as UTC, America/New_York or "
        "Europe/London.")


async def test_reading_options_reach_the_validation(page, tmp_path):
    source = write_csv(tmp_path / "d.csv", [*QUO_HEADER, "Due Date"], [[*quo_rows(1)[0], "13/1/2026"]])
    view = await page.upload(source, provider="quo")
    assert view["validation"]["invalid"] == 1
    view = await page.post_json(f"/api/imports/{view['import']['id']}/check", {"dayfirst": True})
    assert view["validation"]["invalid"] == 0
    view = await page.upload(source, provider="quo", timezone="Europe/Paris", query="&dayfirst=1&phone_region=FR")
    assert view["validation"]["invalid"] == 0
    assert view["options"] | {"timezone": "Europe/Paris", "dayfirst": True, "phone_region": "FR"} == view["options"]
    assert view["validation"]["notes"] == [
        "Dates without a time zone were read as Europe/Paris (given in the Time zone field)."]


async def test_a_chosen_column_is_saved_reused_and_downloadable_as_a_mapping(page, tmp_path):
    header = ["Titel", "Description", "phoneNumberId", "Assigned To"]
    source = write_csv(tmp_path / "m.csv", header, quo_rows(2))
    view = await page.upload(source, provider="quo")
    assert view["validation"] is None
    assert "did you mean 'Titel'" in view["error"]
    assert view["matching"][0] == {"header": "Titel", "field": None, "suggestion": "title",
                                   "examples": ["Call back customer 0", "Call back customer 1"]}
    import_id = view["import"]["id"]
    view = await page.post_json(f"/api/imports/{import_id}/check", {"mapping": {"Titel": "title"}})
    assert view["error"] is None and view["validation"]["to_send"] == 2
    mapping = json.loads(await page.download(f"/api/imports/{import_id}/mapping.json"))
    assert mapping["Titel"] == "title" and mapping["Assigned To"] == "assignedTo"
    again = await page.upload(write_csv(tmp_path / "m2.csv", header, quo_rows(3)), provider="quo")
    assert again["error"] is None and again["validation"]["to_send"] == 3
    assert again["options"]["mapping"] == {"Titel": "title"}


async def test_a_workbook_with_several_sheets_offers_the_choice(page, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    tasks = book.create_sheet("Tasks")
    tasks.append(QUO_HEADER)
    for row in quo_rows(2):
        tasks.append(row)
    book.save(tmp_path / "two.xlsx")
    view = await page.upload(tmp_path / "two.xlsx", provider="quo")
    assert view["sheets"] == ["Notes", "Tasks"] and view["sheet"] == "Notes"
    view = await page.post_json(f"/api/imports/{view['import']['id']}/check", {"sheet": "Tasks"})
    assert view["sheet"] == "Tasks" and view["validation"]["to_send"] == 2


async def test_the_checked_workbook_marks_the_invalid_rows(page):
    view = await page.upload(MISTAKES)
    data = await page.download(f"/api/imports/{view['import']['id']}/checked.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = sheet.iter_rows(min_row=2, values_only=True)
    statuses = {row[header.index("_row")]: row[header.index("_status")] for row in rows}
    assert statuses[7] == "invalid" and statuses[2] == "dry_run"


async def _send(page, import_id: str, **body) -> list[dict]:
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True, **body}, status=202)
    return await page.events(import_id)


async def test_the_journey_invalid_rows_block_then_a_fixed_file_is_sent_once(page, tmp_path):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    refused = await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, status=409)
    assert "row(s) of this file are invalid and nothing is sent" in refused["error"]
    fixed = fixed_mistakes(tmp_path / "fixed.csv")
    view = await page.upload(fixed, into=import_id)
    assert view["validation"]["invalid"] == 0, view["validation"]["problems"]
    events = await _send(page, import_id)
    last = events[-1]
    assert last["state"] == "finished" and last["done"] == last["total"] == view["validation"]["to_send"]
    assert last["summary"]["counts"] == {"created": last["total"]}
    assert last["summary"]["line"].startswith(f"{last['total']} rows: {last['total']} created")
    assert [e["done"] for e in events] == sorted(e["done"] for e in events)
    table = await page.results_csv(import_id)
    source = list(csv.DictReader(io.StringIO(fixed.read_text(encoding="utf-8"))))
    assert [row["Task Ref"] for row in table] == [row["Task Ref"] for row in source if row["Task Ref"]]
    assert all(row["_status"] == "created" and row["_task_id"] for row in table)
    book = openpyxl.load_workbook(io.BytesIO(await page.download(f"/api/imports/{import_id}/results.xlsx")))
    assert book.worksheets[0].max_row == len(table) + 1
    again = await _send(page, import_id)
    assert again[-1]["summary"]["counts"] == {"already_created": last["total"]}
    state = await page.get_json("/api/state")
    listed = {item["id"]: item for item in state["imports"]}[import_id]
    assert listed["sent"] and listed["counts"] == {"already_created": last["total"]}
    view = await page.get_json(f"/api/imports/{import_id}")
    assert view["results"]["counts"] == {"already_created": last["total"]}


async def test_an_import_fixed_on_the_page_is_continued_by_the_cli_without_sending_twice(page, tmp_path, capsys):
    source = write_csv(tmp_path / "q.csv", QUO_HEADER, [*quo_rows(4), ["", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"]])
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    fix = {"cells": [{"row": 6, "column": "Title", "value": "Fixed"}]}
    assert (await page.post_json(f"/api/imports/{import_id}/edits", fix))["validation"]["invalid"] == 0
    assert (await _send(page, import_id))[-1]["summary"]["counts"] == {"created": 5}
    folder = page.workdir / "imports" / import_id
    argv = ["run", str(folder / "input-1-edited.csv"), "--provider", "quo", "--results", str(folder / "results.xlsx"),
            "--timezone", "UTC", "--no-dayfirst", "--phone-region", "US", "--sandbox", "--quiet"]
    code = await asyncio.to_thread(cli.main, argv)
    assert code == 0
    assert "5 already_created" in capsys.readouterr().out


async def test_stop_lets_requests_in_flight_finish_and_writes_the_results(page, tmp_path):
    source = write_csv(tmp_path / "big.csv", QUO_HEADER, quo_rows(400))
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, status=202)
    seen = []
    async with page.session.get(f"{page.base}/api/imports/{import_id}/events") as response:
        async for line in response.content:
            if not line.startswith(b"data: "):
                continue
            seen.append(json.loads(line[6:]))
            if seen[-1]["done"] > 0 and not seen[-1]["stopping"] and seen[-1]["state"] == "running":
                await page.post_json(f"/api/imports/{import_id}/stop", {})
    last = seen[-1]
    assert last["state"] == "finished" and last["stopping"]
    counts = last["summary"]["counts"]
    assert counts["not_sent"] > 0 and counts.get("created", 0) > 0 and "uncertain" not in counts
    assert last["summary"]["exit_code"] == 130
    assert any("again to send the remaining" in step for step in last["summary"]["next"])
    table = await page.results_csv(import_id)
    assert len(table) == 400


async def test_closing_the_page_does_not_stop_the_run(page, tmp_path):
    source = write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(60))
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, status=202)
    async with page.session.get(f"{page.base}/api/imports/{import_id}/events") as response:
        await response.content.readline()
    state = await page.get_json("/api/state")
    assert [run["import"] for run in state["running"]] == [import_id]
    events = await page.events(import_id)
    assert events[-1]["summary"]["counts"] == {"created": 60}


async def test_missing_credentials_get_the_cli_sentence_and_nothing_is_sent(page, tmp_path):
    source = write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(2))
    view = await page.upload(source, provider="quo")
    events = await _send(page, view["import"]["id"], sandbox=False, credentials={})
    assert events[-1]["state"] == "failed"
    # the CLI's sentence, in the page's words: the field to fill in, not the variable to set
    assert events[-1]["error"] == "No Quo credentials: fill in “API key” above (or tick Sandbox)."


async def test_typed_credentials_are_never_written_nor_sent_back(page, tmp_path):
    secret = "sk-very-secret-4242"
    source = write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(2))
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    answer = await page.post_json(f"/api/imports/{import_id}/send",
                                  {"sandbox": False, "credentials": {"QUO_API_KEY": secret}}, status=202)
    events = await page.events(import_id)
    assert secret not in json.dumps([answer, *events, await page.get_json(f"/api/imports/{import_id}"),
                                     await page.get_json("/api/state")])
    for path in page.workdir.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


async def test_one_run_at_a_time_per_import_and_no_new_file_while_it_sends(page, tmp_path):
    source = write_csv(tmp_path / "big.csv", QUO_HEADER, quo_rows(400))
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, status=202)
    busy = await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, status=409)
    assert busy["error"] == "This import is being sent: wait for it to finish, or press Stop."
    assert (await page.upload(source, into=import_id, status=409))["error"] == busy["error"]
    await page.post_json(f"/api/imports/{import_id}/stop", {})
    assert (await page.events(import_id))[-1]["state"] == "finished"
    none_left = await page.post_json(f"/api/imports/{import_id}/stop", {}, status=409)
    assert none_left["error"] == "Nothing is being sent for this import."


async def test_the_results_fixed_in_excel_and_dropped_again_send_only_the_rows_not_created(page, tmp_path):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    valid, invalid = view["validation"]["to_send"], view["validation"]["invalid"]
    events = await _send(page, import_id, skip_invalid=True)
    assert events[-1]["summary"]["counts"] == {"created": valid, "invalid": invalid}
    workbook = tmp_path / "travtus-with-mistakes.results.xlsx"
    workbook.write_bytes(await page.download(f"/api/imports/{import_id}/results.xlsx"))
    book = openpyxl.load_workbook(workbook)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    fixes = {"31/31/2026": "12/6/2026", "urgent": "high", "555-012": "(510) 555-0123"}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value in fixes:
                cell.value = fixes[cell.value]
    book.save(workbook)
    view = await page.upload(workbook, into=import_id)
    assert view["validation"]["counts"]["already_created"] == valid
    assert view["validation"]["to_send"] == len(fixes)
    events = await _send(page, import_id, skip_invalid=True)
    counts = events[-1]["summary"]["counts"]
    assert counts == {"created": len(fixes), "already_created": valid, "invalid": invalid - len(fixes)}
    assert "_status" in header


async def test_a_rate_limit_pause_reaches_the_progress_snapshot():
    from bulk_tasks.send.run import Progress
    from bulk_tasks.web.runs import Run

    run: Progress = Run("x", asyncio.get_running_loop(), lambda run: None)
    run.start(10)
    run.waiting(4.0)
    assert run.snapshot()["waiting"] == 4.0 and run.snapshot()["total"] == 10


async def test_a_third_provider_gets_its_own_key_field_and_the_typed_key_reaches_its_run(page, tmp_path, sandbox,
                                                                                           monkeypatch):
    from toy_provider.provider import Toy
    from toy_provider.sandbox import SANDBOX_TOY_API_KEY

    providers = {p["name"]: p for p in (await page.get_json("/api/state"))["providers"]}
    assert providers["toy"]["credentials"] == ["TOY_API_KEY"]
    # each field's label and the hint under them are the provider's own (declared, else derived), not the page's
    assert providers["toy"]["credential_labels"] == {"TOY_API_KEY": "API key"}
    assert providers["toy"]["credential_hint"] == Toy.credential_hint
    assert providers["travtus"]["credential_labels"] == {"TRAVTUS_API_TOKEN": "API token",
                                                         "TRAVTUS_CLIENT_ID": "Client ID",
                                                         "TRAVTUS_CLIENT_SECRET": "Client secret"}
    assert providers["travtus"]["credential_hint"] == "Give the API token, or the client ID and secret."
    assert providers["quo"]["credential_labels"] == {"QUO_API_KEY": "API key"}
    assert not providers["quo"]["credential_hint"]
    monkeypatch.setattr(Toy, "default_base_url", sandbox.url)  # its "production" is the test's sandbox
    view = await page.upload(write_csv(tmp_path / "t.csv", ["title", "board"], [["Water", "BD1"], ["Feed", "BD2"]]),
                             provider="toy")
    events = await _send(page, view["import"]["id"], sandbox=False,
                         credentials={"TOY_API_KEY": SANDBOX_TOY_API_KEY, "QUO_API_KEY": "not-this-one"})
    assert events[-1]["summary"]["counts"] == {"created": 2}, events[-1]
    assert [task.key for task in sandbox.state.tasks_of("toy")] == [SANDBOX_TOY_API_KEY] * 2
