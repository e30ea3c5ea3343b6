"""Questions on a real terminal: confirm before a real run, a missing key typed in hidden, --env-file."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys

import pytest

from bulk_tasks.console.envfile import read_env_file
from bulk_tasks.errors import UsageError
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from runs import input_file, results_of
from terminal import TerminalSession

KEY = "sandbox-quo-key"


def clean_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("QUO_", "TRAVTUS_"))}
    return {**env, **extra}


@pytest.fixture
def quo_sandbox():
    with sandbox_in_thread(SandboxConfig(quo_api_keys={KEY})) as sandbox:
        yield sandbox


def test_a_real_run_asks_once_and_no_sends_nothing(tmp_path, quo_sandbox):
    path = input_file(tmp_path, "quo", 5)
    session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", quo_sandbox.url],
                              clean_env(QUO_API_KEY=KEY))
    session.expect(f"About to create 5 tasks in Quo at {quo_sandbox.url}. Continue? [y/N]")
    session.type("n\n")
    assert session.finish() == 1
    assert quo_sandbox.state.tasks == []
    assert session.screen.count("Continue?") == 1 and "Nothing was sent." in session.screen
    assert set(results_of(tmp_path / "quo.results.csv")["_status"]) == {"not_sent"}


def test_yes_at_the_question_sends(tmp_path, quo_sandbox):
    path = input_file(tmp_path, "quo", 1)
    session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", quo_sandbox.url],
                              clean_env(QUO_API_KEY=KEY))
    session.expect("About to create 1 task in Quo")
    session.type("y\n")
    assert session.finish() == 0
    assert len(quo_sandbox.state.tasks) == 1


def test_yes_option_and_a_script_are_not_asked(tmp_path, quo_sandbox):
    path = input_file(tmp_path, "quo", 3)
    session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", quo_sandbox.url, "--yes"],
                              clean_env(QUO_API_KEY=KEY))
    assert session.finish() == 0 and "Continue?" not in session.screen
    path = input_file(tmp_path, "quo", 3, name="other.csv")
    piped = TerminalSession(["run", str(path), "-p", "quo", "--base-url", quo_sandbox.url],
                            clean_env(QUO_API_KEY=KEY), stdin_is_terminal=False)
    assert piped.finish() == 0 and "Continue?" not in piped.screen
    assert len(quo_sandbox.state.tasks) == 6


def test_the_sandbox_is_not_asked_about_and_says_so_only_when_sending(tmp_path):
    path = input_file(tmp_path, "travtus", 3)
    session = TerminalSession(["run", str(path), "-p", "travtus", "--sandbox"], clean_env())
    assert session.finish() == 0
    assert "Continue?" not in session.screen and session.screen.count("built-in sandbox") == 1
    again = TerminalSession(["run", str(path), "-p", "travtus", "--sandbox"], clean_env())
    assert again.finish() == 0
    assert "3 already_created" in again.screen and "built-in sandbox" not in again.screen


def test_a_missing_key_is_read_hidden_and_never_stored(tmp_path, quo_sandbox):
    path = input_file(tmp_path, "quo", 2)
    session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", quo_sandbox.url, "--yes"], clean_env())
    session.expect("Paste the QUO_API_KEY value (it is not shown and not stored)")
    session.type(KEY + "\n")
    assert session.finish() == 0
    assert KEY not in session.screen
    assert len(quo_sandbox.state.tasks) == 2
    for written in tmp_path.iterdir():
        assert KEY not in written.read_text(encoding="utf-8", errors="replace"), written


def test_validate_asks_for_a_missing_key_at_a_terminal_and_looks_the_references_up(tmp_path, quo_sandbox):
    path = tmp_path / "q.csv"
    path.write_text("Title,Description,Phone Number\nCall,d,(415) 555-0100\n", encoding="utf-8")
    session = TerminalSession(["validate", str(path), "-p", "quo", "--base-url", quo_sandbox.url], clean_env())
    session.expect("Paste the QUO_API_KEY value (it is not shown and not stored)")
    session.type(KEY + "\n")
    assert session.finish() == 0, session.screen
    assert KEY not in session.screen and "not checked" not in session.screen
    assert quo_sandbox.state.stats.providers["quo"].lookup_requests["/v1/phone-numbers"] == 1
    assert quo_sandbox.state.tasks == []
    [payload] = results_of(tmp_path / "q.results.csv")["_payload"]
    assert json.loads(payload)["phoneNumberId"] == "PNk3Ra9XwQ2m"


def test_no_key_typed_is_the_usual_sentence_and_exit_2(tmp_path):
    path = input_file(tmp_path, "quo", 2)
    session = TerminalSession(["run", str(path), "-p", "quo", "--yes"], clean_env())
    session.expect("Paste the QUO_API_KEY value")
    session.type("\n")
    assert session.finish() == 2
    assert "No Quo credentials: set QUO_API_KEY" in session.screen
    assert not (tmp_path / "quo.results.csv").exists()


def test_a_script_without_credentials_is_not_asked(tmp_path):
    path = input_file(tmp_path, "quo", 2)
    done = subprocess.run([sys.executable, "-m", "bulk_tasks", "run", str(path), "-p", "quo"], env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Paste" not in done.stderr and "QUO_API_KEY" in done.stderr


def test_env_file_gives_the_credentials_and_is_never_printed_or_changed(tmp_path, quo_sandbox):
    env_file = tmp_path / "quo.env"
    env_file.write_text(f"# Quo sandbox\n\nexport QUO_API_KEY=\"{KEY}\"\nOTHER=1 # note\n", encoding="utf-8")
    before = env_file.read_bytes()
    path = input_file(tmp_path, "quo", 4)
    done = subprocess.run([sys.executable, "-m", "bulk_tasks", "run", str(path), "-p", "quo", "--base-url",
                           quo_sandbox.url, "--env-file", str(env_file)],
                          env=clean_env(QUO_API_KEY="an-old-key"), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(quo_sandbox.state.tasks) == 4
    assert KEY not in done.stdout + done.stderr and env_file.read_bytes() == before


def test_env_file_lines_quotes_and_notepad_encodings(tmp_path):
    plain = tmp_path / "a.env"
    plain.write_text("A=1\n  export B = 'two words'\nC=x#y\nD=x # comment\n\n# E=5\n", encoding="utf-8")
    assert read_env_file(plain) == {"A": "1", "B": "two words", "C": "x#y", "D": "x"}
    notepad = tmp_path / "b.env"
    notepad.write_bytes(codecs.BOM_UTF16_LE + "QUO_API_KEY=k1\r\n".encode("utf-16-le"))
    assert read_env_file(notepad) == {"QUO_API_KEY": "k1"}


def test_a_bad_env_file_line_is_named_without_its_content(tmp_path):
    bad = tmp_path / "bad.env"
    bad.write_text("A=1\nsecret-value-without-name\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_env_file(bad)
    assert "Line 2 of the --env-file" in str(caught.value) and "secret-value" not in str(caught.value)
    with pytest.raises(UsageError, match="does not exist"):
        read_env_file(tmp_path / "missing.env")


def test_ctrl_c_at_the_question_sends_nothing_and_exits_130(tmp_path, quo_sandbox):
    path = input_file(tmp_path, "quo", 6)
    session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", quo_sandbox.url],
                              clean_env(QUO_API_KEY=KEY))
    session.expect("Continue? [y/N]")
    session.type("\x03")
    assert session.finish() == 130
    assert quo_sandbox.state.tasks == [] and "Nothing was sent." in session.screen
    assert set(results_of(tmp_path / "quo.results.csv")["_status"]) == {"not_sent"}


def test_nobody_is_asked_for_a_key_that_would_go_over_plain_http(tmp_path):
    path = input_file(tmp_path, "quo", 2)
    session = TerminalSession(["run", str(path), "-p", "quo", "--base-url", "http://api.example.com"], clean_env())
    assert session.finish() == 2
    assert "Refusing to send credentials over plain http://" in session.screen and "Paste" not in session.screen
