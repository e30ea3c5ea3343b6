"""The look-ups' HTTP client: read-only requests, authenticated, paced by the run's rate limiter, retried.

A look-up changes nothing, so every failure but a refusal is retried (429 with the limiter's pause,
5xx, timeouts, lost connections) up to ``max_attempts``; credentials refused or a host that never
answers raise ``LookupUnavailable`` once, for the whole run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from ..errors import LookupUnavailable, SendError
from ..providers import Provider, Verdict
from ..send.auth import Auth
from ..send.ratelimit import RateLimiter
from ..send.retry import backoff_delay
from ..send.transport import Failure, classify_exception, request_timeout

NOTHING_SENT = "Nothing was sent."


class LookupHttp:
    """``references.LookupClient`` over one ``aiohttp`` session; ``requests`` counts what was asked."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, provider: Provider, auth: Auth,
                 limiter: RateLimiter, *, timeout: float = 30.0, max_attempts: int = 5,
                 say: Callable[[str], None] | None = None) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.auth = auth
        self.limiter = limiter
        self.timeout = request_timeout(timeout)
        self.max_attempts = max_attempts
        self.requests = 0
        self._say = say

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> tuple[int, Any]:
        """``GET path?params``."""
        return await self._request("GET", path, params=dict(params or {}))

    async def find(self, path: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        """A read-only ``POST path`` with a JSON body."""
        return await self._request("POST", path, body=json.dumps(body).encode())

    def progress(self, text: str) -> None:
        """Pass ``text`` on to the user."""
        if self._say is not None:
            self._say(text)

    async def _request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                       body: bytes | None = None) -> tuple[int, Any]:
        url = self.base_url + path
        problem: str | None = "no answer"
        for attempt in range(1, self.max_attempts + 1):
            sent_at = await self.limiter.acquire()
            headers = await self._headers()
            self.requests += 1
            try:
                status, raw = await self._send(method, url, headers, params, body)
            except (aiohttp.ClientError, TimeoutError) as exc:
                failure, problem = classify_exception(exc, self.timeout)
                if failure is Failure.HOPELESS:
                    raise self._unavailable(problem) from None
                await self._pause(attempt)
                continue
            decoded = _decoded(raw)
            problem = await self._again(status, decoded, headers, sent_at, attempt)
            if problem is None:
                return status, decoded
        raise self._unavailable(f"{problem}, {self.max_attempts} times")

    async def _send(self, method: str, url: str, headers: Mapping[str, str], params: dict[str, str] | None,
                    body: bytes | None) -> tuple[int, bytes]:
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        async with self.session.request(method, url, params=params, data=body, timeout=self.timeout,
                                        allow_redirects=False, headers=headers) as response:
            return response.status, await response.read()

    async def _again(self, status: int, decoded: Any, headers: Mapping[str, str], sent_at: float | None,
                     attempt: int) -> str | None:
        """Why the request is made again (None: its answer is final); raises when no retry can help."""
        if status == 429:
            self.limiter.penalize(None, sent_at)
            return "the provider kept answering 429 (too many requests)"
        verdict = self.provider.interpret(status, decoded).verdict if status in (401, 403) else None
        if verdict is Verdict.TOKEN_EXPIRED:
            await self.auth.refresh(self.session, headers)
            return "the token kept expiring"
        if verdict is Verdict.FATAL_AUTH:
            raise self._unavailable(f"the credentials were refused (HTTP {status}: "
                                    f"{self.provider.error_text(status, decoded)})", credentials=True)
        if status >= 500:
            await self._pause(attempt)
            return f"HTTP {status}"
        if status not in (200, 404):  # a look-up the provider does not take: no row can be checked
            raise self._unavailable(f"HTTP {status}: {self.provider.error_text(status, decoded)}")
        if sent_at is not None:
            self.limiter.note_success(sent_at)
        return None

    async def _headers(self) -> Mapping[str, str]:
        try:
            return await self.auth.headers(self.session)
        except SendError as exc:
            raise LookupUnavailable(f"{exc} {NOTHING_SENT}") from None

    async def _pause(self, attempt: int) -> None:
        if attempt < self.max_attempts:
            await asyncio.sleep(backoff_delay(attempt))

    def _unavailable(self, problem: str, credentials: bool = False) -> LookupUnavailable:
        name = self.provider.name.capitalize()
        fix = (f"check the {name} credentials ({', '.join(self.provider.credential_variables)})"
               if credentials else "check the network and --base-url")
        return LookupUnavailable(self.auth.redact(
            f"Could not look the sheet's references up in {name} at {self.base_url}: {problem}. {NOTHING_SENT} "
            f"To fix it, {fix} and run again, or use --offline to check the sheet without the workspace."))


def _decoded(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
