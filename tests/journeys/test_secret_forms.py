"""Every form of every secret is redacted: a hostile server echoes them changed, or stores them as IDs.

A server on loopback plays the provider: its token endpoint echoes the form it was sent (the client
ID and secret URL-encoded), its task endpoint echoes the Authorization value lower-cased, upper-cased,
base64-encoded and JSON-escaped, or answers 201 with that value as the task's ID. The real command
line runs against it; stdout, stderr (file descriptors) and every file written are searched for
each form of each secret.
"""

from __future__ import annotations

import asyncio
import base64
import json
from urllib.parse import parse_qs, quote, quote_plus

import pytest

from bulk_tasks.cli import main
from netfaults import raw_server, read_request

CLIENT_ID = "cid+Tenant/Ops=7Qa"
CLIENT_SECRET = "sek+LEAK/Zz9=Qw4e"
ISSUED = "tok+Issued/Ab9=XyZw"
STATIC_TOKEN = "stat+Tok/En5=Kp2w"
QUO_KEY = "quo+KEY/Mm3=Rt5pq"
SECRETS = (CLIENT_ID, CLIENT_SECRET, ISSUED, STATIC_TOKEN, QUO_KEY)
QUO_SHEET = "Title,Description,phoneNumberId\nCall back,Pricing,PNk3Ra9XwQ2m\nSend deck,Onboarding,PNk3Ra9XwQ2m\n"
TRAVTUS_SHEET = "Group External Ref,Task Ref,Title\nPROP-OAK,S-1,Fix boiler\nPROP-OAK,S-2,Paint hall\n"
CREDENTIALS = {
    "quo": {"QUO_API_KEY": QUO_KEY},
    "travtus client": {"TRAVTUS_CLIENT_ID": CLIENT_ID, "TRAVTUS_CLIENT_SECRET": CLIENT_SECRET},
    "travtus token": {"TRAVTUS_API_TOKEN": STATIC_TOKEN},
}


def forms(secret: str) -> set[str]:
    """A secret as written, URL-encoded either way, JSON-escaped, case-folded, base64-encoded."""
    b64 = {encode(secret.encode()).decode() for encode in (base64.b64encode, base64.urlsafe_b64encode)}
    return {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote(secret, safe="").lower(),
            json.dumps(secret)[1:-1], json.dumps(secret)[1:-1].replace("/", "\\/"), secret.lower(), secret.upper(),
            *b64, *(text.rstrip("=") for text in b64)}


def head_and_form(request: bytes) -> tuple[str, dict[str, str], str]:
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return lines[0], headers, body.decode("latin-1")


#: Look-up answers of a workspace holding the sheets' references (Quo's number, Travtus' group).
_LOOKUPS = {
    "/v1/phone-numbers": {"data": [{"id": "PNk3Ra9XwQ2m", "number": "+14155550100", "name": "Main line", "users": []}]},
    "/communities/": {"communities": [{"community_id": "G1", "community_external_ref": "PROP-OAK", "name": "Oak"}],
                      "last_id": -1},
}


def hostile(mode: str):
    async def behaviour(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
        line, headers, body = head_and_form(await read_request(reader))
        if "/oauth2/token" in line:
            if mode == "token echo":
                status, reply = 401, {"error": "invalid_client", "error_description": f"refused {body}",
                                      "client": parse_qs(body).get("client_id", [""])[0]}
            else:
                status, reply = 200, {"access_token": ISSUED, "token_type": "Bearer", "expires_in": 3600}
        elif mode == "task id is the token" and _LOOKUPS.get(line.split()[1].split("?")[0]) is not None:
            status, reply = 200, _LOOKUPS[line.split()[1].split("?")[0]]  # the sheet's references exist
        else:
            auth = headers.get("authorization", "")
            if mode == "task id is the token":
                status, reply = 201, {"identifier": auth, "request_id": auth.lower(), "data": {"taskId": auth}}
            else:
                echo = (f"{auth.lower()} {auth.upper()} {base64.b64encode(auth.encode()).decode()} "
                        f"{base64.b64encode(auth.split()[-1].encode()).decode()} {quote_plus(auth)}")
                status, reply = 400, {"message": echo, "error": {"type": "bad", "message": echo}}
        data = json.dumps(reply).encode()
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                     f"X-Request-Id: {headers.get('authorization', '')}\r\nConnection: close\r\n\r\n".encode() + data)
        await writer.drain()

    return behaviour


def run_against(capfd, monkeypatch, tmp_path, credentials: str, url: str) -> str:
    for name in ("QUO_API_KEY", "TRAVTUS_API_TOKEN", "TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in CREDENTIALS[credentials].items():
        monkeypatch.setenv(name, value)
    provider = credentials.split()[0]
    sheet = tmp_path / "tasks.csv"
    sheet.write_text(QUO_SHEET if provider == "quo" else TRAVTUS_SHEET, encoding="utf-8")
    main(["run", str(sheet), "--provider", provider, "--base-url", url, "--max-attempts", "2", "--timeout", "5",
          "-v", "-y"])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "internal problem" not in err
    return out + err


def assert_no_form_anywhere(output: str, folder) -> None:
    files = {path.name: path.read_bytes().decode("utf-8", "replace") for path in folder.rglob("*") if path.is_file()}
    assert "tasks.results.csv" in files
    for secret in SECRETS:
        for form in forms(secret):
            assert form not in output, f"{form!r} ({secret}) printed"
            for name, text in files.items():
                assert form not in text, f"{form!r} ({secret}) written to {name}"


@pytest.mark.parametrize("mode", ["token echo", "auth echo", "task id is the token"])
@pytest.mark.parametrize("credentials", sorted(CREDENTIALS))
def test_no_form_of_any_secret_is_printed_or_written(capfd, monkeypatch, tmp_path, credentials, mode):
    if mode == "token echo" and credentials != "travtus client":
        pytest.skip("only client credentials ask a token endpoint")
    with raw_server(hostile(mode)) as server:
        output = run_against(capfd, monkeypatch, tmp_path, credentials, server.url)
        assert server.connections >= 1
    results = (tmp_path / "tasks.results.csv").read_text(encoding="utf-8-sig")
    assert "[redacted]" in output + results
    assert_no_form_anywhere(output, tmp_path)


@pytest.mark.parametrize("mode", ["auth echo", "task id is the token"])
async def test_the_page_shows_and_keeps_no_form_of_the_key(tmp_path, monkeypatch, mode):
    """The page sends to the provider's own address: here that address is the hostile server's."""
    from bulk_tasks.providers import get_provider
    from helpers import write_csv
    from webpage import running_page

    source = write_csv(tmp_path / "q.csv", ["Title", "Description", "phoneNumberId"],
                       [["Call back", "Pricing", "PNk3Ra9XwQ2m"], ["Send deck", "Onboarding", "PNk3Ra9XwQ2m"]])
    serving = raw_server(hostile(mode))
    server = await asyncio.to_thread(serving.__enter__)  # its teardown runs a loop of its own: not on this one
    try:
        monkeypatch.setattr(type(get_provider("quo")), "default_base_url", server.url)
        async with running_page(tmp_path / "work") as page:
            view = await page.upload(source, provider="quo")
            import_id = view["import"]["id"]
            answer = await page.post_json(f"/api/imports/{import_id}/send",
                                          {"sandbox": False, "credentials": {"QUO_API_KEY": QUO_KEY}}, status=202)
            events = await page.events(import_id)
            shown = json.dumps([answer, *events, await page.get_json(f"/api/imports/{import_id}"),
                                await page.results_csv(import_id)])
    finally:
        await asyncio.to_thread(serving.__exit__, None, None, None)
    assert server.connections >= 1
    assert "[redacted]" in shown
    for form in forms(QUO_KEY):
        assert form not in shown, form
        for path in (tmp_path / "work").rglob("*"):
            if path.is_file():
                assert form.encode() not in path.read_bytes(), (form, path.name)
