"""``bulk-tasks serve`` started as a real process, for the tests that need its printed address."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

URL = re.compile(r"ready at (http://\S+)")


@contextmanager
def served(workdir: Path, *extra: str,
           env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start ``bulk-tasks serve --port 0``; yield its printed URL (with the token) and the process."""
    process = subprocess.Popen([sys.executable, "-m", "bulk_tasks", "serve", "--port", "0", "--workdir", str(workdir),
                                *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = URL.search(line)
        assert found, line + process.stderr.read() if process.stderr else line
        yield found.group(1), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
