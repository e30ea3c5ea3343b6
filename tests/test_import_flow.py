"""Imports run with the flow: reading a sheet never depends on the modules that send or write results."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bulk_tasks"
READING_SIDE = ["reading", "excel", "columns", "values", "validation", "preparing", "payloads", "fieldkinds",
                "formulas", "identity"]
LATER_IN_THE_FLOW = {"journal", "results", "results_xlsx", "xlsx_writer", "outcomes", "running", "sending",
                     "transport", "auth", "api"}


def imported_modules(name: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bulk_tasks."):
            found.add(node.module.split(".")[1])
    return found


@pytest.mark.parametrize("name", READING_SIDE)
def test_the_reading_side_imports_nothing_from_sending_or_results(name):
    assert imported_modules(name) & LATER_IN_THE_FLOW == set()
