"""A third provider is one folder and one registry line: the toy of ``tests/toy_provider`` is registered
for the whole suite (``tests/conftest.py``), in the test process and in the processes it starts, so that
every test parametrized over the registry runs over it too. Nothing under ``bulk_tasks/`` knows it."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from bulk_tasks.check.kinds import KINDS
from bulk_tasks.providers import PROVIDERS, Kind, get_provider
from toy_provider.provider import Toy

TESTS = Path(__file__).resolve().parents[1]


def test_the_toy_provider_is_registered_in_this_run():
    assert PROVIDERS.get("toy") is Toy
    assert len(PROVIDERS) >= 3


def test_the_toy_has_what_a_real_provider_has():
    toy = get_provider("toy")
    auth = toy.make_auth({"TOY_API_KEY": "k-1"}, toy.default_base_url)
    assert set(auth.secrets) == {"k-1"} and asyncio.run(auth.headers(None)) == {"X-Api-Key": "k-1"}
    assert [group for group in toy.required_column_groups if len(group) > 1] == [("board", "list")]
    assert [spec.prefix for spec in toy.fields if spec.kind is Kind.ID] == ["BD"]
    assert [spec.path for spec in toy.fields if len(spec.path) > 1] == [("owner", "email")]
    assert [rule.fields for rule in toy.rules()] == [("priority", "due")]
    assert {spec.kind for spec in toy.fields} <= set(KINDS)


def test_the_cli_started_by_a_test_knows_the_toy(tmp_path):
    template = tmp_path / "toy.csv"
    done = subprocess.run([sys.executable, "-m", "bulk_tasks", "template", "toy", "--format", "csv", "--output", str(template)],
                          capture_output=True, text=True, timeout=120, env=os.environ)
    assert done.returncode == 0, done.stderr
    with template.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle))[:3] == ["title", "board", "list"]


def test_nothing_in_the_package_names_the_toy_provider():
    package = TESTS.parent / "bulk_tasks"
    naming = [path for path in package.rglob("*.py") if re.search(r"\btoy\b", path.read_text(encoding="utf-8"), re.I)]
    assert naming == []
