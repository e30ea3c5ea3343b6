"""Never twice, never lost: re-runs, reordering, duplicates, edits, fixing the results file, SIGKILL."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import openpyxl
import pytest

from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread, start_sandbox
from helpers import write_csv, write_xlsx
from runs import QUO_HEADER, TRAVTUS_HEADER, held_ids, input_file, quo_rows, results_of, run, travtus_rows


async def test_a_rerun_sends_only_what_was_not_created(tmp_path):
    config = SandboxConfig(quo_open_task_limit=6, quo_rate_per_second=None)
    path = input_file(tmp_path, "quo", 15)
    async with start_sandbox(config) as sandbox:
        first = await run(path, "quo", sandbox, concurrency=1)
        assert first.counts["created"] == 6
        config.quo_open_task_limit = None
        second = await run(path, "quo", sandbox)
        titles = [task.payload["title"] for task in sandbox.state.tasks]
    assert second.counts == {"already_created": 6, "created": 9}
    assert sorted(titles) == sorted(set(titles)) and len(titles) == 15
    report = results_of(tmp_path / "quo.results.csv")
    assert (report["_task_id"] != "").all() and sorted(report["_task_id"]) == sorted(held_ids(sandbox, "quo"))


async def test_reordered_and_inserted_rows_are_recognised(tmp_path, sandbox):
    path = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, travtus_rows(10))
    await run(path, "travtus", sandbox)
    first_ids = dict(zip(results_of(tmp_path / "t.results.csv")["Task Ref"], results_of(tmp_path / "t.results.csv")["_task_id"]))
    rows = travtus_rows(10)
    random.Random(4).shuffle(rows)
    rows[3:3] = travtus_rows(2, start=100)
    write_csv(path, TRAVTUS_HEADER, rows)
    summary = await run(path, "travtus", sandbox)
    report = results_of(tmp_path / "t.results.csv")
    assert summary.counts == {"already_created": 10, "created": 2}
    for ref, task_id in zip(report["Task Ref"], report["_task_id"]):
        if ref in first_ids:
            assert task_id == first_ids[ref]
    assert len(held_ids(sandbox, "travtus")) == 12


async def test_duplicate_rows_are_invalid_unless_allowed(tmp_path, sandbox):
    rows = travtus_rows(3)
    rows.append(list(rows[1]))
    quo = quo_rows(2)
    quo.append(list(quo[0]))
    path = write_csv(tmp_path / "t.csv", TRAVTUS_HEADER, rows)
    summary = await run(path, "travtus", sandbox, skip_invalid=True)
    report = results_of(tmp_path / "t.results.csv").set_index("_row")
    assert report.loc["5", "_status"] == "invalid"
    assert "duplicate of row 3" in report.loc["5", "_error"] and "Task Ref" in report.loc["5", "_error"]
    assert summary.counts == {"created": 3, "invalid": 1}
    quo_path = write_csv(tmp_path / "q.csv", QUO_HEADER, quo)
    allowed = await run(quo_path, "quo", sandbox, allow_duplicates=True)
    assert allowed.counts == {"created": 3}
    assert Counter(task.payload["title"] for task in sandbox.state.tasks_of("quo"))["Follow up 1"] == 2


async def test_an_edited_row_without_reference_is_a_new_row(tmp_path, sandbox):
    path = write_csv(tmp_path / "q.csv", QUO_HEADER, quo_rows(4))
    await run(path, "quo", sandbox)
    rows = quo_rows(4)
    rows[2][1] = "Customer 3, now with a corrected description"
    write_csv(path, QUO_HEADER, rows)
    summary = await run(path, "quo", sandbox)
    assert summary.counts == {"already_created": 3, "created": 1}
    assert len(held_ids(sandbox, "quo")) == 5


def fix_csv_cell(path, row_number: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row_number - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def fix_xlsx_cell(path, row_number: int, column: str, value: str) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Results"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=row_number, column=headers.index(column) + 1, value=value)
    workbook.save(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_fix_the_results_file_and_run_it_again(tmp_path, sandbox, fmt):
    rows = travtus_rows(6)
    rows[2][3] = "31/31/2026"
    rows[4][4] = "urgent"
    hostile = "=HYPERLINK(\"x\")" if fmt == "csv" else "Task 6"
    rows[5][2] = hostile
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"t.{fmt}", TRAVTUS_HEADER, rows)
    first = await run(path, "travtus", sandbox, skip_invalid=True)
    assert first.counts == {"created": 4, "invalid": 2}
    results = tmp_path / f"t.results.{fmt}"
    fix = fix_csv_cell if fmt == "csv" else fix_xlsx_cell
    fix(results, 4, "Due Date", "12/31/2026")
    fix(results, 6, "Priority", "high")
    second = await run(results, "travtus", sandbox)
    assert second.results_path == results
    assert second.counts == {"already_created": 4, "created": 2}
    report = results_of(results)
    assert report["_row"].tolist() == [str(row) for row in range(2, 8)]
    assert sorted(report["_task_id"]) == sorted(held_ids(sandbox, "travtus"))
    titles = [task.payload["title"] for task in sandbox.state.tasks]
    assert len(titles) == 6 and titles.count(hostile) == 1


def kill_once_tasks_arrive(process: subprocess.Popen, sandbox, more: int, patience: float = 90.0) -> None:
    """SIGKILL ``process`` as soon as the sandbox holds ``more`` tasks than now: killed mid-run, never before."""
    target = len(sandbox.state.tasks) + more
    deadline = time.monotonic() + patience
    while len(sandbox.state.tasks) < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed mid-way"
    assert len(sandbox.state.tasks) >= target, "no task reached the sandbox before the kill"


def test_sigkill_at_random_moments_never_duplicates_and_loses_no_row(tmp_path):
    count, concurrency, kills = 120, 4, 3
    path = input_file(tmp_path, "travtus", count)
    results = tmp_path / "travtus.results.csv"
    rng = random.Random(11)
    with sandbox_in_thread(SandboxConfig(latency=0.02)) as sandbox:
        env = {**os.environ, **sandbox.environment()}
        command = [sys.executable, "-m", "bulk_tasks", "run", str(path), "-p", "travtus", "--base-url", sandbox.url,
                   "--rate", "60", "--concurrency", str(concurrency), "--quiet"]
        for _ in range(kills):
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kill_once_tasks_arrive(process, sandbox, rng.randint(1, 20))
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        refs = Counter(task.payload["external_ref"] for task in sandbox.state.tasks)
    assert final.returncode in (0, 1), final.stderr
    report = results_of(results)
    assert len(report) == count and report["_row"].tolist() == [str(row) for row in range(2, count + 2)]
    assert set(report["_status"]) <= {"created", "already_created", "uncertain"}
    assert (report["_status"] == "already_created").sum() > 0 and (report["_status"] == "created").sum() > 0
    assert max(refs.values()) == 1
    done = report[report["_status"].isin(["created", "already_created"])]
    assert set(done["Task Ref"]) <= set(refs)
    uncertain = (report["_status"] == "uncertain").sum()
    assert uncertain <= concurrency * kills
    assert len(refs) >= len(done)
    assert sorted(done["_task_id"]) == sorted(t.task_id for t in sandbox.state.tasks
                                              if t.payload["external_ref"] in set(done["Task Ref"]))


async def test_allowed_copies_are_known_by_their_count_not_their_row_so_inserting_rows_adds_none(tmp_path, sandbox):
    rows = quo_rows(3)
    path = write_csv(tmp_path / "q.csv", QUO_HEADER, [rows[0], rows[1], list(rows[1]), rows[2]])
    first = await run(path, "quo", sandbox, allow_duplicates=True)
    write_csv(path, QUO_HEADER, [quo_rows(1, start=50)[0], rows[0], rows[1], list(rows[1]), rows[2]])
    second = await run(path, "quo", sandbox, allow_duplicates=True)
    titles = Counter(task.payload["title"] for task in sandbox.state.tasks_of("quo"))
    assert first.counts == {"created": 4}
    assert second.counts == {"already_created": 4, "created": 1}
    assert titles[rows[1][0]] == 2 and sum(titles.values()) == 5


def test_a_dry_run_honours_allow_duplicates_from_either_options_object(tmp_path):
    from bulk_tasks import ReadOptions, SendOptions, run_import

    rows = quo_rows(2)
    path = write_csv(tmp_path / "q.csv", QUO_HEADER, [rows[0], rows[1], list(rows[1])])
    assert run_import(path, "quo", send=SendOptions(allow_duplicates=True), dry_run=True).counts == {"dry_run": 3}
    assert run_import(path, "quo", ReadOptions(allow_duplicates=True), dry_run=True).counts == {"dry_run": 3}
    assert run_import(path, "quo", dry_run=True).counts == {"dry_run": 2, "invalid": 1}
