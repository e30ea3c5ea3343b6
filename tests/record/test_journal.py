"""The journal on its own: identities, last words, torn lines, ownership."""

from __future__ import annotations

import json
import os

import pytest

from bulk_tasks.errors import JournalError, JournalWriteError, ResumeError
from bulk_tasks.shape.identity import row_identity
from bulk_tasks.record.journal import ABOUT, Journal, journal_path
from bulk_tasks.statuses import Outcome, RowStatus
from pathlib import Path


def test_identity_is_the_external_ref_when_there_is_one():
    assert row_identity({"external_ref": "T-1", "title": "a"}) == row_identity({"external_ref": "T-1", "title": "b"})
    assert row_identity({"external_ref": "T-1"}) == "ref:T-1"


def test_identity_without_external_ref_is_a_hash_of_the_payload_whatever_the_key_order():
    first = row_identity({"title": "a", "description": "b"})
    assert first == row_identity({"description": "b", "title": "a"})
    assert first != row_identity({"title": "a", "description": "c"})
    assert first.startswith("sha256:")


def test_journal_sits_beside_the_results_and_is_shared_by_csv_and_xlsx():
    assert journal_path(Path("/d/t.results.csv")) == Path("/d/t.results.journal.jsonl")
    assert journal_path(Path("/d/t.results.xlsx")) == Path("/d/t.results.journal.jsonl")


def write_run(path: Path) -> None:
    with Journal.open(path, "quo", "https://api.quo.com") as journal:
        journal.intent("ref:A", 2, 1)
        journal.outcome("ref:A", Outcome(2, RowStatus.CREATED, task_id="TK1", http_status=201, attempts=1))
        journal.intent("ref:B", 3, 1)
        journal.outcome("ref:B", Outcome(3, RowStatus.FAILED, http_status=400, attempts=1, error="Bad Request"))
        journal.intent("ref:C", 4, 1)


def test_last_words_created_failed_and_intent_without_outcome(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    previous = Journal.open(path, "quo", "https://api.quo.com").previous
    assert previous["ref:A"].status is RowStatus.CREATED and previous["ref:A"].task_id == "TK1"
    assert previous["ref:B"].status is RowStatus.FAILED
    assert previous["ref:C"].status is RowStatus.UNCERTAIN
    assert "--retry-uncertain" in (previous["ref:C"].error or "")


def test_a_torn_last_line_is_ignored(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"type":"outcome","id":"ref:C","status":"crea')
    previous = Journal.open(path, "quo", "https://api.quo.com").previous
    assert previous["ref:C"].status is RowStatus.UNCERTAIN
    assert previous["ref:A"].status is RowStatus.CREATED


def test_appending_after_a_torn_line_keeps_later_records_readable(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"type":"intent","id":"ref:D"')
    with Journal.open(path, "quo", "https://api.quo.com") as journal:
        journal.outcome("ref:C", Outcome(4, RowStatus.CREATED, task_id="TK3"))
    assert Journal.open(path, "quo", "https://api.quo.com").previous["ref:C"].task_id == "TK3"


def test_created_is_never_overwritten_by_a_later_record(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    with Journal.open(path, "quo", "https://api.quo.com") as journal:
        journal.intent("ref:A", 2, 1)
        journal.outcome("ref:A", Outcome(2, RowStatus.NOT_SENT))
    assert Journal.open(path, "quo", "https://api.quo.com").previous["ref:A"].status is RowStatus.CREATED


@pytest.mark.parametrize(("provider", "url"), [("travtus", "https://api.quo.com"), ("quo", "https://staging.quo.com")])
def test_another_provider_or_url_is_refused_with_how_to_start_fresh(tmp_path, provider, url):
    path = tmp_path / "j.jsonl"
    write_run(path)
    with pytest.raises(ResumeError, match="start fresh") as caught:
        Journal.open(path, provider, url)
    assert "quo at https://api.quo.com" in str(caught.value)


def test_records_hold_no_credentials_and_one_json_object_per_line(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0] == {"type": "header", "about": ABOUT, "version": 1, "provider": "quo",
                          "base_url": "https://api.quo.com"}
    assert "Do not delete" in records[0]["about"] and path.read_bytes().startswith(b'{"type":"header","about":"bulk-tasks journal')
    assert {record["type"] for record in records} == {"header", "intent", "outcome"}
    assert not any(key in record for record in records for key in ("authorization", "token", "key"))


def test_a_damaged_line_in_the_middle_stops_with_a_sentence_naming_it(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = b'{"type":"intent","id":"ref:B","ro\xff\n'
    path.write_bytes(b"".join(lines))
    with pytest.raises(JournalError, match="Line 3 of the journal .* is damaged") as caught:
        Journal.open(path, "quo", "https://api.quo.com")
    assert "nothing was sent" in str(caught.value)


def test_a_torn_last_line_is_cut_off_before_the_next_record(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    intact = path.read_bytes()
    with path.open("ab") as handle:
        handle.write(b'{"type":"outcome","id":"ref:C","st')
    with Journal.open(path, "quo", "https://api.quo.com") as journal:
        journal.intent("ref:D", 5, 1)
    lines = path.read_bytes()[len(intact):].splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == "ref:D"


def test_a_journal_is_created_and_bound_only_by_the_first_intent(tmp_path):
    path = tmp_path / "j.jsonl"
    with Journal.open(path, "quo", "sandbox:in-process") as journal:
        journal.outcome("ref:A", Outcome(2, RowStatus.NOT_SENT))
    assert not path.exists()
    with Journal.open(path, "quo", "https://api.quo.com") as journal:
        journal.intent("ref:A", 2, 1)
    assert json.loads(path.read_text().splitlines()[0])["base_url"] == "https://api.quo.com"


def test_a_sandbox_journal_refuses_a_real_run_saying_which_results_to_use(tmp_path):
    path = tmp_path / "t.results.journal.jsonl"
    with Journal.open(path, "quo", "sandbox:in-process") as journal:
        journal.intent("ref:A", 2, 1)
    with pytest.raises(ResumeError) as caught:
        Journal.open(path, "quo", "https://api.quo.com", results_path=tmp_path / "t.results.xlsx")
    text = str(caught.value)
    assert "--sandbox try (nothing real was created" in text
    assert f"--results {tmp_path / 't.real.results.xlsx'}" in text and "t.results.journal.jsonl" in text


def test_a_failed_write_leaves_the_journal_as_it_was_and_says_why(tmp_path):
    path = tmp_path / "j.jsonl"
    write_run(path)
    before = path.read_bytes()
    journal = Journal.open(path, "quo", "https://api.quo.com")
    journal._open()
    os.close(journal._descriptor)
    journal._descriptor = os.open(os.devnull, os.O_RDONLY)
    with pytest.raises(JournalWriteError, match="nothing more is sent"):
        journal.intent("ref:Z", 9, 1)
    journal.close()
    assert path.read_bytes() == before


def test_reading_a_journal_keeps_no_list_of_its_records(tmp_path):
    import tracemalloc

    path = tmp_path / "j.jsonl"
    with Journal.open(path, "quo", "https://api.quo.com", sync=False) as journal:
        for number in range(20_000):
            journal.intent(f"ref:{number}", number, 1)
            journal.outcome(f"ref:{number}", Outcome(number, RowStatus.CREATED, task_id=f"TK{number}", attempts=1))
    tracemalloc.start()
    previous = Journal.open(path, "quo", "https://api.quo.com").previous
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(previous) == 20_000
    assert peak < 2 * sum(len(line) for line in path.read_bytes().splitlines())


def test_intents_are_fsynced_at_every_real_rate_but_not_in_an_unlimited_benchmark():
    from bulk_tasks.send.run import fsyncs_intents

    assert all(fsyncs_intents(rate) for rate in (10.0, 100.0, 1000.0))
    assert not any(fsyncs_intents(rate) for rate in (None, 0.0, 1_000_000.0))


async def test_durable_waits_for_one_fsync_covering_every_intent_written(tmp_path):
    import asyncio

    journal = Journal.open(tmp_path / "j.jsonl", "quo", "https://api.quo.com", sync=True)
    for number in range(5):
        journal.intent(f"ref:{number}", number, 1)
    await asyncio.gather(*(journal.durable() for _ in range(5)))
    assert journal._synced == journal._size > 0
    journal.close()


@pytest.mark.parametrize("outcome", [
    Outcome(7, RowStatus.CREATED, "T-1", "req-9", 201, 1),
    Outcome(8, RowStatus.FAILED, None, None, 422, 2, 'title: "é" is\ttoo long\n\x00 😀 \\'),
    Outcome(9, RowStatus.UNCERTAIN, error="no reply"),
    Outcome(10, RowStatus.NOT_SENT),
])
def test_an_outcome_line_is_the_json_of_its_record(tmp_path, outcome):
    """Outcome lines are written without building a dict (B1): each must still be the compact JSON of
    the record, None fields left out, read back to the same outcome."""
    path = tmp_path / "r.journal.jsonl"
    with Journal.open(path, "quo", "https://api.openphone.com") as journal:
        journal.intent("ref:Ä\"1", outcome.row, 1)
        journal.outcome("ref:Ä\"1", outcome)
    line = path.read_text(encoding="utf-8").splitlines()[-1]
    record = {"type": "outcome", "id": 'ref:Ä"1', "status": outcome.status.value, "row": outcome.row,
              "task_id": outcome.task_id, "request_id": outcome.request_id, "http_status": outcome.http_status,
              "attempts": outcome.attempts, "error": outcome.error}
    expected = {key: value for key, value in record.items() if value is not None}
    assert line == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    assert Journal.open(path, "quo", "https://api.openphone.com").previous['ref:Ä"1'] == outcome
