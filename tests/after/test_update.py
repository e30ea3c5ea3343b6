"""The monthly sheet again: rows created earlier whose fields differ are ``changed``; ``--update`` sends them."""

from __future__ import annotations

from afterruns import live
from bulk_tasks.providers.quo.sandbox_tasks import with_current
from helpers import write_csv
from runs import TRAVTUS_HEADER, QUO_HEADER, results_of, run

MONTHLY = [["PROP-OAK", f"ONB-{i:02d}", f"Onboarding step {i}", f"2026-12-{i:02d} 09:00", "normal"] for i in range(1, 16)]


def moved(rows: list[list[str]]) -> list[list[str]]:
    """Every due date a month later."""
    return [[*row[:3], row[3].replace("2026-12-", "2027-01-"), row[4]] for row in rows]


async def test_a_monthly_sheet_with_every_date_moved_is_changed_never_already_created(tmp_path, sandbox):
    path = write_csv(tmp_path / "onboarding.csv", TRAVTUS_HEADER, MONTHLY)
    await run(path, "travtus", sandbox)
    requests = sandbox.state.stats.providers["travtus"].task_requests
    write_csv(path, TRAVTUS_HEADER, moved(MONTHLY))
    again = await run(path, "travtus", sandbox)
    assert again.counts == {"changed": 15} and again.exit_code == 1
    assert sandbox.state.stats.providers["travtus"].task_requests == requests  # nothing sent
    report = results_of(tmp_path / "onboarding.results.csv")
    assert report.loc[4, "_error"].startswith("Due Date was 2026-12-05 09:00, now 2027-01-05 09:00; nothing was sent")
    assert "--update" in report.loc[4, "_error"] and report.loc[4, "_task_id"]


async def test_run_update_sends_the_changes_once_and_the_rows_become_updated(tmp_path, sandbox):
    path = write_csv(tmp_path / "onboarding.csv", TRAVTUS_HEADER, MONTHLY)
    await run(path, "travtus", sandbox)
    changed = moved(MONTHLY)
    changed[0][2] = "First day, renamed"
    write_csv(path, TRAVTUS_HEADER, changed)
    updated = await run(path, "travtus", sandbox, update=True)
    assert updated.counts == {"updated": 15} and updated.exit_code == 0
    tasks = {task.payload["external_ref"]: task for task in live(sandbox, "travtus")}
    assert len(tasks) == 15 and tasks["ONB-05"].current["due_datetime"] == "2027-01-05T09:00:00"
    assert tasks["ONB-01"].current["title"] == "First day, renamed"
    report = results_of(tmp_path / "onboarding.results.csv")
    assert report.loc[0, "_error"].startswith("updated on ") and "Title was Onboarding step 1, now First day" \
        in report.loc[0, "_error"]
    requests = sandbox.state.stats.providers["travtus"].task_requests
    after = await run(path, "travtus", sandbox, update=True)
    assert after.counts == {"already_created": 15}
    assert sandbox.state.stats.providers["travtus"].task_requests == requests


async def test_quo_update_uses_put_and_the_actions_and_refuses_to_move_a_link(tmp_path, sandbox):
    header = [*QUO_HEADER, "Assigned To"]
    rows = [[f"Call {i}", f"About {i}", "2026-12-05 09:00", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for i in range(1, 4)]
    path = write_csv(tmp_path / "quo.csv", header, rows)
    await run(path, "quo", sandbox)
    rows[0][1] = "About 1, again"       # description: PUT with the title
    rows[1][2] = "2027-01-05 09:00"     # due date: change-due-date
    rows[1][4] = "USr7Tc3VnB"                  # assignee: assign
    rows[2][3] = "PN2"                  # another phone number: Quo cannot move a task
    results = tmp_path / "quo.results.csv"
    report = results_of(results)  # Quo rows have no reference: the results file's _task_id says they exist
    ids = list(report["_task_id"])
    for column, value in (("Description", rows[0][1]), ("Due Date", rows[1][2])):
        report.loc[0 if column == "Description" else 1, column] = value
    report.loc[1, "Assigned To"], report.loc[2, "phoneNumberId"] = "USr7Tc3VnB", "PN2"
    report.to_csv(results, index=False, encoding="utf-8-sig")
    changed = await run(results, "quo", sandbox)
    assert changed.counts == {"changed": 3} and len(live(sandbox, "quo")) == 3
    updated = await run(results, "quo", sandbox, update=True)
    assert updated.counts == {"updated": 2, "changed": 1}, updated.problems
    tasks = {task.task_id: with_current(task).current for task in live(sandbox, "quo")}
    assert len(tasks) == 3 and tasks[ids[0]]["description"] == "About 1, again" and tasks[ids[0]]["revision"] == "2"
    assert (tasks[ids[1]]["dueDate"], tasks[ids[1]]["assignedTo"], tasks[ids[1]]["revision"]) == (
        "2027-01-05T09:00:00Z", "USr7Tc3VnB", "3")
    assert tasks[ids[2]]["phoneNumberId"] == "PNk3Ra9XwQ2m"
    note = results_of(results).loc[2, "_error"]
    assert "Quo cannot change phoneNumberId of a task that exists" in note and "undo" in note
    again = await run(results, "quo", sandbox, update=True)
    assert again.counts == {"already_created": 2, "changed": 1}
