"""A third provider is one module (plus its sandbox emulation) and one registry line.

``tests/toy_provider`` describes a made-up provider (an ``X-Api-Key`` header, its own reply shapes)
and registers itself when loaded as a pytest plugin; the whole shared provider suite then runs
over it in a separate pytest process. Nothing under ``bulk_tasks/`` knows about it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SHARED_SUITE = ["providers/test_providers.py", "send/test_provider_engine.py"]


def test_the_toy_provider_passes_the_whole_shared_suite():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "toy_provider", "-p", "no:cacheprovider",
         "-k", "toy or every_provider_has", *(str(TESTS / name) for name in SHARED_SUITE)],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=600)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", summary)[1])
    assert passed >= 25 and not re.search(r"failed|error|skipped", summary), summary


def test_nothing_in_the_package_names_the_toy_provider():
    package = TESTS.parent / "bulk_tasks"
    naming = [path for path in package.rglob("*.py") if re.search(r"\btoy\b", path.read_text(encoding="utf-8"), re.I)]
    assert naming == []
