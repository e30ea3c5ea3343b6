"""The progress bar: on a terminal it counts rows and outcomes; never with --quiet or off a terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from bulk_tasks.progress import ProgressBar, wants_bar
from bulk_tasks.statuses import Outcome, RowStatus
from runs import input_file


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_only_on_a_terminal_and_not_quiet():
    assert wants_bar(False, Terminal()) is True
    assert wants_bar(True, Terminal()) is False
    assert wants_bar(False, io.StringIO()) is False


def test_bar_counts_rows_and_outcomes():
    stream = Terminal()
    bar = ProgressBar(stream)
    bar.start(3)
    for row, status in ((2, RowStatus.CREATED), (3, RowStatus.CREATED), (4, RowStatus.UNCERTAIN)):
        bar.advance(Outcome(row, status))
    bar.close()
    text = stream.getvalue()
    assert "3/3" in text
    assert "created=2" in text and "uncertain=1" in text and "failed=0" in text


def run_on_a_terminal(arguments: list[str]) -> tuple[int, str]:
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bulk_tasks", *arguments], stdout=subprocess.PIPE,
                               stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = process.wait(timeout=60)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_run_on_a_terminal_draws_the_bar_and_quiet_does_not(tmp_path):
    path = input_file(tmp_path, "travtus", 12)
    code, screen = run_on_a_terminal(["run", str(path), "-p", "travtus", "--sandbox"])
    assert code == 0
    assert "12/12" in screen and "created=12" in screen and "row/s" in screen
    path.with_name("travtus.results.csv").unlink()
    path.with_name("travtus.results.journal.jsonl").unlink()
    code, screen = run_on_a_terminal(["run", str(path), "-p", "travtus", "--sandbox", "--quiet"])
    assert code == 0 and "12/12" not in screen and "row/s" not in screen
