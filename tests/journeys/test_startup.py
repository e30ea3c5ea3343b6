"""Start-up: the commands that need no table load neither pandas nor aiohttp (BENCHMARKS.md times it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "pandera", "aiohttp", "openpyxl", "numpy", "tqdm")
SAMPLES = Path(__file__).resolve().parents[2] / "samples"

#: Runs ``python -m bulk_tasks ARGS`` in-process, then prints which heavy modules it imported.
PROBE = """
import json, runpy, sys
heavy = {heavy!r}
sys.argv = ["bulk_tasks", *{args!r}]
try:
    runpy.run_module("bulk_tasks", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print(json.dumps(sorted(name for name in heavy if name in sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY, args=list(args))],
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["run", "--help"], ["sandbox", "--help"]])
def test_help_and_version_import_neither_pandas_nor_aiohttp(args):
    assert imported_by(*args) == []


def test_validate_does_not_load_the_http_client(tmp_path):
    loaded = imported_by("validate", str(SAMPLES / "quo-follow-ups.csv"), "-p", "quo",
                         "--results", str(tmp_path / "r.csv"))
    assert "pandas" in loaded and "aiohttp" not in loaded
    assert (tmp_path / "r.csv").exists()


def test_the_library_api_is_still_importable_by_name():
    import bulk_tasks

    for name in bulk_tasks.__all__:
        assert getattr(bulk_tasks, name) is not None, name
    with pytest.raises(AttributeError):
        bulk_tasks.no_such_name  # noqa: B018
