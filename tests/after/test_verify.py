"""``verify``: uncertain rows settled by looking them up in Quo, created rows checked, over loopback."""

from __future__ import annotations

from collections import Counter

import pytest

from afterruns import cli, live, past_import
from bulk_tasks.after.verify import verify_async
from bulk_tasks.errors import UsageError
from bulk_tasks.record.journal import journal_path
from runs import input_file, results_of, run, send_options


def titles(sandbox) -> Counter:
    return Counter(task.payload["title"] for task in live(sandbox, "quo"))


async def uncertain_import(tmp_path, sandbox, count=30):
    """A Quo import where faults after creating (500) and before processing (a dropped connection) leave
    rows uncertain: some of them exist in Quo, some do not. Quo's rate limit is off: these runs send at
    1000/s, and a row given up after six 429s would be ``failed`` for a reason these tests are not about."""
    sandbox.config.quo_rate_per_second = None
    sandbox.config.fault_500_after_create_rate = 0.25
    sandbox.config.drop_before_rate = 0.25
    results = await past_import(tmp_path, "quo", sandbox, count, max_attempts=1)
    sandbox.config.fault_500_after_create_rate = sandbox.config.drop_before_rate = 0.0
    return results


async def test_uncertain_rows_found_become_created_and_the_others_are_sent_once(tmp_path, sandbox):
    sandbox.config.seed = 11
    sandbox.state.rng.seed(11)
    results = await uncertain_import(tmp_path, sandbox)
    before = results_of(results)
    uncertain = before[before["_status"] == "uncertain"]
    exists = {task.payload["title"]: task.task_id for task in live(sandbox, "quo")}
    assert 0 < len(uncertain) and any(t in exists for t in uncertain["Title"]) \
        and any(t not in exists for t in uncertain["Title"])
    summary = await verify_async(results, send=send_options(sandbox, base_url=None))
    after = results_of(results)
    for _, row in after.iterrows():
        if row["Title"] in set(uncertain["Title"]):
            if row["Title"] in exists:
                assert (row["_status"], row["_task_id"]) == ("created", exists[row["Title"]])
                assert "found in Quo" in row["_error"]
            else:
                assert row["_status"] == "not_sent" and "the next run sends it" in row["_error"]
    assert len(summary.found) + len(summary.send_again) == len(uncertain)
    unsent = int((~before["_status"].isin(["created", "uncertain"])).sum())
    again = await run(input_file(tmp_path, "quo", 30), "quo", sandbox)
    assert again.counts.get("created") == len(summary.send_again) + unsent
    assert set(titles(sandbox).values()) == {1} and len(titles(sandbox)) == 30
    third = await run(input_file(tmp_path, "quo", 30), "quo", sandbox)
    assert third.counts == {"already_created": 30} and len(live(sandbox, "quo")) == 30


async def test_verify_reads_every_page_of_the_list_it_has_no_order_for(tmp_path, sandbox):
    sandbox.config.quo_rate_per_second = None
    results = await past_import(tmp_path, "quo", sandbox, 250)
    report = results_of(results)
    report.loc[report["_row"] == "2", ["_status", "_task_id"]] = ["uncertain", ""]
    report.to_csv(results, index=False, encoding="utf-8-sig")
    requests = sandbox.state.stats.providers["quo"].requests
    summary = await verify_async(results, send=send_options(sandbox, base_url=None))
    assert summary.requests == 3 == sandbox.state.stats.providers["quo"].requests - requests  # 250 tasks, 100 a page
    assert summary.found == [2] and results_of(results).loc[0, "_status"] == "created"


async def test_a_created_task_gone_or_edited_since_gets_a_note(tmp_path, sandbox, sandbox_session):
    results = await past_import(tmp_path, "quo", sandbox, 3)
    first, second, _ = results_of(results)["_task_id"]
    headers = {"Authorization": "sandbox-quo-key"}
    async with sandbox_session.delete(f"{sandbox.url}/v1/tasks/{first}", headers=headers) as response:
        assert response.status == 204
    async with sandbox_session.post(f"{sandbox.url}/v1/tasks/{second}/complete", headers=headers) as response:
        assert response.status == 200
    summary = await verify_async(results, send=send_options(sandbox, base_url=None))
    notes = list(results_of(results)["_error"])
    assert "no longer in Quo" in notes[0] and "edited in Quo" in notes[1] and "revision 1, now 2" in notes[1]
    assert notes[2] == "" and summary.gone == [2] and summary.edited == [3] and summary.exit_code == 1


async def test_run_retry_uncertain_on_quo_looks_up_first_and_sends_only_what_was_not_found(tmp_path, sandbox):
    sandbox.config.seed = 5
    sandbox.state.rng.seed(5)
    results = await uncertain_import(tmp_path, sandbox, 40)
    uncertain = int((results_of(results)["_status"] == "uncertain").sum())
    sandbox.config.fault_500_after_create_rate = 0.2  # and the run that sends again is hit by 500s after create too
    summary = await run(input_file(tmp_path, "quo", 40), "quo", sandbox, retry_uncertain=True)
    assert any(note.startswith(f"Looked the {uncertain} uncertain rows up in Quo first") for note in summary.notes)
    counted = titles(sandbox)
    assert max(counted.values()) == 1, "a row was created twice"
    assert set(results_of(results)["_status"]) <= {"created", "already_created", "uncertain"}


async def test_verify_takes_provider_and_endpoint_from_the_results_and_refuses_others(tmp_path, sandbox):
    results = await past_import(tmp_path, "quo", sandbox, 2)
    with pytest.raises(UsageError, match="was sent to quo at .* not as --provider travtus says"):
        await verify_async(results, send=send_options(sandbox, base_url=None), provider="travtus")
    with pytest.raises(UsageError, match="not as --base-url https://api.quo.com says"):
        await verify_async(results, send=send_options(sandbox, base_url="https://api.quo.com"))
    agreed = await verify_async(results, send=send_options(sandbox), provider="quo")
    assert agreed.checked == 2 and agreed.exit_code == 0


def test_verify_of_travtus_says_travtus_cannot_look_tasks_up(tmp_path):
    path = input_file(tmp_path, "travtus", 2)
    run_cli = cli("run", str(path), "-p", "travtus", "--sandbox", "--quiet")
    assert run_cli.returncode == 0, run_cli.stderr
    results = tmp_path / "travtus.results.csv"
    answer = cli("verify", str(results))
    assert answer.returncode == 2 and "Traceback" not in answer.stderr
    assert "sandbox" in answer.stderr  # a --sandbox try: nothing is left to look up
    journal_path(results).write_text('{"type":"header","version":1,"provider":"travtus",'
                                     '"base_url":"https://api.travtus.com"}\n')
    answer = cli("verify", str(results), env={"TRAVTUS_API_TOKEN": "t"})
    assert answer.returncode == 2 and "Traceback" not in answer.stderr
    assert "Travtus offers no way to look a task up" in answer.stderr and "--retry-uncertain" in answer.stderr


def test_verify_on_a_terminal_shows_its_progress_and_undo_its_bar(tmp_path):
    from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
    from terminal import TerminalSession
    import os

    path = input_file(tmp_path, "quo", 150)
    with sandbox_in_thread(SandboxConfig(quo_rate_per_second=None)) as sandbox:
        env = {**os.environ, **sandbox.environment()}
        made = cli("run", str(path), "-p", "quo", "--base-url", sandbox.url, "--quiet", "--rate", "500", env=env)
        assert made.returncode == 0, made.stderr
        results = str(tmp_path / "quo.results.csv")
        session = TerminalSession(["verify", results], env)
        session.expect("Looking up")
        assert session.finish() == 0 and "Checked 150 rows in Quo" in session.screen
        undo = TerminalSession(["undo", results, "--yes"], env)
        undo.expect("Deleting")
        assert undo.finish() == 0 and "Took back 150 tasks in Quo" in undo.screen
