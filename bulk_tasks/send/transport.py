"""One POST, and what its failure proves: nothing was sent, it may have been processed, or hopeless.

aiohttp raises ``ClientConnectorError`` (refused, DNS, unreachable) and ``ConnectionTimeoutError``
only while connecting, before a byte of the request is written. A write into a transport already
closing fails with ``ClientConnectionResetError("Cannot write to closing transport")`` (wrapped in
a ``ClientOSError``): nothing of the request left either. Everything after the request was handed
to the socket (a timeout waiting for the reply, ``ServerDisconnectedError``, a reset, a broken
payload) is ambiguous: the server may have created the task.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aiohttp

from .retry import parse_retry_after

JSON_CONTENT_TYPE = "application/json"


class Failure(str, Enum):
    """What a request that got no HTTP response proves."""

    NOT_SENT = "not_sent"
    AMBIGUOUS = "ambiguous"
    HOPELESS = "hopeless"


@dataclass(slots=True)
class Attempt:
    """The result of one POST: a response (``status``, decoded ``body``) or a ``failure``."""

    status: int | None = None
    body: Any = None
    retry_after: float | None = None
    failure: Failure | None = None
    error: str | None = None
    #: The request went out and no reply came within the timeout (the host is silent).
    silent: bool = False


def request_timeout(timeout: float) -> aiohttp.ClientTimeout:
    """Connecting and each wait for reply data are bounded by ``timeout``; the whole by 3x it.

    A separate connect timeout makes a slow connect a ``ConnectionTimeoutError`` (nothing sent)
    rather than a total timeout (which could be either).
    """
    return aiohttp.ClientTimeout(total=3 * timeout, connect=timeout, sock_connect=timeout,
                                 sock_read=timeout)


async def post_once(session: aiohttp.ClientSession, url: str, body: bytes, auth_headers: Mapping[str, str],
                    timeout: aiohttp.ClientTimeout) -> Attempt:
    """POST ``body`` as JSON once with ``auth_headers``; never raises for network trouble (cancellation propagates)."""
    return await request_once(session, "POST", url, body, auth_headers, timeout)


async def request_once(session: aiohttp.ClientSession, method: str, url: str, body: bytes | None,
                       auth_headers: Mapping[str, str], timeout: aiohttp.ClientTimeout) -> Attempt:
    """One request (``body``, when given, as JSON), as ``post_once``: what it got, or what its failure proves."""
    headers = {**auth_headers, "Content-Type": JSON_CONTENT_TYPE} if body is not None else dict(auth_headers)
    try:
        async with session.request(method, url, data=body, headers=headers, timeout=timeout,
                                   allow_redirects=False) as response:
            status = response.status
            raw = await response.read()
            retry_after = (parse_retry_after(response.headers.get("Retry-After"), cap=math.inf) if status == 429
                           else parse_retry_after(response.headers.get("Retry-After")) if status == 503 else None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        failure, error = classify_exception(exc, timeout)
        return Attempt(failure=failure, error=error,
                       silent=failure is Failure.AMBIGUOUS and isinstance(exc, TimeoutError))
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = None
    return Attempt(status=status, body=decoded, retry_after=retry_after)


def classify_exception(exc: BaseException,
                       timeout: aiohttp.ClientTimeout | None = None) -> tuple[Failure, str]:
    """What a network exception proves about the request, and one phrase for a person."""
    if isinstance(exc, aiohttp.ClientSSLError):
        return Failure.HOPELESS, (f"the secure connection to {exc.host} failed ({_reason(exc)}); "
                                  "TLS verification is always on: check the server's certificate "
                                  "and --base-url")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        limit = f" within {timeout.connect:g} s" if timeout and timeout.connect else ""
        return Failure.NOT_SENT, f"could not connect{limit} (connection timed out)"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return Failure.NOT_SENT, f"could not find the host {exc.host} (DNS lookup failed)"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Failure.NOT_SENT, f"could not connect to {exc.host}:{exc.port} ({_reason(exc)})"
    if _never_written(exc):
        return Failure.NOT_SENT, "the connection closed before the request was sent"
    if isinstance(exc, TimeoutError):
        limit = f" within {timeout.sock_read:g} s" if timeout and timeout.sock_read else ""
        return Failure.AMBIGUOUS, f"no reply{limit} (timed out after sending)"
    if isinstance(exc, aiohttp.ClientConnectionError):
        return Failure.AMBIGUOUS, "the connection was lost while waiting for the reply"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return Failure.AMBIGUOUS, "the reply was cut off"
    return Failure.AMBIGUOUS, f"{type(exc).__name__}: {exc}".rstrip(": ")


def _never_written(exc: BaseException) -> bool:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        if (isinstance(current, aiohttp.ClientConnectionResetError)
                and "closing transport" in str(current)):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def _reason(exc: aiohttp.ClientConnectorError) -> str:
    os_error = exc.os_error
    if os_error.errno:
        return os.strerror(os_error.errno).lower()
    return os_error.strerror or str(os_error) or type(os_error).__name__


def new_session(concurrency: int) -> aiohttp.ClientSession:
    """A session for ``concurrency`` workers (plus one connection for token requests); TLS verified."""
    connector = aiohttp.TCPConnector(limit=concurrency + 1, limit_per_host=concurrency + 1, ssl=True)
    return aiohttp.ClientSession(connector=connector, raise_for_status=False)
