"""Every date form bulk-tasks reads is shown, with its example, in the README and the template's How to fill sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk_tasks.check.dates import PIVOT_SENTENCE, WRITTEN_FORMS, readings
from bulk_tasks.providers import get_provider
from bulk_tasks.report.templates import HELP_SHEET, write_template

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = [example for _, examples in WRITTEN_FORMS for example in examples]


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### How the sheet is read")
    return text[start:text.index("\n#### ", start)]


def test_the_examples_are_split_into_dates():
    assert "December 3, 2026" in EXAMPLES and "12/3/26" in EXAMPLES and len(EXAMPLES) >= 15


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_is_read_and_in_the_readme(example):
    assert readings(example, False)[0] is not None
    assert f"`{example}`" in _section()


def test_the_readme_gives_the_two_digit_year_pivot():
    assert "`00`–`29` are 2000–2029, `30`–`99` are 1930–1999" in _section()


@pytest.mark.parametrize("provider", ["travtus", "quo"])
def test_the_how_to_fill_sheet_shows_the_same_examples(tmp_path, provider):
    path = write_template(get_provider(provider), tmp_path / "t.xlsx", "xlsx")
    text = "\n".join(str(row[0]) for row in openpyxl.load_workbook(path)[HELP_SHEET].iter_rows(values_only=True)
                     if row[0])
    assert all(example in text for example in EXAMPLES)
    assert PIVOT_SENTENCE in text
