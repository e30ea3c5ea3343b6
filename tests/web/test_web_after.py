"""A past import's Verify, Undo and Send the changes over the page's HTTP API, against a real sandbox on
loopback standing in for the providers' production endpoints (the page sends to it "for real")."""

from __future__ import annotations

import pytest

from bulk_tasks.console import after_messages as say
from bulk_tasks.console.wording import PAGE
from bulk_tasks.providers import get_provider
from helpers import write_csv
from runs import QUO_HEADER, TRAVTUS_HEADER, quo_rows, travtus_rows


def live(sandbox, provider: str) -> list:
    """The tasks of ``provider`` the sandbox holds that were not taken back."""
    return [task for task in sandbox.state.tasks_of(provider) if not task.deleted]


@pytest.fixture
def production(sandbox, monkeypatch):
    """Quo's and Travtus's production endpoints are the test's sandbox (its rate limits off)."""
    for name in ("quo", "travtus"):
        monkeypatch.setattr(type(get_provider(name)), "default_base_url", sandbox.url)
    sandbox.config.quo_rate_per_second = None
    return sandbox


async def sent(page, sandbox, path, provider: str, **body) -> str:
    """Upload ``path`` as a new import and send it for real; its id once the run has ended."""
    view = await page.upload(path, provider=provider)
    import_id = view["import"]["id"]
    await page.post_json(f"/api/imports/{import_id}/send",
                         {"sandbox": False, "credentials": sandbox.environment(), **body}, 202)
    assert (await page.events(import_id))[-1]["state"] == "finished"
    return import_id


async def operate(page, sandbox, import_id: str, what: str, **body) -> dict:
    """Start Verify or Undo (``what``: ``verify``, ``take-back``) and return its last snapshot."""
    started = await page.post_json(f"/api/imports/{import_id}/{what}", {"credentials": sandbox.environment(), **body},
                                   202)
    assert started["kind"] == {"verify": "verify", "take-back": "undo"}[what]
    events = await page.events(import_id)
    assert events[-1]["state"] == "finished", events[-1]
    return events[-1]


async def test_verify_turns_the_uncertain_rows_found_into_created_and_the_rest_into_not_sent(page, production,
                                                                                             tmp_path):
    sandbox = production
    sandbox.config.seed = 7
    sandbox.state.rng.seed(7)
    sandbox.config.fault_500_after_create_rate = sandbox.config.drop_before_rate = 0.25
    import_id = await sent(page, sandbox, write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(20)), "quo")
    sandbox.config.fault_500_after_create_rate = sandbox.config.drop_before_rate = 0.0
    before = {row["Title"]: row for row in await page.results_csv(import_id)}
    uncertain = {title for title, row in before.items() if row["_status"] == "uncertain"}
    exists = {task.payload["title"]: task.task_id for task in live(sandbox, "quo")}
    found = uncertain & set(exists)
    assert found and uncertain - found, before  # both kinds, or the test proves nothing
    offer = (await page.get_json(f"/api/imports/{import_id}"))["after"]["verify"]
    assert offer == {"enabled": True, "why": "", "count": 20 - sum(r["_status"] == "failed" for r in before.values())}

    last = await operate(page, sandbox, import_id, "verify")
    after = {row["Title"]: row for row in await page.results_csv(import_id)}
    for title in uncertain:
        if title in found:
            assert (after[title]["_status"], after[title]["_task_id"]) == ("created", exists[title])
        else:
            assert after[title]["_status"] == "not_sent"
    summary = last["summary"]
    assert summary["line"].startswith(f"Checked {offer['count']} rows in Quo at {sandbox.url} (")
    assert f"{len(found)} uncertain rows were created: now created, with their task ID" in summary["lines"][0]
    assert any(line.endswith(": press Send (step 5) when you are ready") and "the next Send sends them, once" in line
               for line in summary["lines"])
    assert summary["counts"] == {status: sum(r["_status"] == status for r in after.values())
                                 for status in {r["_status"] for r in after.values()}}
    listed = {item["id"]: item for item in (await page.get_json("/api/state"))["imports"]}
    assert listed[import_id]["counts"] == summary["counts"]  # the list of past imports shows the new counts
    for text in [summary["line"], *summary["lines"]]:
        assert not PAGE.flags_left(text) and "bulk-tasks" not in text and str(page.workdir) not in text


async def test_undo_takes_back_every_task_then_has_nothing_left_to_take_back(page, production, tmp_path):
    sandbox = production
    import_id = await sent(page, sandbox, write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(6)), "quo")
    offer = (await page.get_json(f"/api/imports/{import_id}"))["after"]["undo"]
    assert offer["question"] == f"About to delete 6 tasks in Quo at {sandbox.url}. Continue?" == \
        say.UNDO_QUESTION.format(count="6 tasks", provider="Quo", url=sandbox.url).removesuffix(" [y/N]")
    assert offer["enabled"] and offer["count"] == 6 and offer["force"]
    last = await operate(page, sandbox, import_id, "take-back", count=6)
    assert live(sandbox, "quo") == []
    assert last["summary"]["line"] == f"Took back 6 tasks in Quo at {sandbox.url}."
    assert last["counts"] == {"deleted": 6} and last["summary"]["counts"] == {"deleted": 6}
    rows = await page.results_csv(import_id)
    assert {row["_status"] for row in rows} == {"deleted"}
    assert all(row["_error"].startswith("taken back by bulk-tasks undo on") for row in rows)
    grid = await page.get_json(f"/api/imports/{import_id}/rows?of=results")
    problems = {row["cells"][grid["columns"].index("_error")] for row in grid["rows"]}
    assert all(text.startswith("taken back by Undo on") for text in problems)
    view = await page.get_json(f"/api/imports/{import_id}")
    assert view["after"]["undo"]["enabled"] is False
    assert view["after"]["undo"]["why"] == say.NOTHING_TO_UNDO.format(path="this import")
    again = await page.post_json(f"/api/imports/{import_id}/take-back", {"count": 6}, 409)
    assert again["error"] == view["after"]["undo"]["why"]


async def test_a_stopped_undo_is_carried_on_by_the_next_and_nothing_is_sent_twice(page, production, tmp_path):
    sandbox = production
    import_id = await sent(page, sandbox, write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(30)), "quo")
    sandbox.config.latency = 0.05
    await page.post_json(f"/api/imports/{import_id}/take-back", {"credentials": sandbox.environment(), "count": 30},
                         202)
    busy = await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": False}, 409)
    assert busy["error"] == "This import is being taken back: wait for it to finish, or press Stop."
    running = (await page.get_json("/api/state"))["running"]
    assert [(run["import"], run["kind"]) for run in running] == [(import_id, "undo")]  # what a second tab sees
    async with page.session.get(f"{page.base}/api/imports/{import_id}/events") as response:
        async for line in response.content:  # the first task taken back, then Stop
            if line.startswith(b"data: ") and b'"deleted"' in line:
                break
    await page.post_json(f"/api/imports/{import_id}/stop", {})
    first = (await page.events(import_id))[-1]
    taken = first["counts"].get("deleted", 0)
    assert 0 < taken < 30 and first["stopping"]
    sandbox.config.latency = 0.0
    offer = (await page.get_json(f"/api/imports/{import_id}"))["after"]["undo"]
    assert offer["count"] == 30 - taken
    second = await operate(page, sandbox, import_id, "take-back", count=offer["count"])
    assert second["total"] == 30 - taken  # nothing the first one took back is sent again
    assert live(sandbox, "quo") == [] and second["summary"]["counts"] == {"deleted": 30}


async def test_undo_sends_nothing_when_more_tasks_would_go_than_were_confirmed(page, production, tmp_path):
    sandbox = production
    import_id = await sent(page, sandbox, write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(4)), "quo")
    last = await operate(page, sandbox, import_id, "take-back", count=3)
    assert last["summary"]["line"] == "Nothing was taken back." and len(live(sandbox, "quo")) == 4


async def test_travtus_cannot_be_looked_up_and_the_page_says_what_to_do(page, production, tmp_path):
    sandbox = production
    import_id = await sent(page, sandbox, write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, travtus_rows(3)), "travtus")
    after = (await page.get_json(f"/api/imports/{import_id}"))["after"]
    why = after["verify"]["why"]
    assert after["verify"]["enabled"] is False and why.startswith("Travtus offers no way to look a task up")
    assert "Look for them in Travtus itself" in why and not PAGE.flags_left(why) and "_status" not in why
    assert "by their “Task Ref” or “Title”" in why and "external_ref" not in why  # the sheet's own columns
    refused = await page.post_json(f"/api/imports/{import_id}/verify", {}, 409)
    assert refused["error"] == why
    assert after["undo"]["enabled"] and after["undo"]["question"].startswith("About to delete 3 tasks in Travtus at ")


async def test_send_the_changes_updates_only_the_row_whose_due_date_moved(page, production, tmp_path):
    sandbox = production
    rows = travtus_rows(5)
    import_id = await sent(page, sandbox, write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, rows), "travtus")
    assert (await page.get_json(f"/api/imports/{import_id}"))["after"]["update"]["count"] == 0
    rows[2][3] = "2027-01-05 09:00"
    await page.upload(write_csv(tmp_path / "t2.csv", TRAVTUS_HEADER, rows), into=import_id)
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": False, "credentials": sandbox.environment()},
                         202)
    assert (await page.events(import_id))[-1]["summary"]["counts"] == {"already_created": 4, "changed": 1}
    update = (await page.get_json(f"/api/imports/{import_id}"))["after"]["update"]
    assert update == {"enabled": True, "why": "", "count": 1,
                      "question": f"About to update 1 task in Travtus at {sandbox.url}. Continue?"}
    before = {task.task_id: dict(task.current or task.payload) for task in live(sandbox, "travtus")}
    await page.post_json(f"/api/imports/{import_id}/send",
                         {"update": True, "sandbox": False, "credentials": sandbox.environment()}, 202)
    last = (await page.events(import_id))[-1]
    assert last["kind"] == "update" and last["summary"]["counts"] == {"already_created": 4, "updated": 1}
    now = {task.task_id: dict(task.current or task.payload) for task in live(sandbox, "travtus")}
    moved = [task_id for task_id in now if now[task_id] != before[task_id]]
    assert len(moved) == 1 and now[moved[0]]["external_ref"] == "T-00003"
    assert now[moved[0]]["due_datetime"].startswith("2027-01-05")


async def test_a_sandbox_try_offers_nothing_and_says_why(page, tmp_path):
    view = await page.upload(write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(2)), provider="quo")
    import_id = view["import"]["id"]
    await page.post_json(f"/api/imports/{import_id}/send", {"sandbox": True}, 202)
    await page.events(import_id)
    after = (await page.get_json(f"/api/imports/{import_id}"))["after"]
    for kind in ("verify", "undo"):
        assert after[kind]["enabled"] is False
        assert after[kind]["why"].startswith("This import was sent to the built-in sandbox, which kept its tasks only")
        assert not PAGE.flags_left(after[kind]["why"]) and "bulk-tasks" not in after[kind]["why"]
    assert after["real"] is False and after["url"] == "the built-in sandbox"


async def test_a_task_edited_since_is_kept_unless_the_box_is_ticked(page, production, tmp_path, sandbox_session):
    sandbox = production
    import_id = await sent(page, sandbox, write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(3)), "quo")
    edited = (await page.results_csv(import_id))[0]["_task_id"]
    async with sandbox_session.post(f"{sandbox.url}/v1/tasks/{edited}/complete",
                                    headers={"Authorization": sandbox.environment()["QUO_API_KEY"]}) as response:
        assert response.status == 200  # edited in Quo since: its revision moved
    last = await operate(page, sandbox, import_id, "take-back", count=3)
    assert [task.task_id for task in live(sandbox, "quo")] == [edited]
    assert last["summary"]["lines"] == ["Kept 1 edited in Quo since bulk-tasks created them (row 2): to delete them "
                                        "too: press Undo again with “Also delete tasks edited since” ticked"]
    grid = await page.get_json(f"/api/imports/{import_id}/rows?of=results")
    note = grid["rows"][0]["cells"][grid["columns"].index("_error")]
    assert note.startswith("kept: edited in Quo since bulk-tasks created it") and not PAGE.flags_left(note)
    assert note.endswith("press Undo again with “Also delete tasks edited since” ticked")
    assert (await page.get_json(f"/api/imports/{import_id}"))["after"]["undo"]["count"] == 1
    again = await operate(page, sandbox, import_id, "take-back", count=1)  # the box unticked: kept again
    assert [task.task_id for task in live(sandbox, "quo")] == [edited] and again["summary"]["lines"]
    forced = await operate(page, sandbox, import_id, "take-back", count=1, force=True)
    assert live(sandbox, "quo") == [] and forced["summary"]["line"] == f"Took back 1 task in Quo at {sandbox.url}."
