"""What a failed POST proves: nothing sent, maybe processed, or hopeless."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from bulk_tasks.sandbox import SandboxConfig, start_sandbox
from bulk_tasks.send.transport import Failure, classify_exception, post_once, request_timeout


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_connection_refused_proves_nothing_was_sent() -> None:
    port = closed_port()
    async with aiohttp.ClientSession() as session:
        attempt = await post_once(session, f"http://127.0.0.1:{port}/v1/tasks", b"{}", {"Authorization": "k"},
                                  request_timeout(2))
    assert attempt.failure is Failure.NOT_SENT and attempt.status is None
    assert f"could not connect to 127.0.0.1:{port}" in (attempt.error or "")


async def test_tls_to_a_plain_server_is_hopeless() -> None:
    async with start_sandbox(SandboxConfig()) as sb, aiohttp.ClientSession() as session:
        url = sb.url.replace("http://", "https://") + "/v1/tasks"
        attempt = await post_once(session, url, b"{}", {"Authorization": "k"}, request_timeout(2))
    assert attempt.failure is Failure.HOPELESS and "secure connection" in (attempt.error or "")


async def test_a_reply_is_decoded() -> None:
    async with start_sandbox(SandboxConfig()) as sb, aiohttp.ClientSession() as session:
        attempt = await post_once(session, sb.url + "/v1/tasks", b"{}", {"Authorization": "bad-key"}, request_timeout(2))
    assert attempt.failure is None and attempt.status == 401
    assert isinstance(attempt.body, dict) and attempt.body.get("status") == 401


def test_a_write_into_a_closing_transport_proves_nothing_was_sent() -> None:
    underlying = aiohttp.ClientConnectionResetError("Cannot write to closing transport")
    wrapped = aiohttp.ClientOSError(None, "Can not write request body for http://h/v1/tasks")
    wrapped.__cause__ = underlying
    assert classify_exception(wrapped)[0] is Failure.NOT_SENT


@pytest.mark.parametrize("exc", [
    aiohttp.ServerDisconnectedError(),
    aiohttp.ClientOSError(104, "Connection reset by peer"),
    aiohttp.ClientPayloadError("Response payload is not completed"),
    aiohttp.SocketTimeoutError("Timeout on reading data from socket"),
    asyncio.TimeoutError(),
])
def test_anything_after_the_request_left_is_ambiguous(exc: BaseException) -> None:
    assert classify_exception(exc, request_timeout(3))[0] is Failure.AMBIGUOUS


def test_a_connect_timeout_proves_nothing_was_sent() -> None:
    failure, text = classify_exception(aiohttp.ConnectionTimeoutError("x"), request_timeout(3))
    assert failure is Failure.NOT_SENT and "within 3 s" in text
