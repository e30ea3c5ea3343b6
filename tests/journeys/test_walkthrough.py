"""The README walk-through prints what bulk-tasks really prints (steps 1 to 3, replayed on real files)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough_blocks() -> list[list[str]]:
    section = README.read_text(encoding="utf-8").split("## Walk-through", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip("\n").splitlines() for block in section.split("```\n$ ")[1:]]


def pattern(line: str) -> re.Pattern[str]:
    """The line with its timings (``0.3 s``) free to differ."""
    return re.compile(re.sub(r"\\\(\d+\\\.\d\\ s", r"\\(\\d+\\.\\d\\ s", re.escape(line)))


SCRIPTS = Path(sys.executable).parent


def bulk_tasks(cwd: Path, *arguments: str) -> str:
    """``bulk-tasks`` from the PATH, as the README's reader runs it."""
    env = {**os.environ, "TZ": "America/New_York", "PATH": os.pathsep.join([str(SCRIPTS), os.environ["PATH"]])}
    done = subprocess.run([str(SCRIPTS / "bulk-tasks"), *arguments], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def fill(template: Path, target: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Tasks"]
    column = {cell.value: cell.column for cell in sheet[1]}
    for n in range(1, 301):
        values = {"group_external_ref": f"PROP-{n % 7 + 1:03d}", "external_ref": f"MAINT-2026-12-{n:04d}",
                  "title": f"Monthly smoke-alarm check, unit {100 + n}", "importance": "normal",
                  "due_datetime": datetime(2026, 12, 1 + n % 20, 9, 0),
                  "assignee.email_address": "maintenance@example.com", "assignee.first_name": "Sam"}
        for name, value in values.items():
            sheet.cell(n + 1, column[name], value)
    sheet.cell(5, column["importance"], "Hgh")
    sheet.cell(9, column["due_datetime"], "31/11/2026")
    sheet.cell(14, column["group_external_ref"]).value = None
    workbook.save(target)


def fix(results: Path) -> None:
    workbook = openpyxl.load_workbook(results)
    sheet = workbook["Results"]
    column = {cell.value: cell.column for cell in sheet[1]}
    line = {int(sheet.cell(r, column["_row"]).value): r for r in range(2, sheet.max_row + 1)}
    sheet.cell(line[5], column["importance"], "high")
    sheet.cell(line[9], column["due_datetime"], datetime(2026, 11, 30, 9, 0))
    sheet.cell(line[14], column["group_external_ref"], "PROP-006")
    workbook.save(results)


@pytest.mark.skipif(not (SCRIPTS / "bulk-tasks").exists(), reason="bulk-tasks is not installed beside this Python")
def test_steps_one_to_three_print_what_the_readme_shows(tmp_path):
    blocks = walkthrough_blocks()
    assert len(blocks) == 5
    screens = [bulk_tasks(tmp_path, "template", "travtus")]
    fill(tmp_path / "travtus-tasks-template.xlsx", tmp_path / "tasks.xlsx")
    screens.append(bulk_tasks(tmp_path, "validate", "tasks.xlsx", "-p", "travtus"))
    fix(tmp_path / "tasks.results.xlsx")
    screens.append(bulk_tasks(tmp_path, "validate", "tasks.results.xlsx", "-p", "travtus"))
    for block, screen in zip(blocks, screens):
        command, *shown = block
        assert command.startswith("bulk-tasks ")
        for line in shown:
            assert pattern(line).search(screen), f"README line not printed by `{command}`:\n{line}\n---\n{screen}"
