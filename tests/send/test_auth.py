"""Credentials: URL safety, redaction, static headers, client credentials against the sandbox."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bulk_tasks.send.auth import RENEW_SHARE, ClientCredentialsAuth, StaticAuth, check_url_safe, redact
from bulk_tasks.errors import AuthenticationError, CredentialsError, NetworkError, UsageError
from bulk_tasks.providers.travtus.sandbox import SANDBOX_TRAVTUS_CLIENT_ID, SANDBOX_TRAVTUS_CLIENT_SECRET
from bulk_tasks.sandbox import (
    RunningSandbox,
    SandboxConfig,
    start_sandbox,
)


@pytest.mark.parametrize(("url", "normal"), [
    ("https://api.quo.com", "https://api.quo.com"),
    ("https://api.travtus.com/", "https://api.travtus.com"),
    ("HTTPS://api.quo.com:8443", "https://api.quo.com:8443"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("http://127.9.9.9", "http://127.9.9.9"),
    ("http://localhost:1234/", "http://localhost:1234"),
    ("http://[::1]:8765", "http://[::1]:8765"),
])
def test_safe_base_urls_are_accepted(url: str, normal: str) -> None:
    assert check_url_safe(url) == normal


@pytest.mark.parametrize("url", ["http://api.quo.com", "http://10.0.0.5:8765", "http://[::2]:80",
                                 "http://localhost.example.com"])
def test_plain_http_off_loopback_is_refused(url: str) -> None:
    with pytest.raises(CredentialsError, match="https://"):
        check_url_safe(url)


@pytest.mark.parametrize("url", ["ftp://api.quo.com", "api.quo.com", "https://", "https://api.quo.com/v1",
                                 "https://api.quo.com/?x=1", "https://api.quo.com:99999",
                                 "https://api.quo.com#top"])
def test_malformed_base_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        check_url_safe(url)


def test_userinfo_is_refused_without_echoing_it() -> None:
    with pytest.raises(UsageError) as caught:
        check_url_safe("https://me:hunter22@api.quo.com")
    assert "hunter22" not in str(caught.value)


def test_redact() -> None:
    assert redact("key abc and abcdef", ["abc", "abcdef", ""]) == "key [redacted] and [redacted]"


async def test_static_auth() -> None:
    auth = StaticAuth({"Authorization": "Bearer tok-123"}, secrets=("tok-123",))
    assert await auth.headers(None) == {"Authorization": "Bearer tok-123"}  # type: ignore[arg-type]
    assert "tok-123" in auth.secrets
    assert auth.redact("sent Bearer tok-123") == "sent [redacted]"
    with pytest.raises(AuthenticationError) as caught:
        await auth.refresh(None, {"Authorization": "Bearer tok-123"})  # type: ignore[arg-type]
    assert "tok-123" not in str(caught.value)


def test_client_credentials_refuse_plain_http_to_a_remote_host() -> None:
    with pytest.raises(CredentialsError):
        ClientCredentialsAuth("http://api.travtus.com/oauth2/token", "id", "secret")


@pytest.fixture
async def travtus() -> AsyncIterator[tuple[RunningSandbox, aiohttp.ClientSession]]:
    async with start_sandbox(SandboxConfig(seed=3)) as sb, aiohttp.ClientSession() as session:
        yield sb, session


def _auth(sb: RunningSandbox, secret: str = SANDBOX_TRAVTUS_CLIENT_SECRET) -> ClientCredentialsAuth:
    return ClientCredentialsAuth(sb.url + "/oauth2/token", SANDBOX_TRAVTUS_CLIENT_ID, secret)


async def test_one_token_is_shared_by_every_worker(travtus) -> None:
    sb, session = travtus
    auth = _auth(sb)
    values = [headers["Authorization"] for headers in await asyncio.gather(*(auth.headers(session) for _ in range(50)))]
    assert len(set(values)) == 1 and values[0].startswith("Bearer ")
    assert sb.state.stats.token_requests == 1
    token = values[0].split(" ", 1)[1]
    assert token in auth.secrets and SANDBOX_TRAVTUS_CLIENT_SECRET in auth.secrets


async def test_refresh_is_single_flight(travtus) -> None:
    sb, session = travtus
    auth = _auth(sb)
    stale = await auth.headers(session)
    await asyncio.gather(*(auth.refresh(session, stale) for _ in range(30)))
    fresh = await auth.headers(session)
    assert fresh != stale
    assert sb.state.stats.token_requests == 2
    await auth.refresh(session, stale)
    assert sb.state.stats.token_requests == 2


async def test_token_is_renewed_before_it_expires(travtus) -> None:
    sb, session = travtus
    sb.config.travtus_token_lifetime = 100.0
    now = [1000.0]
    auth = ClientCredentialsAuth(sb.url + "/oauth2/token", SANDBOX_TRAVTUS_CLIENT_ID,
                                 SANDBOX_TRAVTUS_CLIENT_SECRET, clock=lambda: now[0])
    first = await auth.headers(session)
    now[0] += 100.0 * (1 - RENEW_SHARE) - 0.5
    assert await auth.headers(session) == first
    now[0] += 1.0
    assert await auth.headers(session) != first
    assert sb.state.stats.token_requests == 2


async def test_a_short_lived_token_is_renewed_on_the_real_clock(travtus) -> None:
    sb, session = travtus
    sb.config.travtus_token_lifetime = 0.5
    auth = _auth(sb)
    first = await auth.headers(session)
    await asyncio.sleep(0.5)
    second = await auth.headers(session)
    assert second != first and sb.state.stats.token_requests == 2


async def test_wrong_secret_is_an_authentication_error_without_the_secret(travtus) -> None:
    sb, session = travtus
    wrong = "wrong-secret-value-42"
    auth = _auth(sb, wrong)
    results = await asyncio.gather(*(auth.headers(session) for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, AuthenticationError) for r in results)
    message = str(results[0])
    assert wrong not in message and "client ID and client secret" in message
    assert sb.state.stats.token_requests == 1


async def test_unreachable_token_endpoint_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    auth = ClientCredentialsAuth(f"http://127.0.0.1:{port}/oauth2/token", "id", "s3cr3t-value")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(NetworkError) as caught:
            await auth.headers(session)
    assert "could not get an access token" in str(caught.value).lower()
    assert "s3cr3t-value" not in str(caught.value)
