"""The page's server, a real process, given hostile input: it answers with the CLI's sentence and keeps serving."""

from __future__ import annotations

import re

import aiohttp

import hostile_books
from bulk_tasks.errors import UnreadableFileError
from bulk_tasks.read.table import read_table
from servepage import served


async def test_a_workbook_with_a_cell_at_xfd1048576_gets_the_cli_sentence_and_the_server_keeps_serving(tmp_path):
    book = hostile_books.write(tmp_path / "far.xlsx", hostile_books.far_cell("XFD1048576"))
    try:
        read_table(book)
    except UnreadableFileError as exc:
        sentence = str(exc)
    with served(tmp_path / "work") as (url, process):
        base = url.split("/?")[0]
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(url) as response:
                csrf = re.search(r'name="csrf" content="([^"]+)"', await response.text()).group(1)
            headers = {"X-Bulk-Tasks-CSRF": csrf, "X-File-Name": "far.xlsx"}
            async with session.post(f"{base}/api/imports?provider=quo", data=book.read_bytes(),
                                    headers=headers) as response:
                assert response.status == 422
                assert (await response.json())["error"] == sentence
            async with session.get(f"{base}/api/state") as response:
                assert response.status == 200
                assert (await response.json())["imports"] == []
        assert process.poll() is None
