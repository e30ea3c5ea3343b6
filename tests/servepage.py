"""``bulk-tasks serve`` started as a real process, for the tests that need its printed address."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp

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


@asynccontextmanager
async def client(url: str):
    """An aiohttp session on the served page: (session, base address, the CSRF header)."""
    base = url.split("/?")[0]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(url) as response:
            csrf = re.search(r'name="csrf" content="([^"]+)"', await response.text()).group(1)
        yield session, base, {"X-Bulk-Tasks-CSRF": csrf}


async def start_sending(url: str, sheet) -> str:
    """Upload ``sheet``, send it to the sandbox, and return once the first row has its outcome."""
    async with client(url) as (session, base, headers):
        async with session.post(f"{base}/api/imports?provider=quo", data=sheet.read_bytes(),
                                headers={**headers, "X-File-Name": sheet.name}) as response:
            import_id = (await response.json())["import"]["id"]
        async with session.post(f"{base}/api/imports/{import_id}/send", json={"sandbox": True},
                                headers=headers) as response:
            assert response.status == 202
        async with session.get(f"{base}/api/imports/{import_id}/events") as response:
            async for line in response.content:
                if line.startswith(b"data: ") and json.loads(line[6:])["done"] > 0:
                    return import_id
    raise AssertionError("the run never progressed")
