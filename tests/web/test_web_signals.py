"""``bulk-tasks serve`` stopped by SIGTERM or SIGHUP (real signals, a real process) mid-run: the run ends as
the CLI's does (exit 130, results written, no lock left); killed outright, the next start shows each
import's true state from its journal."""

from __future__ import annotations

import signal
from collections import Counter

import openpyxl
import pytest

from bulk_tasks.record.journal import journal_path, read_journal
from bulk_tasks.record.lock import lock_path
from helpers import write_csv
from servepage import client, served, start_sending

HEADER = ["Title", "Description", "phoneNumberId", "Assigned To"]


def statuses(results) -> list[str]:
    sheet = openpyxl.load_workbook(results, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [row[rows[0].index("_status")] for row in rows[1:]]


async def listed(url: str, import_id: str) -> dict:
    async with client(url) as (session, base, _):
        async with session.get(f"{base}/api/state") as response:
            return next(item for item in (await response.json())["imports"] if item["id"] == import_id)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
async def test_sigterm_or_sighup_finishes_the_run_writes_its_results_and_exits_130(tmp_path, number):
    sheet = write_csv(tmp_path / "q.csv", HEADER, [[f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(300)])
    work = tmp_path / "work"
    with served(work) as (url, process):
        import_id = await start_sending(url, sheet)
        process.send_signal(number)
        assert process.wait(timeout=120) == 130
        errors = process.stderr.read()
    assert "Traceback" not in errors and "Stopping: no new requests" in errors
    results = work / "imports" / import_id / "results.xlsx"
    found = statuses(results)
    assert len(found) == 300 and "uncertain" not in found
    assert "created" in found and "not_sent" in found
    assert not lock_path(results).exists()
    journaled = Counter(o.status.value for o in read_journal(journal_path(results))[1].values())
    assert journaled["created"] == found.count("created")
    with served(work) as (url, process):
        shown = await listed(url, import_id)
    assert shown["sent"] is True and shown["counts"] == dict(Counter(found))


async def test_after_a_kill_the_next_start_shows_the_state_the_journal_records(tmp_path):
    sheet = write_csv(tmp_path / "q.csv", HEADER, [[f"Call {n}", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"] for n in range(300)])
    work = tmp_path / "work"
    with served(work) as (url, process):
        import_id = await start_sending(url, sheet)
        process.kill()
        process.wait(timeout=60)
    results = work / "imports" / import_id / "results.xlsx"
    assert not results.exists()
    journaled = Counter(o.status.value for o in read_journal(journal_path(results))[1].values())
    assert journaled["created"] + journaled["uncertain"] > 0
    with served(work) as (url, process):
        shown = await listed(url, import_id)
    expected = dict(journaled)
    expected["not_sent"] = 300 - sum(journaled.values())
    assert shown["sent"] is True
    assert shown["counts"] == {status: count for status, count in expected.items() if count}
    assert "dry_run" not in shown["counts"]
