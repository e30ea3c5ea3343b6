"""Where outcomes come from: `_sent_to`, the Summary sheet, and results from another endpoint or the sandbox."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import openpyxl

from bulk_tasks import ReadOptions, SendOptions, run_import_async
from bulk_tasks.cli import main
from helpers import write_csv, write_xlsx
from runs import QUO_HEADER, held_ids, input_file, quo_rows, results_of, run


async def sandbox_try(path, results=None):
    return await run_import_async(path, "quo", ReadOptions(), SendOptions(sandbox=True), results=results)


async def test_a_sandbox_results_file_used_for_a_real_run_sends_every_row(tmp_path, sandbox):
    path = input_file(tmp_path, "quo", 5)
    tried = await sandbox_try(path)
    tried_results = tmp_path / "quo.results.csv"
    assert tried.counts == {"created": 5}
    assert set(results_of(tried_results)["_sent_to"]) == {"sandbox (nothing real was created)"}
    real = await run(tried_results, "quo", sandbox, results=tmp_path / "real.csv")
    assert real.counts == {"created": 5} and len(held_ids(sandbox, "quo")) == 5
    assert any("were sent to sandbox (nothing real was created)" in warning for warning in real.warnings)
    assert set(results_of(tmp_path / "real.csv")["_sent_to"]) == {f"quo {sandbox.url}"}


async def test_results_from_the_same_endpoint_still_count_as_created(tmp_path, sandbox):
    path = input_file(tmp_path, "quo", 4)
    await run(path, "quo", sandbox)
    again = await run(tmp_path / "quo.results.csv", "quo", sandbox, results=tmp_path / "copy.csv")
    assert again.counts == {"already_created": 4} and len(held_ids(sandbox, "quo")) == 4


def test_a_real_run_on_a_sandbox_results_path_is_refused_saying_which_results_to_use(tmp_path, capsys, monkeypatch):
    from bulk_tasks.sandbox import sandbox_in_thread

    path = input_file(tmp_path, "quo", 3)
    assert main(["run", str(path), "-p", "quo", "--sandbox", "--quiet"]) == 0
    capsys.readouterr()
    with sandbox_in_thread() as real:
        monkeypatch.setenv("QUO_API_KEY", real.environment()["QUO_API_KEY"])
        code = main(["run", str(path), "-p", "quo", "--base-url", real.url, "--quiet"])
        err = capsys.readouterr().err
        assert code == 2 and held_ids(real, "quo") == []
    assert "quo.results.csv holds a --sandbox try (nothing real was created there)" in err
    assert f"--results {tmp_path / 'quo.real.results.csv'}" in err and "Traceback" not in err


def test_a_sandbox_try_that_sends_nothing_binds_no_journal(tmp_path, capsys, monkeypatch):
    from bulk_tasks.sandbox import sandbox_in_thread

    rows = quo_rows(3)
    rows[1][3] = ""
    path = write_csv(tmp_path / "q.csv", QUO_HEADER, rows)
    assert main(["run", str(path), "-p", "quo", "--sandbox", "--quiet"]) == 1
    assert not (tmp_path / "q.results.journal.jsonl").exists()
    rows[1][3] = "PNk3Ra9XwQ2m"
    write_csv(path, QUO_HEADER, rows)
    with sandbox_in_thread() as real:
        monkeypatch.setenv("QUO_API_KEY", real.environment()["QUO_API_KEY"])
        assert main(["run", str(path), "-p", "quo", "--base-url", real.url, "--quiet"]) == 0
        assert len(held_ids(real, "quo")) == 3


def summary_lines(path) -> dict:
    sheet = openpyxl.load_workbook(path, read_only=True)["Summary"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0] is not None}


async def test_the_summary_sheet_says_what_the_run_was(tmp_path, sandbox):
    path = write_xlsx(tmp_path / "q.xlsx", QUO_HEADER, quo_rows(3))
    await run_import_async(path, "quo", ReadOptions(timezone="America/New_York"), SendOptions(sandbox=True))
    tried = summary_lines(tmp_path / "q.results.xlsx")
    assert tried["provider"] == "quo" and tried["sent to"] == "sandbox: nothing real was created"
    assert tried["dates without a time zone read in"] == "America/New_York"
    assert abs(datetime.fromisoformat(tried["when"]) - datetime.now(timezone.utc)) < timedelta(hours=1)
    assert tried["created"] == 3 and tried["total"] == 3
    await run(path, "quo", sandbox, results=tmp_path / "real.xlsx")
    assert summary_lines(tmp_path / "real.xlsx")["sent to"] == sandbox.url
