"""The progress bar: on a terminal it counts rows and outcomes; never with --quiet or off a terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import signal
import subprocess
import sys
import time

import pytest

from bulk_tasks.console.progress import ProgressBar, wants_bar
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from bulk_tasks.statuses import Outcome, RowStatus
from runs import input_file
from terminal import TerminalSession


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


def bar_lines(screen: str) -> list[str]:
    """Every state the bar was drawn in, oldest first (tqdm redraws after a carriage return)."""
    return [part.rstrip() for part in re.split(r"[\r\n]", screen) if re.search(r"\d+/\d+", part)]


def test_rows_not_sent_after_a_stop_do_not_fill_the_bar():
    stream = Terminal()
    bar = ProgressBar(stream, columns=80)
    bar.start(300)
    for row, status in enumerate([RowStatus.CREATED] * 144 + [RowStatus.FAILED] * 2 + [RowStatus.UNCERTAIN]):
        bar.advance(Outcome(row, status))
    for row in range(153):
        bar.advance(Outcome(1000 + row, RowStatus.NOT_SENT))
    bar.close()
    last = bar_lines(stream.getvalue())[-1]
    assert "147/300" in last and "Stopped" in last and "300/300" not in stream.getvalue()
    assert "created=144 failed=2 uncertain=1" in last


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_counters_stay_readable_on_narrow_terminals(columns):
    stream = Terminal()
    bar = ProgressBar(stream, columns=columns)
    bar.start(12000)
    for row in range(11990):
        bar.advance(Outcome(row, RowStatus.CREATED))
    for row in range(10):
        bar.advance(Outcome(row, RowStatus.UNCERTAIN))
    bar.close()
    last = bar_lines(stream.getvalue())[-1]
    assert len(last) <= columns, last
    assert "12000/12000" in last and "created=11990" in last and "uncertain=10" in last


def test_ctrl_c_on_a_terminal_leaves_the_bar_where_the_work_stopped(tmp_path):
    path = input_file(tmp_path, "quo", 60)
    with sandbox_in_thread(SandboxConfig()) as sandbox:
        env = {**os.environ, **sandbox.environment()}
        session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", sandbox.url, "--yes",
                                   "--rate", "10"], env, columns=80)
        session.expect("Sending: ")
        deadline = time.monotonic() + 120
        while len(sandbox.state.tasks) < 5:
            assert time.monotonic() < deadline and session.process.poll() is None, "the run never got going"
            time.sleep(0.05)
        session.process.send_signal(signal.SIGINT)
        assert session.finish() == 130
    created = len(sandbox.state.tasks)
    last = bar_lines(session.screen)[-1]
    assert "60/60" not in session.screen and "Stopped" in last and f"created={created}" in last
    assert all(len(line) <= 80 for line in bar_lines(session.screen))


def test_no_bar_when_nothing_is_sent(tmp_path):
    path = input_file(tmp_path, "travtus", 3)
    path.write_text(path.read_text().replace("normal", "urgent"))
    code, screen = run_on_a_terminal(["run", str(path), "-p", "travtus", "--sandbox"])
    assert code == 1
    assert "0/0" not in screen and "Sending" not in screen
