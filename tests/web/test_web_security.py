"""bulk-tasks serve: token → cookie, 403 without it, CSRF header, Host check, no CORS, uploads."""

from __future__ import annotations

import csv
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from bulk_tasks.errors import BulkTasksError
from bulk_tasks.shape.prepare import prepare
from bulk_tasks.web.security import COOKIE, CSRF_HEADER, FORBIDDEN
from helpers import write_csv
from webpage import running_page

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.fixture
async def page(tmp_path):
    async with running_page(tmp_path / "work", max_upload_mib=1) as started:
        yield started


async def test_every_route_is_403_without_the_cookie(page):
    async with aiohttp.ClientSession() as stranger:
        for path in ("/static/app.js", "/api/state", "/api/templates/quo/csv", "/api/imports/x/rows"):
            async with stranger.get(page.base + path) as response:
                assert response.status == 403, path
                assert (await response.json())["error"] == FORBIDDEN
        async with stranger.get(page.base + "/") as response:  # a person opening the page: a page in words
            assert response.status == 403 and response.content_type == "text/html"
            text = await response.text()
            assert FORBIDDEN in text and "--" not in text and "{" not in text
        async with stranger.post(page.base + "/api/imports?provider=quo", data=b"title\nx\n",
                                 headers=page.csrf) as response:
            assert response.status == 403
    assert not list((page.workdir / "imports").iterdir())


async def test_the_token_is_exchanged_for_an_httponly_strict_cookie(page):
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as visitor:
        async with visitor.get(page.guard.url(), allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/"
            cookie = response.cookies[COOKIE]
            assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
            assert page.guard.token not in cookie.value
        async with visitor.get(page.base + "/") as response:
            assert response.status == 200
            html = await response.text()
            assert f'<meta name="csrf" content="{page.guard.csrf}">' in html


async def test_a_wrong_token_gets_no_cookie(page):
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as visitor:
        async with visitor.get(page.base + "/?token=guess", allow_redirects=False) as response:
            assert response.status == 403
            assert COOKIE not in response.cookies
        async with visitor.get(page.base + "/?token=caf\u00e9", allow_redirects=False) as response:
            assert response.status == 403


async def test_state_changing_requests_need_the_csrf_header(page):
    for headers in ({}, {CSRF_HEADER: "wrong"}, {CSRF_HEADER: "\u00e9"}):
        async with page.session.post(page.base + "/api/imports?provider=quo", data=b"title\nx\n",
                                     headers=headers) as response:
            assert response.status == 403
            assert "did not come from the bulk-tasks page" in (await response.json())["error"]
    assert not list((page.workdir / "imports").iterdir())


async def test_another_host_header_is_refused_even_with_the_cookie(page):
    for host in ("evil.example", f"evil.example:{page.guard.port}", f"127.0.0.1:{page.guard.port + 1}"):
        async with page.session.get(page.base + "/api/state", headers={"Host": host}) as response:
            assert response.status == 403, host
    async with page.session.get(page.base + "/api/state", headers={"Host": f"localhost:{page.guard.port}"}) as response:
        assert response.status == 200


async def test_no_cors_headers_and_a_strict_content_security_policy(page):
    origin = {"Origin": "http://evil.example"}
    async with page.session.get(page.base + "/api/state", headers=origin) as response:
        assert response.status == 200
        assert not [name for name in response.headers if name.lower().startswith("access-control-")]
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    async with page.session.options(page.base + "/api/imports", headers=preflight) as response:
        assert response.status != 200
        assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def _big_csv(path: Path, rows: int) -> Path:
    return write_csv(path, ["title"], [[f"task number {n} " + "x" * 80] for n in range(rows)])


async def test_an_upload_over_the_limit_is_refused_before_it_is_read(page, tmp_path):
    big = _big_csv(tmp_path / "big.csv", 15000)
    assert big.stat().st_size > 1024 * 1024
    answer = await page.upload(big, provider="quo", status=413)
    assert answer["error"].startswith("big.csv is larger than the 1 MiB this page accepts")
    assert not list((page.workdir / "imports").iterdir())


async def test_the_limit_holds_while_streaming_without_a_length(page, tmp_path):
    big = _big_csv(tmp_path / "big.csv", 15000).read_bytes()

    async def chunks():
        for start in range(0, len(big), 65536):
            yield big[start:start + 65536]

    headers = {**page.csrf, "X-File-Name": "big.csv"}
    try:
        async with page.session.post(page.base + "/api/imports?provider=quo", data=chunks(),
                                     headers=headers) as response:
            assert response.status == 413
            assert "larger than the 1 MiB" in (await response.json())["error"]
    except aiohttp.ClientError:
        pass  # the server may close the connection before the client has finished writing
    assert not list((page.workdir / "imports").iterdir())


async def test_uploads_get_generated_names_inside_the_work_directory(page, tmp_path):
    source = write_csv(tmp_path / "t.csv", ["title"], [["Fix the door"]])
    answer = await page.upload(source, provider="quo", name="..\\..\\..\\evil/../../escape.csv")
    folder = page.workdir / "imports" / answer["import"]["id"]
    assert sorted(p.name for p in folder.iterdir()) == ["import.json", "input-1.csv"]
    assert answer["import"]["name"] == "escape.csv"
    assert not (page.workdir.parent / "escape.csv").exists()


async def test_import_ids_cannot_walk_out_of_the_work_directory(page):
    from bulk_tasks.web.imports import NOT_FOUND

    known = (await page.upload(write_csv(page.workdir.parent / "q.csv", ["title", "description", "phoneNumberId"],
                                         [["t", "d", "PN123abc"]]), provider="quo"))["import"]["id"]
    async with page.session.get(f"{page.base}/api/imports/{known}/rows") as response:
        assert response.status == 200  # the session is let in: a 404 below is the id's, not a missing cookie's
    for bad in ("..%2F..%2Fetc", "20260101-000000-abcdef", "%2E%2E%2F%2E%2E", f"{known}%2F..%2F..", ".%00"):
        async with page.session.get(URL(f"{page.base}/api/imports/{bad}/rows", encoded=True)) as response:
            assert (response.status, await response.json()) == (404, {"error": NOT_FOUND}), bad
    for bad in ("..", "%2e%2e"):  # dot segments: the path is normalized before routing, into no route
        async with page.session.get(f"{page.base}/api/imports/{bad}/rows") as response:
            assert response.status == 404, bad


def _hostile_files() -> list[tuple[str, str]]:
    with (CORPUS.parent / "corpus.csv").open(encoding="utf-8") as handle:
        return [(row["file"], row["provider"]) for row in csv.DictReader(handle)
                if row["exit"] == "2" and not row["options"]]


@pytest.mark.parametrize(("name", "provider"), _hostile_files())
async def test_a_file_the_cli_refuses_is_refused_with_the_same_sentence(page, name, provider):
    with pytest.raises(BulkTasksError) as refused:
        prepare(CORPUS / name, provider)
    answer = await page.upload(CORPUS / name, provider=provider, status=422)
    assert answer["error"] == str(refused.value)
    assert not list((page.workdir / "imports").iterdir())


async def test_cells_come_back_as_text_never_as_markup(page, tmp_path):
    source = write_csv(tmp_path / "t.csv", ["Title", "Description", "phoneNumberId", "Assigned To"],
                       [["<script>alert(1)</script>", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"],
                        ["<img src=x onerror=alert(2)>", "d", "PNk3Ra9XwQ2m", "USm2Fq8KpL"]])
    answer = await page.upload(source, provider="quo")
    async with page.session.get(f"{page.base}/api/imports/{answer['import']['id']}/rows") as response:
        assert response.content_type == "application/json"
        rows = (await response.json())["rows"]
    assert [row["cells"][2] for row in rows] == ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
    script = await page.download("/static/app.js")
    assert b"innerHTML" not in script and b"insertAdjacentHTML" not in script and b"document.write" not in script


async def test_the_page_loads_nothing_from_another_host(page):
    html = (await page.download("/")).decode()
    for marker in ("http://", "https://", "//"):
        assert marker not in html.replace("<!DOCTYPE html>", "")
    script = (await page.download("/static/app.js")).decode()
    assert "http://" not in script and "https://" not in script


def test_bound_to_every_address_any_ip_literal_is_a_valid_host_but_no_host_name():
    from bulk_tasks.web.security import Guard

    guard = Guard("0.0.0.0", 8765)
    assert guard.accepts("192.168.1.20:8765") and guard.accepts("[fe80::1]:8765") and guard.accepts("0.0.0.0:8765")
    assert not guard.accepts("192.168.1.20:8766")
    assert not guard.accepts("evil.example:8765") and not guard.accepts("localhost.evil.example:8765")
    assert not Guard("192.168.1.20", 8765).accepts("10.0.0.1:8765")
