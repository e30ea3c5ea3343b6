"""Network faults: each ends in a clear sentence, the right statuses and exit code, and a results file.

Every server here is on 127.0.0.1; the DNS failure uses a name the local resolver refuses outright.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from bulk_tasks.cli import main
from netfaults import UNRESOLVABLE_HOST, close_after_request, closed_port, cut_off_reply, never_answers, raw_server

ROWS = 3


@pytest.fixture
def tasks(tmp_path, monkeypatch):
    monkeypatch.setenv("QUO_API_KEY", "network-fault-test-key")
    monkeypatch.delenv("TRAVTUS_API_TOKEN", raising=False)
    path = tmp_path / "tasks.csv"
    # linked to conversations: nothing to look up first, so the faults meet the sends
    path.write_text("Title,Description,conversationId\n"
                    + "".join(f"Task {n},Call back,CN{n}\n" for n in range(ROWS)), encoding="utf-8")
    return path


def run(capsys, tasks, base_url, *options):
    code = main(["run", str(tasks), "--provider", "quo", "--base-url", base_url, "--quiet", "--max-attempts", "2",
                 "--timeout", "0.5", *options])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal problem" not in out + err
    results = tasks.with_name("tasks.results.csv")
    assert results.exists(), "the results file is written whatever happened"
    rows = list(csv.DictReader(io.StringIO(results.read_text(encoding="utf-8-sig"))))
    assert [row["_row"] for row in rows] == [str(n) for n in range(2, ROWS + 2)]
    journal = [json.loads(line) for line in tasks.with_name("tasks.results.journal.jsonl").read_text().splitlines()]
    return code, out + err, rows, journal


def test_connection_refused_means_nothing_was_created(capsys, tasks):
    port = closed_port()
    code, output, rows, _ = run(capsys, tasks, f"http://127.0.0.1:{port}")
    assert code == 1
    assert {row["_status"] for row in rows} <= {"failed", "not_sent"}
    assert all(f"could not connect to 127.0.0.1:{port}" in row["_error"] for row in rows)
    assert all("may have been created" not in row["_error"] for row in rows)
    assert "not sent" in output or "failed" in output


def test_a_host_that_does_not_resolve(capsys, tasks):
    code, _, rows, _ = run(capsys, tasks, f"https://{UNRESOLVABLE_HOST}")
    assert code == 1
    assert {row["_status"] for row in rows} <= {"failed", "not_sent"}
    assert all("could not find the host" in row["_error"] and "DNS lookup failed" in row["_error"] for row in rows)


def test_a_server_that_never_answers_leaves_rows_uncertain(capsys, tasks):
    with raw_server(never_answers) as server:
        code, _, rows, journal = run(capsys, tasks, server.url)
    assert code == 1
    assert [row["_status"] for row in rows] == ["uncertain"] * ROWS
    assert all("no reply within 0.5 s (timed out after sending)" in row["_error"] for row in rows)
    assert all("may have been created: check in the provider" in row["_error"] for row in rows)
    assert [record["status"] for record in journal if record["type"] == "outcome"] == ["uncertain"] * ROWS


@pytest.mark.parametrize(("behaviour", "phrase"), [
    (cut_off_reply, "the reply was cut off"),
    (close_after_request, "the connection was lost while waiting for the reply"),
])
def test_a_server_that_hangs_up_mid_reply_leaves_rows_uncertain(capsys, tasks, behaviour, phrase):
    with raw_server(behaviour) as server:
        code, _, rows, _ = run(capsys, tasks, server.url)
    assert code == 1
    assert [row["_status"] for row in rows] == ["uncertain"] * ROWS
    assert all(phrase in row["_error"] for row in rows), [row["_error"] for row in rows]


def test_uncertain_rows_are_not_sent_again_unless_asked(capsys, tasks):
    with raw_server(cut_off_reply) as server:
        run(capsys, tasks, server.url)
        assert server.connections == ROWS
        code, _, rows, _ = run(capsys, tasks, server.url)
        assert server.connections == ROWS
        assert code == 1
        assert [row["_status"] for row in rows] == ["uncertain"] * ROWS
        code, out, rows, _ = run(capsys, tasks, server.url, "--retry-uncertain")
        # Quo: --retry-uncertain looks the rows up first (GET /v1/tasks, up to --max-attempts); a server
        # that cannot answer that gets nothing sent again, and says so
        assert server.connections == ROWS + 2
        assert code == 1 and "could not be asked for GET /v1/tasks" in out and "Nothing was changed" in out
        assert [row["_status"] for row in rows] == ["uncertain"] * ROWS
