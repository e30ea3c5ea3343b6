"""Fixing the sheet on the page over loopback HTTP: a typed cell is checked again at once by the library's
rules, fix-all, find and replace, undo and redo, and the edits kept in the work directory."""

from __future__ import annotations

import csv


from bulk_tasks.api import validate_file
from bulk_tasks.read.table import read_table
from bulk_tasks.shape.prepare import ReadOptions
from webpage import MISTAKES, running_page, wait_for


async def edit(page, import_id, row, column, value, status=200):
    return await page.post_json(f"/api/imports/{import_id}/edits",
                                {"cells": [{"row": row, "column": column, "value": value}]}, status)


def statuses(rows):
    return {row["row"]: row["cells"][0] for row in rows}


def sheet_rows(path):
    return read_table(path).frame.fillna("").to_dict("index")


async def test_a_typed_cell_is_checked_again_and_the_counts_follow(page):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    assert view["validation"]["counts"]["invalid"] == 6
    answer = await edit(page, import_id, 7, "Due Date", "12/6/2026")
    assert statuses(answer["rows"]) == {7: "dry_run"}
    assert answer["rows"][0]["marks"] == {}
    assert answer["validation"]["counts"] == {"invalid": 5, "dry_run": 6}
    answer = await edit(page, import_id, 7, "Due Date", "31/31/2026")
    assert statuses(answer["rows"]) == {7: "invalid"}
    assert "Due Date = '31/31/2026': is not a date bulk-tasks can read" in answer["rows"][0]["cells"][1]
    rules = answer["rows"][0]["marks"]
    assert any("is not a date" in rule for rule in rules.values())


async def test_the_checks_after_edits_are_what_the_library_says_of_the_edited_sheet(page, tmp_path):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    await edit(page, import_id, 9, "Priority", "high")
    await edit(page, import_id, 10, "Assignee Email", "not an address")
    answer = await edit(page, import_id, 2, "Title", "")
    folder = page.workdir / "imports" / import_id
    await wait_for(lambda: _exists(folder / "input-1-edited.csv"), "the edited sheet")
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(await page.download(f"/api/imports/{import_id}/sheet.csv"))
    summary = validate_file(fixed, "travtus", ReadOptions(timezone="UTC"), results=tmp_path / "r.csv")
    assert answer["validation"]["counts"] == summary.counts
    assert answer["validation"]["problems"] == (await page.get_json(f"/api/imports/{import_id}"))[
        "validation"]["problems"]
    assert sorted({e.row for e in summary.errors}) == sorted(
        row["row"] for row in (await page.get_json(f"/api/imports/{import_id}/rows?only=problems"))["rows"])
    assert (folder / "input-1.csv").read_bytes() == MISTAKES.read_bytes()
    edited = sheet_rows(folder / "input-1-edited.csv")
    original = sheet_rows(MISTAKES)
    assert set(edited) == set(original)  # the same spreadsheet row numbers (row 8 is blank in both)
    assert edited[9]["Priority"] == "high" and edited[2]["Title"] == ""
    assert {row: values for row, values in edited.items() if row not in (2, 9, 10)} == \
        {row: values for row, values in original.items() if row not in (2, 9, 10)}
    book = tmp_path / "fixed.xlsx"
    book.write_bytes(await page.download(f"/api/imports/{import_id}/sheet.xlsx"))
    assert list(read_table(book).frame.fillna("").to_dict("records")) == list(edited.values())


async def _exists(path):
    return path.exists()


async def test_a_duplicate_is_checked_again_when_either_copy_changes(page, tmp_path):
    sheet = tmp_path / "dupes.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Task Ref", "Title", "Group External Ref", "Assignee Ref"])
        for ref in ("A-1", "A-1", "A-1", "B-1"):
            writer.writerow([ref, f"Task {ref}", "PROP-OAK", "EMP-0042"])
    view = await page.upload(sheet)
    import_id = view["import"]["id"]
    assert view["validation"]["counts"] == {"invalid": 2, "dry_run": 2}
    answer = await edit(page, import_id, 2, "Task Ref", "C-1")
    assert statuses(answer["rows"]) == {2: "dry_run", 3: "dry_run", 4: "invalid"}
    assert "duplicate of row 3" in answer["rows"][2]["cells"][1]
    answer = await edit(page, import_id, 4, "Task Ref", "B-1")
    assert statuses(answer["rows"]) == {3: "dry_run", 4: "dry_run", 5: "invalid"}  # the earlier row is the one kept
    assert "duplicate of row 4" in answer["rows"][2]["cells"][1]
    answer = await edit(page, import_id, 5, "Task Ref", "D-1")
    assert statuses(answer["rows"]) == {4: "dry_run", 5: "dry_run"}
    assert answer["validation"]["counts"] == {"dry_run": 4}


async def test_fix_all_like_this_gives_every_row_with_that_value_the_same_correction(page, tmp_path):
    sheet = tmp_path / "priorities.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Task Ref", "Title", "Group External Ref", "Assignee Ref", "Priority"])
        for n in range(6):
            writer.writerow([f"T-{n}", f"Task {n}", "PROP-OAK", "EMP-0042", "urgent" if n % 2 else "low"])
    view = await page.upload(sheet)
    import_id = view["import"]["id"]
    assert view["validation"]["counts"] == {"invalid": 3, "dry_run": 3}
    answer = await edit(page, import_id, 3, "Priority", "high")
    assert answer["alike"] == {"column": "Priority", "from": "urgent", "to": "high", "rows": 2}
    answer = await page.post_json(f"/api/imports/{import_id}/fix-all",
                                  {"column": "Priority", "from": "urgent", "to": "high"})
    assert statuses(answer["rows"]) == {5: "dry_run", 7: "dry_run"}
    assert answer["validation"]["counts"] == {"dry_run": 6}
    undone = await page.post_json(f"/api/imports/{import_id}/undo", {})
    assert statuses(undone["rows"]) == {5: "invalid", 7: "invalid"}  # one undo: the whole fix-all
    assert undone["history"]["undo"] == 1 and undone["history"]["redo"] == 1


async def test_find_and_replace_within_one_column(page):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    answer = await page.post_json(f"/api/imports/{import_id}/replace",
                                  {"column": "Building Manager", "find": "R. Patel", "replace": "Raj Patel"})
    assert answer["changed"] == 3 and sorted(r["row"] for r in answer["rows"]) == [2, 3, 11]
    rows = {r["row"]: r["cells"] for r in (await page.get_json(f"/api/imports/{import_id}/rows?limit=50"))["rows"]}
    columns = (await page.get_json(f"/api/imports/{import_id}/rows?limit=1"))["columns"]
    manager = columns.index("Building Manager")
    assert [rows[n][manager] for n in (2, 3, 11, 4)] == ["Raj Patel", "Raj Patel", "Raj Patel", "L. Chen"]
    assert rows[2][columns.index("Resident First Name")] is None  # other columns untouched


async def test_undo_and_redo_go_back_and_forth_through_the_last_25_edits(page):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    first = await page.get_json(f"/api/imports/{import_id}/rows?limit=50")
    title = first["columns"].index("Title")
    for n in range(25):
        await edit(page, import_id, 12, "Title", f"Dryer vent {n}")
    for n in range(24, -1, -1):
        rows = {r["row"]: r["cells"] for r in (await page.get_json(f"/api/imports/{import_id}/rows?limit=50"))["rows"]}
        assert rows[12][title] == f"Dryer vent {n}"
        answer = await page.post_json(f"/api/imports/{import_id}/undo", {})
    assert answer["history"] == {"undo": 0, "redo": 25, "undo_label": None, "redo_label": "edit", "edited": True}
    assert (await page.get_json(f"/api/imports/{import_id}/rows?limit=50"))["rows"] == first["rows"]
    await page.post_json(f"/api/imports/{import_id}/undo", {}, 409)
    for n in range(3):
        answer = await page.post_json(f"/api/imports/{import_id}/redo", {})
        assert answer["rows"][0]["cells"][title] == f"Dryer vent {n}"
    answer = await edit(page, import_id, 12, "Title", "Vents")
    assert answer["history"]["redo"] == 0  # a new edit starts redo over


async def test_edits_survive_a_restart_and_the_upload_is_never_changed(tmp_path):
    work = tmp_path / "work"
    async with running_page(work) as page:
        view = await page.upload(MISTAKES)
        import_id = view["import"]["id"]
        await edit(page, import_id, 7, "Due Date", "12/6/2026")
        await edit(page, import_id, 9, "Priority", "high")
    async with running_page(work) as page:
        view = await page.get_json(f"/api/imports/{import_id}")
        assert view["validation"]["counts"] == {"invalid": 4, "dry_run": 7}
        grid = await page.get_json(f"/api/imports/{import_id}/rows?limit=50")
        rows = {r["row"]: r["cells"][0] for r in grid["rows"]}
        assert rows[7] == rows[9] == "dry_run"
        answer = await page.post_json(f"/api/imports/{import_id}/undo", {})
        assert statuses(answer["rows"]) == {9: "invalid"}
    assert (work / "imports" / import_id / "input-1.csv").read_bytes() == MISTAKES.read_bytes()


async def test_the_sheet_is_sent_with_its_fixes_and_the_results_carry_them(page):
    view = await page.upload(MISTAKES)
    import_id = view["import"]["id"]
    fixes = [(7, "Due Date", "12/6/2026"), (9, "Priority", "high"), (10, "Assignee Email", "maria@example.com"),
             (11, "Resident Phone", "(510) 555-0123"), (5, "Group External Ref", "PROP-OAK"), (4, "group_id", "")]
    for row, column, value in fixes:
        answer = await edit(page, import_id, row, column, value)
    assert answer["validation"]["counts"] == {"dry_run": 11}
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, 202)
    await page.events(import_id)
    results = {int(row["_row"]): row for row in await page.results_csv(import_id)}
    assert {row["_status"] for row in results.values()} == {"created"}
    for row, column, value in fixes:
        assert results[row][column] == value
    assert (page.workdir / "imports" / import_id / "input-1.csv").read_bytes() == MISTAKES.read_bytes()


async def test_the_question_before_sending_counts_only_the_rows_still_to_create(page, tmp_path):
    source = tmp_path / "calls.csv"
    rows = [[f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(6)]
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Title", "Description", "phoneNumberId", "Assigned To"], *rows[:4]])
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    plan = await page.get_json(f"/api/imports/{import_id}/plan")
    assert plan["sandbox"]["rows"] == 4 and plan["sandbox"]["question"].startswith("About to create 4 tasks in Quo")
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, 202)
    await page.events(import_id)
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Title", "Description", "phoneNumberId", "Assigned To"], *rows])
    view = await page.upload(source, into=import_id)
    assert "results" not in view and view["validation"]["to_send"] == 6  # the new upload, not the old results
    again = await page.get_json(f"/api/imports/{import_id}")
    assert "results" not in again  # reopened: its latest state only
    plan = await page.get_json(f"/api/imports/{import_id}/plan")
    assert plan["sandbox"]["rows"] == 2 and plan["sandbox"]["already"] == 4
    assert plan["sandbox"]["question"].startswith("About to create 2 tasks in Quo")
    assert plan["real"]["rows"] == 6  # the sandbox's tasks are not real ones


async def test_matching_shows_what_it_applies_and_keeps_it_for_a_fixed_sheet(page, tmp_path):
    header = ["Titel", "Description", "phoneNumberId", "Assigned To", "Notes"]
    source = tmp_path / "m.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, ["Call", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL", "n"]])
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    titel = view["matching"][0]
    assert titel["field"] is None and titel["suggestion"] == "title"  # offered, not applied
    conflict = {"Titel": "title", "Description": "description", "Notes": "description"}
    view = await page.post_json(f"/api/imports/{import_id}/check", {"mapping": conflict})
    assert view["validation"] is None  # no stale check beside the error
    assert view["error_headers"] == ["Description", "Notes"] and "--" not in view["error"]
    assert {m["header"]: m["field"] for m in view["matching"]}["Notes"] == "description"  # as chosen
    view = await page.post_json(f"/api/imports/{import_id}/check", {"mapping": {"Titel": "title"}})
    assert view["validation"]["to_send"] == 1
    fixed = await page.upload(source, into=import_id)
    assert fixed["options"]["mapping"] == {"Titel": "title"} and fixed["validation"]["to_send"] == 1
    state = await page.get_json("/api/state")
    titles = {p["name"]: p["title"] for p in state["providers"]}
    assert (titles["quo"], titles["travtus"]) == ("Quo", "Travtus")
    assert "workdir" not in state and all("cli" not in item for item in state["imports"])


async def test_rows_a_results_file_marks_created_stay_created_when_other_rows_are_fixed(page, tmp_path):
    header = ["_row", "_status", "_task_id", "Title", "Description", "phoneNumberId", "Assigned To"]
    rows = [["2", "created", "TASK-1", "Call 0", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"],
            ["3", "invalid", "", "", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"]]
    source = tmp_path / "tasks.results.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    view = await page.upload(source, provider="quo")
    import_id = view["import"]["id"]
    assert view["validation"]["counts"] == {"already_created": 1, "invalid": 1}
    answer = await edit(page, import_id, 3, "Title", "Call 1")
    assert answer["validation"]["counts"] == {"already_created": 1, "dry_run": 1}
    answer = await edit(page, import_id, 2, "Title", "Call zero")  # a created row: its status stays
    assert answer["validation"]["counts"] == {"already_created": 1, "dry_run": 1}
    await edit(page, import_id, 3, "_status", "created", status=400)  # results columns are not the page's to edit
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, 202)
    await page.events(import_id)
    results = {int(row["_row"]): row for row in await page.results_csv(import_id)}
    assert results[2]["_status"] == "already_created" and results[2]["_task_id"] == "TASK-1"  # never sent again
    assert results[3]["_status"] == "created" and results[3]["Title"] == "Call 1"
