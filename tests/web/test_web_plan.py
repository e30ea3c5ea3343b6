"""Before Send is pressed, the page knows what it would do (``web/plan.py`` over ``send.run.plan_send``): rows
to create, rows created earlier, and rows changed since they were sent, by ``run``'s own rule. The monthly
sheet uploaded again with one due date moved creates nothing: Send says why, and “Send the changes” sends
the change. Against a real sandbox on loopback standing in for Travtus's production endpoint.
"""

from __future__ import annotations

import pytest

from bulk_tasks.console.wording import PAGE
from bulk_tasks.providers import get_provider
from helpers import write_csv
from runs import TRAVTUS_HEADER, travtus_rows

MOVED = "2027-01-05 09:00"


@pytest.fixture
def production(sandbox, monkeypatch):
    monkeypatch.setattr(type(get_provider("travtus")), "default_base_url", sandbox.url)
    return sandbox


async def _sent(page, sandbox, import_id: str, **body) -> dict:
    await page.post_json(f"/api/imports/{import_id}/send",
                         {"sandbox": False, "credentials": sandbox.environment(), **body}, 202)
    last = (await page.events(import_id))[-1]
    assert last["state"] == "finished", last
    return last


async def _monthly(page, sandbox, tmp_path) -> tuple[str, list[list[str]]]:
    """A sheet of 5 rows sent for real; the same sheet uploaded again with row 4's (Task 3's) due date moved."""
    rows = travtus_rows(5)
    view = await page.upload(write_csv(tmp_path / "monthly.csv", TRAVTUS_HEADER, rows))
    import_id = view["import"]["id"]
    assert (await _sent(page, sandbox, import_id))["summary"]["counts"] == {"created": 5}
    rows[2][3] = MOVED
    await page.upload(write_csv(tmp_path / "monthly.csv", TRAVTUS_HEADER, rows), into=import_id)
    return import_id, rows


async def test_the_sheet_again_with_a_due_date_moved_creates_nothing_and_sends_the_change(page, production,
                                                                                         tmp_path):
    sandbox = production
    import_id, _ = await _monthly(page, sandbox, tmp_path)
    plan = (await page.get_json(f"/api/imports/{import_id}/plan"))["real"]
    assert (plan["rows"], plan["already"], plan["changed"]) == (0, 4, 1)
    assert plan["why"] == ("Nothing to create: all 5 rows were created earlier. 1 row created earlier has changed "
                           "since it was sent: Send leaves it as it is, “Send the changes” sends the change.")
    assert plan["update"] == {"enabled": True, "count": 1,
                              "question": f"About to update 1 task in Travtus at {sandbox.url}/task/. Continue?"}
    assert not PAGE.flags_left(plan["why"]) and "About to create 0" not in str(plan)

    before = {task.task_id: task.current or task.payload for task in sandbox.state.tasks_of("travtus")}
    last = await _sent(page, sandbox, import_id, update=True)
    assert last["kind"] == "update" and last["summary"]["counts"] == {"already_created": 4, "updated": 1}, last
    now = {task.task_id: task.current or task.payload for task in sandbox.state.tasks_of("travtus")}
    assert len(now) == 5 and [now[t]["external_ref"] for t in now if now[t] != before[t]] == ["T-00003"]
    again = (await page.get_json(f"/api/imports/{import_id}/plan"))["real"]
    assert (again["rows"], again["changed"], again["update"]["enabled"]) == (0, 0, False)
    assert again["why"] == "Nothing to create: all 5 rows were created earlier."


async def test_the_question_counts_only_the_rows_to_create_and_says_how_many_changed(page, production, tmp_path):
    sandbox = production
    import_id, rows = await _monthly(page, sandbox, tmp_path)
    rows += travtus_rows(2, start=6)
    await page.upload(write_csv(tmp_path / "monthly.csv", TRAVTUS_HEADER, rows), into=import_id)
    plans = await page.get_json(f"/api/imports/{import_id}/plan")
    real = plans["real"]
    assert (real["rows"], real["already"], real["changed"], real["why"]) == (2, 4, 1, "")
    assert real["question"] == f"About to create 2 tasks in Travtus at {sandbox.url}/task/. Continue?"
    assert real["changed_line"] == ("1 row created earlier has changed since it was sent: Send leaves it as it is, "
                                    "“Send the changes” sends the change.")
    assert real["update"]["question"].startswith("About to create 2 tasks and update 1 task in Travtus")
    assert plans["sandbox"]["rows"] == 7 and plans["sandbox"]["changed"] == 0  # the journal is the real one's

    last = await _sent(page, sandbox, import_id)  # Send: creates the 2, leaves the changed row as it is
    assert last["summary"]["counts"] == {"created": 2, "already_created": 4, "changed": 1}, last
    assert len(sandbox.state.tasks_of("travtus")) == 7


async def test_a_cell_of_a_row_created_earlier_edited_in_the_grid_makes_it_changed(page, production, tmp_path):
    sandbox = production
    rows = travtus_rows(3)
    view = await page.upload(write_csv(tmp_path / "monthly.csv", TRAVTUS_HEADER, rows))
    import_id = view["import"]["id"]
    await _sent(page, sandbox, import_id)
    await page.upload(write_csv(tmp_path / "monthly.csv", TRAVTUS_HEADER, rows), into=import_id)
    plan = (await page.get_json(f"/api/imports/{import_id}/plan"))["real"]
    assert (plan["rows"], plan["changed"], plan["why"]) == (0, 0, "Nothing to create: all 3 rows were created earlier.")
    await page.post_json(f"/api/imports/{import_id}/edits", {"cells": [{"row": 3, "column": "Due Date",
                                                                        "value": MOVED}]})
    plan = (await page.get_json(f"/api/imports/{import_id}/plan"))["real"]
    assert (plan["rows"], plan["already"], plan["changed"], plan["update"]["enabled"]) == (0, 2, 1, True)
