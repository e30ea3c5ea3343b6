"""``undo``: the tasks of a past import taken back, journaled like sends, over loopback."""

from __future__ import annotations

import json

import openpyxl
import pytest

from afterruns import cli, live, past_import
from bulk_tasks.after.undo import undo_async
from bulk_tasks.record.journal import journal_path
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from runs import input_file, results_of, run, send_options
from terminal import TerminalSession

KEY = {"Authorization": "sandbox-quo-key"}


@pytest.fixture
def sandbox(sandbox):
    """The shared sandbox with Quo's 10/s limit off: these imports and undos send at 1000/s (tests/runs.py),
    and a row given up after six 429s would fail for a reason these tests are not about."""
    sandbox.config.quo_rate_per_second = None
    return sandbox


async def test_quo_undo_deletes_every_task_and_says_so_in_the_results(tmp_path, sandbox):
    results = await past_import(tmp_path, "quo", sandbox, 12, results=tmp_path / "quo.results.xlsx")
    summary = await undo_async(results, send=send_options(sandbox, base_url=None))
    assert summary.exit_code == 0 and len(summary.deleted) == 12 and live(sandbox, "quo") == []
    report = results_of(results)
    assert set(report["_status"]) == {"deleted"} and all("taken back" in note for note in report["_error"])
    summary_sheet = [[cell for cell in row if cell is not None]
                     for row in openpyxl.load_workbook(results)["Summary"].iter_rows(values_only=True)]
    [line] = [row for row in summary_sheet if row and row[0] == "taken back"]
    assert "12 tasks taken back" in line[1]
    assert ["deleted", 12] in summary_sheet


async def test_a_second_undo_sends_nothing_already_done(tmp_path, sandbox):
    results = await past_import(tmp_path, "quo", sandbox, 6)
    await undo_async(results, rows={2, 3}, send=send_options(sandbox, base_url=None))
    before = sandbox.state.stats.providers["quo"].by_status["204"]
    journal = journal_path(results)
    report = results_of(results)
    report["_status"] = "created"  # even told again that they exist, the journal knows they are gone
    report.to_csv(results, index=False, encoding="utf-8-sig")
    again = await undo_async(results, send=send_options(sandbox, base_url=None))
    intents = [json.loads(line) for line in journal.read_text().splitlines() if '"intent"' in line]
    deletes = [intent["id"] for intent in intents if intent["id"].startswith("undo:") and intent["attempt"] == 1]
    assert sandbox.state.stats.providers["quo"].by_status["204"] - before == 4
    assert len(deletes) == len(set(deletes)) == 6  # six deletes, none sent twice
    assert again.exit_code == 0 and live(sandbox, "quo") == []


async def test_an_edited_quo_task_is_kept_unless_force_and_a_gone_one_is_no_error(tmp_path, sandbox, sandbox_session):
    results = await past_import(tmp_path, "quo", sandbox, 3)
    edited, gone, _ = results_of(results)["_task_id"]
    async with sandbox_session.post(f"{sandbox.url}/v1/tasks/{edited}/change-due-date", headers=KEY,
                                    json={"dueDate": "2027-01-05T09:00:00Z"}) as response:
        assert response.status == 200
    async with sandbox_session.delete(f"{sandbox.url}/v1/tasks/{gone}", headers=KEY) as response:
        assert response.status == 204
    summary = await undo_async(results, send=send_options(sandbox, base_url=None))
    report = results_of(results)
    assert summary.exit_code == 1 and summary.kept == [2] and summary.already_gone == [3] and summary.deleted == [4]
    assert report.loc[0, "_status"] == "created" and "kept: edited in Quo" in report.loc[0, "_error"]
    assert "--force" in report.loc[0, "_error"]
    assert report.loc[1, "_status"] == "deleted" and "already gone" in report.loc[1, "_error"]
    assert [task.task_id for task in live(sandbox, "quo")] == [edited]
    forced = await undo_async(results, force=True, send=send_options(sandbox, base_url=None))
    assert forced.exit_code == 0 and forced.deleted == [2] and live(sandbox, "quo") == []


async def test_rows_limit_the_undo_to_those_rows(tmp_path, sandbox):
    results = await past_import(tmp_path, "quo", sandbox, 10)
    summary = await undo_async(results, rows={2, 3, 4, 9}, send=send_options(sandbox, base_url=None))
    statuses = dict(zip(results_of(results)["_row"], results_of(results)["_status"]))
    assert sorted(summary.deleted) == [2, 3, 4, 9] and len(live(sandbox, "quo")) == 6
    assert [row for row, status in statuses.items() if status == "deleted"] == ["2", "3", "4", "9"]


async def test_travtus_undo_patches_status_deleted_by_identifier_else_external_ref(tmp_path, sandbox):
    results = await past_import(tmp_path, "travtus", sandbox, 4)
    report = results_of(results)
    report.loc[0, "_task_id"] = ""  # no identifier kept: the task is chosen by its external_ref
    report.to_csv(results, index=False, encoding="utf-8-sig")
    summary = await undo_async(results, send=send_options(sandbox, base_url=None))
    assert summary.exit_code == 0 and sorted(summary.deleted) == [2, 3, 4, 5]
    assert live(sandbox, "travtus") == [] and all(task.current["status"] == "deleted"
                                                  for task in sandbox.state.tasks_of("travtus"))


async def test_after_an_undo_the_same_input_creates_the_rows_again_and_says_so(tmp_path, sandbox):
    path = input_file(tmp_path, "travtus", 5)
    first = await run(path, "travtus", sandbox)
    await undo_async(first.results_path, send=send_options(sandbox, base_url=None))
    again = await run(path, "travtus", sandbox)
    assert again.counts == {"created": 5} and len(live(sandbox, "travtus")) == 5
    assert any(note.startswith("5 rows were taken back on ") and note.endswith("they are created again.")
               for note in again.notes)
    third = await run(path, "travtus", sandbox)
    assert third.counts == {"already_created": 5} and len(live(sandbox, "travtus")) == 5


def test_undo_asks_once_on_a_terminal_and_no_takes_nothing_back(tmp_path):
    path = input_file(tmp_path, "quo", 3)
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        env = sandbox.environment()
        made = cli("run", str(path), "-p", "quo", "--base-url", sandbox.url, "--quiet", env=env)
        assert made.returncode == 0, made.stderr
        results = str(tmp_path / "quo.results.csv")
        session = TerminalSession(["undo", results], {**__import__("os").environ, **env})
        session.expect(f"About to delete 3 tasks in Quo at {sandbox.url}. Continue? [y/N]")
        session.type("n\n")
        assert session.finish() == 1 and "Nothing was taken back." in session.screen
        assert len(live(sandbox, "quo")) == 3
        piped = cli("undo", results, env=env)  # no terminal: no question
        assert piped.returncode == 0 and "Continue?" not in piped.stdout + piped.stderr, piped.stderr
        assert "Took back 3 tasks in Quo" in piped.stdout and live(sandbox, "quo") == []


@pytest.mark.parametrize("spec", ["2-", "x", "40-2", "1"])
def test_a_wrong_rows_spec_is_a_sentence(tmp_path, spec):
    answer = cli("undo", str(tmp_path / "none.results.csv"), "--rows", spec)
    assert answer.returncode == 2 and "--rows" in answer.stderr and "Traceback" not in answer.stderr
