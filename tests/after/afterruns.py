"""Helpers of the after-the-send tests: a past import made over loopback, the sandbox's view of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bulk_tasks.sandbox import RunningSandbox
from runs import input_file, run


async def past_import(tmp_path: Path, provider: str, sandbox: RunningSandbox, count: int, **overrides) -> Path:
    """``count`` rows run against ``sandbox``; the results file's path."""
    path = input_file(tmp_path, provider, count)
    summary = await run(path, provider, sandbox, **overrides)
    assert summary.results_path is not None
    return summary.results_path


def live(sandbox: RunningSandbox, provider: str) -> list:
    """The tasks of ``provider`` the sandbox holds that were not taken back."""
    return [task for task in sandbox.state.tasks_of(provider) if not task.deleted]


def cli(*arguments: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m bulk_tasks ARGUMENTS`` in its own process, output captured."""
    return subprocess.run([sys.executable, "-m", "bulk_tasks", *arguments], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, stdin=subprocess.DEVNULL)
