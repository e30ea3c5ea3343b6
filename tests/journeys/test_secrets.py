"""Secrets never appear in any output stream or any file written, on every failing path.

Each scenario runs the real command line (with and without ``-v``) against the sandbox, a closed
port or a server that echoes the credentials back in its error messages; then stdout, stderr (at the
file-descriptor level) and every file under the working folder are searched for each secret.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import pytest

from bulk_tasks.cli import main
from bulk_tasks.sandbox import SandboxConfig, sandbox_in_thread
from netfaults import closed_port, raw_server, read_request

QUO_KEY = "quo-SECRET-9f1c2e7a55"
CLIENT_ID = "client-for-secret-tests"
CLIENT_SECRET = "tt-SECRET-client-44b1c0"
STATIC_TOKEN = "tt-SECRET-token-71de93"
SECRETS = (QUO_KEY, CLIENT_SECRET, STATIC_TOKEN)
QUO_SHEET = "Title,Description,phoneNumberId\nCall back,Pricing,PNk3Ra9XwQ2m\nSend deck,Onboarding,PNk3Ra9XwQ2m\n"
TRAVTUS_SHEET = "Group External Ref,Task Ref,Title\nPROP-OAK,S-1,Fix boiler\nPROP-OAK,S-2,Paint hall\n"
CLIENT_ENV = {"TRAVTUS_CLIENT_ID": CLIENT_ID, "TRAVTUS_CLIENT_SECRET": CLIENT_SECRET}


@dataclass(frozen=True)
class Scenario:
    provider: str
    env: dict[str, str]
    config: SandboxConfig | None = None  # None: no sandbox (see the tests below)


SANDBOX_SCENARIOS = {
    "quo key refused": Scenario("quo", {"QUO_API_KEY": QUO_KEY}, SandboxConfig()),
    "quo server 500": Scenario("quo", {"QUO_API_KEY": QUO_KEY},
                               SandboxConfig(quo_api_keys={QUO_KEY}, fault_500_after_create_rate=1.0)),
    "quo 503 until retries run out": Scenario("quo", {"QUO_API_KEY": QUO_KEY},
                                              SandboxConfig(quo_api_keys={QUO_KEY}, fault_503_rate=1.0)),
    "travtus client secret refused": Scenario("travtus", CLIENT_ENV, SandboxConfig()),
    "travtus token refused": Scenario("travtus", {"TRAVTUS_API_TOKEN": STATIC_TOKEN}, SandboxConfig()),
    "travtus tokens expire at once": Scenario("travtus", CLIENT_ENV, SandboxConfig(
        travtus_clients={CLIENT_ID: CLIENT_SECRET}, travtus_token_lifetime=0.0)),
    "travtus server 500": Scenario("travtus", {"TRAVTUS_API_TOKEN": STATIC_TOKEN}, SandboxConfig(
        travtus_static_tokens={STATIC_TOKEN}, fault_500_after_create_rate=1.0)),
}


def forms(secret: str) -> set[bytes]:
    """The ways a secret could be written: as is, URL-encoded, JSON-escaped."""
    return {form.encode() for form in (secret, quote(secret), quote_plus(secret), json.dumps(secret)[1:-1])}


def assert_nowhere(secrets, output: str, folder) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form.decode() not in output, f"{secret!r} printed"
            for path in folder.rglob("*"):
                if path.is_file():
                    assert form not in path.read_bytes(), f"{secret!r} written to {path.name}"


def run_cli(capfd, monkeypatch, tmp_path, scenario: Scenario, base_url: str, verbose: bool) -> tuple[int, str]:
    for name in ("QUO_API_KEY", "TRAVTUS_API_TOKEN", "TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in scenario.env.items():
        monkeypatch.setenv(name, value)
    sheet = tmp_path / "tasks.csv"
    sheet.write_text(QUO_SHEET if scenario.provider == "quo" else TRAVTUS_SHEET, encoding="utf-8")
    argv = ["run", str(sheet), "--provider", scenario.provider, "--base-url", base_url, "--quiet",
            "--max-attempts", "2", "--timeout", "2", *(["-v"] if verbose else [])]
    code = main(argv)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert (tmp_path / "tasks.results.csv").exists()
    return code, out + err


@pytest.mark.parametrize("verbose", [True, False], ids=["-v", "quiet"])
@pytest.mark.parametrize("name", sorted(SANDBOX_SCENARIOS))
def test_no_secret_in_any_output_or_file_against_the_sandbox(capfd, monkeypatch, tmp_path, name, verbose):
    scenario = SANDBOX_SCENARIOS[name]
    with sandbox_in_thread(scenario.config) as sandbox:
        code, output = run_cli(capfd, monkeypatch, tmp_path, scenario, sandbox.url, verbose)
        issued = tuple(sandbox.state.issued_tokens)
    assert code == 1, output
    assert_nowhere((*SECRETS, *issued), output, tmp_path)


@pytest.mark.parametrize("scenario", [Scenario("quo", {"QUO_API_KEY": QUO_KEY}), Scenario("travtus", CLIENT_ENV),
                                      Scenario("travtus", {"TRAVTUS_API_TOKEN": STATIC_TOKEN})],
                         ids=["quo", "travtus client", "travtus token"])
def test_no_secret_when_the_network_is_down(capfd, monkeypatch, tmp_path, scenario):
    code, output = run_cli(capfd, monkeypatch, tmp_path, scenario, f"http://127.0.0.1:{closed_port()}", True)
    assert code == 1, output
    assert "connect to 127.0.0.1" in (tmp_path / "tasks.results.csv").read_text(encoding="utf-8-sig")
    assert_nowhere(SECRETS, output, tmp_path)


async def echo_credentials(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """A careless server: its error messages repeat the request's headers and body."""
    request = (await read_request(reader)).decode("latin-1")
    status, body = ((401, {"error": {"type": "invalid_client", "message": f"refused: {request}"}})
                    if "/oauth2/token" in request.split("\r\n", 1)[0] else
                    (400, {"message": f"cannot use {request}", "error": {"type": "bad", "message": request}}))
    data = json.dumps(body).encode()
    writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                 "Connection: close\r\n\r\n".encode() + data)
    await writer.drain()


@pytest.mark.parametrize("scenario", [Scenario("quo", {"QUO_API_KEY": QUO_KEY}), Scenario("travtus", CLIENT_ENV),
                                      Scenario("travtus", {"TRAVTUS_API_TOKEN": STATIC_TOKEN})],
                         ids=["quo", "travtus client", "travtus token"])
def test_a_server_that_echoes_the_credentials_is_redacted(capfd, monkeypatch, tmp_path, scenario):
    with raw_server(echo_credentials) as server:
        code, output = run_cli(capfd, monkeypatch, tmp_path, scenario, server.url, True)
    assert code == 1, output
    assert "[redacted]" in output or "[redacted]" in (tmp_path / "tasks.results.csv").read_text(encoding="utf-8-sig")
    assert_nowhere(SECRETS, output, tmp_path)


def test_missing_credentials_say_which_variables_without_values(capfd, monkeypatch, tmp_path):
    code, output = None, ""
    for name in ("QUO_API_KEY", "TRAVTUS_API_TOKEN", "TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRAVTUS_CLIENT_ID", CLIENT_ID)  # a secret without its partner is not enough
    sheet = tmp_path / "tasks.csv"
    sheet.write_text(TRAVTUS_SHEET, encoding="utf-8")
    code = main(["run", str(sheet), "--provider", "travtus", "-v"])
    output = "".join(capfd.readouterr())
    assert code == 2 and "TRAVTUS_CLIENT_SECRET" in output
    assert_nowhere(SECRETS, output, tmp_path)
