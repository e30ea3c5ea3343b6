"""Duplicates and lost work: a reference used again with other content, a deleted journal, --results
naming the input. Each runs against the sandbox over loopback."""

from __future__ import annotations

import pytest

from bulk_tasks import ReadOptions
from helpers import write_csv
from runs import TRAVTUS_HEADER, run, results_of, travtus_rows


async def test_a_reference_created_earlier_is_never_created_again_with_other_content(sandbox, tmp_path):
    path = write_csv(tmp_path / "monthly.csv", TRAVTUS_HEADER, travtus_rows(3))
    await run(path, "travtus", sandbox)
    assert len(sandbox.state.tasks) == 3
    first_id = results_of(tmp_path / "monthly.results.csv")["_task_id"][0]
    again = travtus_rows(3) + [["PROP-OAK", "T-00001", "Another task under the same ref", "2027-01-01 09:00", "high"]]
    write_csv(path, TRAVTUS_HEADER, again)
    from bulk_tasks import run_import_async
    from runs import send_options

    await run_import_async(path, "travtus", ReadOptions(allow_duplicates=True), send_options(sandbox),
                           results=None)
    assert len(sandbox.state.tasks) == 3
    results = results_of(tmp_path / "monthly.results.csv")
    assert list(results["_status"]) == ["already_created"] * 3 + ["not_sent"]
    assert results["_error"][3] == (
        f"not sent: its Task Ref 'T-00001' was already used by a task created earlier (task ID {first_id}) with "
        "other content; give this row a reference of its own, or change that task in the provider")


def _cli(*words: str, env: dict[str, str] | None = None):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "bulk_tasks", *words], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_a_deleted_journal_refuses_the_rerun_naming_both_files_and_sends_nothing(tmp_path):
    from bulk_tasks.record.journal import journal_path
    from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread

    path = write_csv(tmp_path / "tidy.csv", TRAVTUS_HEADER, travtus_rows(30))
    results = tmp_path / "tidy.results.csv"
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        words = ("run", str(path), "-p", "travtus", "--base-url", sandbox.url, "--quiet")
        first = _cli(*words, env=sandbox.environment())
        assert first.returncode == 0, first.stderr
        written = results.read_bytes()
        journal = journal_path(results)
        assert journal.read_text().startswith('{"type":"header","about":"bulk-tasks journal')
        journal.unlink()
        again = _cli(*words, env=sandbox.environment())
        validating = _cli("validate", str(path), "-p", "travtus", "--quiet")
        assert len(sandbox.state.tasks) == 30
        from_results = _cli("run", str(results), "-p", "travtus", "--base-url", sandbox.url, "--quiet",
                            env=sandbox.environment())
        assert len(sandbox.state.tasks) == 30
    assert again.returncode == 2 and validating.returncode == 2
    assert again.stderr.startswith(f"Error: {results} lists 30 task(s) as created or uncertain, but the journal "
                                   "beside it, tidy.results.journal.jsonl, is missing")
    assert f"bulk-tasks run {results} --provider travtus" in again.stderr and "Traceback" not in again.stderr
    assert "validating tidy.csv again" in validating.stderr
    assert from_results.returncode == 0, from_results.stderr
    assert set(results_of(results)["_status"]) == {"already_created"}
    assert written != results.read_bytes()


def test_a_dry_run_results_file_without_a_journal_is_simply_replaced(tmp_path):
    path = write_csv(tmp_path / "dry.csv", TRAVTUS_HEADER, travtus_rows(3))
    assert _cli("validate", str(path), "-p", "travtus", "--quiet").returncode == 0
    assert _cli("validate", str(path), "-p", "travtus", "--quiet").returncode == 0


def _own_workbook(path):
    import openpyxl

    book = openpyxl.Workbook()
    tasks = book.active
    tasks.title = "Tasks"
    tasks.append(TRAVTUS_HEADER)
    for row in travtus_rows(2):
        tasks.append(row)
    budget = book.create_sheet("Budget 2027")
    budget.append(["Q1", 100])
    budget.append(["Total", "=SUM(B1:B1)"])
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_results_naming_the_users_own_input_is_refused_and_the_file_is_untouched(tmp_path, suffix):
    path = (_own_workbook(tmp_path / "book.xlsx") if suffix == ".xlsx"
            else write_csv(tmp_path / "book.csv", TRAVTUS_HEADER, travtus_rows(2)))
    before = path.read_bytes()
    for command in ("validate", "run"):
        done = _cli(command, str(path), "-p", "travtus", "--results", str(path), "--quiet",
                    *(("--sandbox",) if command == "run" else ()))
        assert done.returncode == 2, done.stderr
        assert done.stderr == (f"Error: --results names the input itself ({path.name}), which is not a results "
                               "file bulk-tasks wrote: writing the results there would replace your own file (every "
                               "other sheet and formula in it included), so nothing was done. Leave --results out "
                               "to write them beside it, or name a new file.\n")
    assert path.read_bytes() == before


def test_a_results_file_bulk_tasks_wrote_may_still_be_its_own_results(tmp_path):
    path = write_csv(tmp_path / "fix.csv", TRAVTUS_HEADER, travtus_rows(2))
    assert _cli("validate", str(path), "-p", "travtus", "--quiet").returncode == 0
    results = tmp_path / "fix.results.csv"
    done = _cli("validate", str(results), "-p", "travtus", "--results", str(results), "--quiet")
    assert done.returncode == 0, done.stderr


def test_a_results_workbook_saved_again_by_a_spreadsheet_program_may_still_be_its_own_results(tmp_path):
    import openpyxl

    path = write_csv(tmp_path / "fix.csv", TRAVTUS_HEADER, travtus_rows(2))
    assert _cli("validate", str(path), "-p", "travtus", "--results", str(tmp_path / "fix.results.xlsx"),
                "--quiet").returncode == 0
    results = tmp_path / "fix.results.xlsx"
    book = openpyxl.load_workbook(results)
    book.save(results)  # rewrites the custom properties with attributes after the name
    done = _cli("validate", str(results), "-p", "travtus", "--quiet")
    assert done.returncode == 0, done.stderr
