"""``plan_send``: what a run would send, told before it runs, by the rules the run itself applies; the journal
is read, never written. Against a real sandbox on loopback."""

from __future__ import annotations

from bulk_tasks import ReadOptions, SendOptions, run_import_async
from bulk_tasks.record.journal import journal_path
from bulk_tasks.send.run import plan_send
from bulk_tasks.shape.prepare import prepare
from helpers import write_csv
from runs import TRAVTUS_HEADER, travtus_rows


async def test_the_plan_names_the_rows_the_run_then_creates_leaves_and_reports_changed(sandbox, tmp_path):
    options, send = ReadOptions(timezone="UTC"), SendOptions(base_url=sandbox.url, env=sandbox.environment())
    rows = travtus_rows(4)
    sheet, results = write_csv(tmp_path / "m.csv", TRAVTUS_HEADER, rows), tmp_path / "m.results.csv"
    await run_import_async(sheet, "travtus", options, send, results=results)
    rows[1][3] = "2027-01-05 09:00"
    rows += travtus_rows(2, start=5)
    write_csv(sheet, TRAVTUS_HEADER, rows)
    journal = journal_path(results).read_bytes()

    plan = plan_send(prepare(sheet, "travtus", options), results, sandbox.url)
    assert (plan.create, plan.already) == (2, 3)
    assert plan.changed == {3: ["Due Date was 2026-12-01 09:00, now 2027-01-05 09:00"]}
    assert journal_path(results).read_bytes() == journal  # read, never written

    summary = await run_import_async(sheet, "travtus", options, send, results=results)
    assert summary.counts == {"created": plan.create, "already_created": plan.already, "changed": len(plan.changed)}
