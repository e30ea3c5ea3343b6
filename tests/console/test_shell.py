"""Safe to paste: every printed command runs as the same words in the shell, and runs nothing else."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bulk_tasks.console.messages import Command
from bulk_tasks.console.shell import POSIX, POWERSHELL, printable, shell_quote
from helpers import write_csv
from runs import QUO_HEADER

#: Names that run ``touch pwned`` when pasted inside double quotes, or unquoted.
HOSTILE_NAMES = [
    "t$(touch pwned).csv",
    "t`touch pwned`.csv",
    "it's; touch pwned #.csv",
    'say "hi" $(touch pwned) \\ ok.csv',
    "t\x1b[31m$(touch pwned)\x1b[0m.csv",
    "t\\$(touch pwned).csv",
    "=$(touch pwned).csv",
    "new\nline $(touch pwned).csv",
]


def pasted(line: str, cwd: Path, shell: str = "bash") -> subprocess.CompletedProcess:
    return subprocess.run([shell, "-c", line], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def commands_in(out: str) -> list[str]:
    """Every command the advice offers (the text after ': ' on lines naming the program)."""
    return [line.split(": ", 1)[1] for line in out.splitlines()
            if "-m bulk_tasks" in line and ": " in line and not line.startswith("  ")]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_printed_next_steps_run_in_bash_as_printed_and_run_nothing_else(tmp_path, name):
    write_csv(tmp_path / name, QUO_HEADER, [["Follow up", "", "2026-12-02 14:00", "PNk3Ra9XwQ2m"],
                                            ["Call back", "Pricing", "2026-12-02 15:00", "PNk3Ra9XwQ2m"]])
    first = subprocess.run([sys.executable, "-m", "bulk_tasks", "run", name, "-p", "quo", "--sandbox"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 1, first.stderr
    offered = commands_in(first.stdout)
    assert len(offered) == 2, first.stdout  # fix the results file and run it, or --skip-invalid
    assert "\x1b" not in first.stdout
    for line in offered:
        done = pasted(line, tmp_path)
        assert not (tmp_path / "pwned").exists(), line
        assert done.returncode == 1, (line, done.stderr)
        assert "Error:" not in done.stderr, (line, done.stderr)
    results = name[: -len(".csv")] + ".results.csv"
    assert (tmp_path / results).exists()
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.endswith(".csv")) == sorted({name, results})


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_quoted_word_is_the_same_word_in_bash_and_dash(tmp_path, name):
    for shell in ("bash", "dash"):
        quoted = shell_quote(name, POSIX)
        if shell == "dash" and quoted.startswith("$'"):
            continue  # $'…' is bash, zsh and ksh (and POSIX 2024); dash 0.5 lacks it
        done = pasted(f"printf '%s' {quoted}", tmp_path, shell)
        assert done.stdout == name and not (tmp_path / "pwned").exists(), (shell, quoted)


def test_plain_words_stay_plain_and_backslashes_are_quoted_in_posix():
    assert shell_quote("tasks.results.xlsx", POSIX) == "tasks.results.xlsx"
    assert shell_quote("--results=out.csv", POSIX) == "--results=out.csv"
    assert shlex.split(shell_quote("C:\\data\\t.csv", POSIX)) == ["C:\\data\\t.csv"]
    assert shell_quote("~/t.csv", POSIX) == "'~/t.csv'"


@pytest.mark.parametrize(("word", "quoted"), [
    ("tasks.xlsx", "tasks.xlsx"),
    ("C:\\Users\\ana\\My Tasks.xlsx", "'C:\\Users\\ana\\My Tasks.xlsx'"),
    ("t$(touch pwned).csv", "'t$(touch pwned).csv'"),
    ("it's.csv", "'it''s.csv'"),
    ("it\u2019s.csv", "'it\u2019\u2019s.csv'"),
    ("a,b.csv", "'a,b.csv'"),
    ("@list.csv", "'@list.csv'"),
    ("t\x1b[2J$x`y\".csv", '"t$([char]0x1b)[2J`$x``y`".csv"'),
])
def test_powershell_quoting_expands_nothing(word, quoted):
    assert shell_quote(word, POWERSHELL) == quoted


def test_powershell_calls_a_quoted_program_with_the_call_operator():
    command = Command(("validate", "My Tasks.xlsx", "-p", "quo"), "My Tasks.xlsx",
                      "'C:\\Program Files\\Python\\python.exe' -m bulk_tasks", shell=POWERSHELL)
    assert command.text() == "& 'C:\\Program Files\\Python\\python.exe' -m bulk_tasks validate 'My Tasks.xlsx' -p quo"
    assert Command(("validate", "t.csv"), "t.csv", shell=POWERSHELL).text() == "bulk-tasks validate t.csv"


def test_printable_escapes_control_characters_and_keeps_text():
    assert printable("naïve 😀 tab\there\nnext") == "naïve 😀 tab\there\nnext"
    assert printable("a\x1b[2Jb\x07c\rd\u202ee\x9b") == "a\\x1b[2Jb\\x07c\\x0dd\\u202ee\\x9b"
