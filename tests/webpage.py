"""A started ``bulk-tasks serve`` app on a loopback port, and a client that logs in like the page does."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from bulk_tasks.web.app import create_app
from bulk_tasks.web.security import CSRF_HEADER, Guard


SAMPLES = Path(__file__).parent.parent / "samples"
MISTAKES = SAMPLES / "travtus-with-mistakes.csv"
FIXES = {"31/31/2026": "12/6/2026", ",urgent,": ",high,", ",Maria,,": ",Maria,maria@example.com,",
         ",555-012,": ",(510) 555-0123,", ",,FIX-004,": ",PROP-OAK,FIX-004,",
         "3f6c2a9e-0d4b-4f7a-8e21-5b9c0d1e2f3a,PROP-ELM": ",PROP-ELM"}


def fixed_mistakes(path: Path) -> Path:
    """``samples/travtus-with-mistakes.csv`` with every mistake corrected, as a person would in Excel."""
    text = MISTAKES.read_text(encoding="utf-8-sig")
    for wrong, right in FIXES.items():
        assert wrong in text, wrong
        text = text.replace(wrong, right)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Page:
    """A logged-in client of a running page server."""

    base: str
    guard: Guard
    session: aiohttp.ClientSession
    workdir: Path

    @property
    def csrf(self) -> dict[str, str]:
        return {CSRF_HEADER: self.guard.csrf}

    async def get_json(self, path: str, status: int = 200) -> Any:
        async with self.session.get(self.base + path) as response:
            body = await response.json()
            assert response.status == status, body
            return body

    async def post_json(self, path: str, body: Any, status: int = 200) -> Any:
        async with self.session.post(self.base + path, json=body, headers=self.csrf) as response:
            answer = await response.json()
            assert response.status == status, answer
            return answer

    async def upload(self, path: Path, *, into: str | None = None, provider: str = "travtus",
                     status: int = 200, name: str | None = None, timezone: str = "UTC", query: str = "") -> Any:
        url = f"/api/imports/{into}/inputs" if into else f"/api/imports?provider={provider}"
        url += ("&" if "?" in url else "?") + f"timezone={quote(timezone)}{query}"
        headers = {**self.csrf, "X-File-Name": quote(name or path.name)}
        async with self.session.post(self.base + url, data=path.read_bytes(), headers=headers) as response:
            answer = await response.json()
            assert response.status == status, answer
            return answer

    async def download(self, path: str) -> bytes:
        async with self.session.get(self.base + path) as response:
            assert response.status == 200, await response.text()
            return await response.read()

    async def results_csv(self, import_id: str) -> list[dict[str, str]]:
        """The import's results file, downloaded as CSV, one dict per row."""
        data = await self.download(f"/api/imports/{import_id}/results.csv")
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))

    async def events(self, import_id: str) -> list[dict[str, Any]]:
        """Every Server-Sent Event of a run, until the server ends the stream."""
        seen = []
        async with self.session.get(f"{self.base}/api/imports/{import_id}/events") as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            async for line in response.content:
                if line.startswith(b"data: "):
                    seen.append(json.loads(line[6:]))
        return seen


@asynccontextmanager
async def running_page(workdir: Path, max_upload_mib: int = 200) -> AsyncIterator[Page]:
    """Serve the page for ``workdir`` on a free loopback port; yield a client holding its cookie."""
    guard = Guard("127.0.0.1", 0)
    runner = web.AppRunner(create_app(workdir, guard, max_upload_mib))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    guard.port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{guard.port}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(guard.url()) as response:
            assert response.status == 200
        try:
            yield Page(base, guard, session, workdir)
        finally:
            await runner.cleanup()


async def wait_for(condition, what: str, timeout: float = 60.0) -> Any:
    """Poll ``condition`` (an async callable) until it returns something true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await condition()
        if value:
            return value
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
