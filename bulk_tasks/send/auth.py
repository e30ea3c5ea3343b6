"""Credentials on the wire: the request headers that authorize, token refresh, redaction, safe base URLs.

``Auth`` is what the sending engine asks for headers (a mapping: ``Authorization``, ``X-Api-Key``, any
a provider needs). ``StaticAuth`` holds fixed headers (Quo's bare key, a Travtus bearer token);
``ClientCredentialsAuth`` exchanges an OAuth2 client ID and
secret for a token once, shares it across every worker, renews it shortly before it runs out, and
renews it at most once when many workers meet ``expired_token`` together.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ipaddress
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from ..errors import AuthenticationError, CredentialsError, NetworkError, SendError, UsageError
from .retry import backoff_delay, parse_retry_after
from .transport import classify_exception, request_timeout

REDACTED = "[redacted]"
#: A token is renewed when this share of its lifetime is left (at most ``MAX_RENEW_MARGIN`` s).
RENEW_SHARE = 0.1
MAX_RENEW_MARGIN = 60.0
TOKEN_ATTEMPTS = 4


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every non-empty secret replaced by ``[redacted]``.

    A server may echo a secret changed: URL-encoded (either way, even in part), JSON-escaped,
    lower- or upper-cased, base64-encoded (alone or inside a longer text). Secrets of ``MIN_DISGUISED``
    characters or more are found in each of those forms; shorter ones as written only.
    """
    pattern = _secrets_pattern(tuple(sorted({s for s in secrets if s}, key=len, reverse=True)))
    return text if pattern is None else pattern.sub(REDACTED, text)


#: Below this length a secret is matched only exactly (a short one, disguised, would match ordinary words).
MIN_DISGUISED = 8


@functools.lru_cache(maxsize=64)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    if not secrets:
        return None
    disguised = "|".join(_disguised(secret) for secret in secrets if len(secret) >= MIN_DISGUISED)
    exact = "|".join(re.escape(secret) for secret in secrets if len(secret) < MIN_DISGUISED)
    return re.compile("|".join(part for part in (f"(?i:{disguised})" if disguised else "", exact) if part))


def _disguised(secret: str) -> str:
    """A pattern for ``secret`` as written, URL-encoded, JSON-escaped or in another case, or base64-encoded."""
    chars = "".join(_char_forms(char) for char in secret)
    return "|".join([chars, *(re.escape(fragment) for fragment in _base64_fragments(secret))])


def _char_forms(char: str) -> str:
    encoded = "".join(f"%{byte:02x}" for byte in char.encode("utf-8"))
    forms = {re.escape(char), re.escape(encoded), re.escape(encoded.replace("%", "%25")),
             re.escape(f"\\u{ord(char):04x}") if ord(char) < 0x10000 else re.escape(char)}
    if char == " ":
        forms.add(re.escape("+"))
    if char in "/\"\\":
        forms.add(re.escape("\\" + char))
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def _base64_fragments(secret: str) -> set[str]:
    """The base64 characters that depend on ``secret``'s bytes alone, at each of the three alignments."""
    data = secret.encode("utf-8")
    fragments = set()
    for shift in range(3):
        start, end = -(-8 * shift // 6), 8 * (shift + len(data)) // 6
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            fragment = encode(b"\0" * shift + data).decode("ascii")[start:end]
            if len(fragment) >= MIN_DISGUISED:
                fragments.add(fragment)
    return fragments


class Auth:
    """How requests are authorized. Subclasses implement ``headers`` and ``refresh``."""

    async def headers(self, session: aiohttp.ClientSession) -> Mapping[str, str]:
        """The headers that authorize a request sent now (name → value)."""
        raise NotImplementedError

    async def refresh(self, session: aiohttp.ClientSession, stale: Mapping[str, str]) -> None:
        """Replace the ``stale`` headers, which the provider called expired.

        Single-flight: if another worker already replaced it, return at once. Raises
        ``AuthenticationError`` when the credentials cannot yield a fresh one.
        """
        raise NotImplementedError

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value this object holds or has obtained, for redaction."""
        raise NotImplementedError

    def set_timeout(self, seconds: float) -> None:
        """Bound any request this ``Auth`` makes by ``seconds`` (``--timeout``); nothing to bound here."""

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``[redacted]``."""
        return redact(text, self.secrets)


class StaticAuth(Auth):
    """Fixed headers; ``secrets`` are the parts of them that must never be shown (the values are too)."""

    def __init__(self, headers: Mapping[str, str], secrets: Iterable[str] = ()) -> None:
        self._headers = dict(headers)
        self._secrets = tuple(s for s in (*secrets, *self._headers.values()) if s)

    async def headers(self, session: aiohttp.ClientSession) -> Mapping[str, str]:
        """The fixed headers."""
        return self._headers

    async def refresh(self, session: aiohttp.ClientSession, stale: Mapping[str, str]) -> None:
        """A fixed token cannot be renewed: always ``AuthenticationError``."""
        raise AuthenticationError(
            "The provider says the API token has expired, and a fixed token cannot be renewed: "
            "put a fresh token in the environment (or use client credentials) and run again.")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The header values and the given secrets."""
        return self._secrets


class ClientCredentialsAuth(Auth):
    """OAuth2 client credentials: one token for every worker, renewed before it runs out."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *,
                 timeout: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        _require_safe_transport(token_url)
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._timeout = request_timeout(timeout)
        self._clock = clock
        self._headers: dict[str, str] | None = None
        self._renew_at = -float("inf")
        self._lock = asyncio.Lock()
        self._tokens: list[str] = []
        self._failure: SendError | None = None
        self.token_requests = 0

    def set_timeout(self, seconds: float) -> None:
        """Bound each token request as task requests are (``--timeout``: connect, and each wait for data)."""
        self._timeout = request_timeout(seconds)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The client ID and secret and every token obtained so far."""
        return (self.client_id, self._client_secret, *self._tokens)

    async def headers(self, session: aiohttp.ClientSession) -> Mapping[str, str]:
        """``Authorization: Bearer <token>``, fetching or renewing the token first when it is due."""
        headers = self._headers
        if headers is not None and self._clock() < self._renew_at:
            return headers
        async with self._lock:
            if self._headers is None or self._clock() >= self._renew_at:
                await self._fetch(session)
            assert self._headers is not None
            return self._headers

    async def refresh(self, session: aiohttp.ClientSession, stale: Mapping[str, str]) -> None:
        """Fetch a new token unless another worker already replaced the ``stale`` headers."""
        async with self._lock:
            if self._headers is not None and self._headers != stale:
                return
            await self._fetch(session)

    async def _fetch(self, session: aiohttp.ClientSession) -> None:
        """Get a token; a failure is remembered, so the waiting workers do not each try again."""
        if self._failure is not None:
            raise self._failure
        try:
            await self._request_token(session)
        except SendError as exc:
            self._failure = exc
            raise

    async def _request_token(self, session: aiohttp.ClientSession) -> None:
        form = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self._client_secret}
        problem = "no answer"
        for attempt in range(1, TOKEN_ATTEMPTS + 1):
            started = self._clock()
            self.token_requests += 1
            wait: float | None = None
            try:
                async with session.post(self.token_url, data=form, timeout=self._timeout,
                                        allow_redirects=False) as response:
                    status = response.status
                    raw = await response.read()
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = classify_exception(exc, self._timeout)[1]
            else:
                body = _json_or_none(raw)
                if 200 <= status < 300:
                    self._accept(body, started)
                    return
                problem = f"HTTP {status}" + (f": {_oauth_error(body)}" if _oauth_error(body) else "")
                if status in (400, 401, 403):
                    raise AuthenticationError(self.redact(
                        f"The token endpoint {self.token_url} refused the client ID and secret "
                        f"({problem}). Check the client ID and client secret in the environment."))
                if status != 429 and status < 500:
                    raise AuthenticationError(self.redact(
                        f"The token endpoint {self.token_url} did not issue a token ({problem})."))
                wait = retry_after
            if attempt < TOKEN_ATTEMPTS:
                await asyncio.sleep(wait if wait is not None else backoff_delay(attempt, base=0.5))
        raise NetworkError(self.redact(
            f"Could not get an access token from {self.token_url} after {TOKEN_ATTEMPTS} tries "
            f"({problem}). Check the network and --base-url, then run again."))

    def _accept(self, body: Any, started: float) -> None:
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(
                f"The token endpoint {self.token_url} answered without an access_token.")
        self._tokens.append(token)
        kind = str(body.get("token_type") or "Bearer")
        self._headers = {"Authorization": ("Bearer" if kind.lower() == "bearer" else kind) + " " + token}
        try:
            lifetime = float(body.get("expires_in"))
        except (TypeError, ValueError):
            self._renew_at = float("inf")
            return
        margin = min(MAX_RENEW_MARGIN, lifetime * RENEW_SHARE)
        self._renew_at = started + lifetime - margin


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _oauth_error(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        return ": ".join(str(error[k]) for k in ("type", "message") if error.get(k))
    parts = [str(part) for part in (error, body.get("error_description")) if part]
    return ": ".join(parts)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and any loopback IP address (127.0.0.0/8, ``::1``)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_safe_transport(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UsageError(f"The base URL {url!r} must start with https:// (or http:// for a local "
                         "sandbox), for example https://api.quo.com.")
    if parts.username is not None or parts.password is not None:
        raise UsageError("The base URL must not contain a user name or password: "
                         "credentials come from the environment only.")
    host = parts.hostname or ""
    if not host:
        raise UsageError(f"The base URL {url!r} has no host name, for example https://api.quo.com.")
    try:
        _ = parts.port
    except ValueError:
        raise UsageError(f"The base URL {url!r} has an invalid port number.") from None
    if scheme == "http" and not is_loopback_host(host):
        raise CredentialsError(
            f"Refusing to send credentials over plain http:// to {host}: anyone on the network "
            "could read them. Use https://, or http:// only with 127.0.0.1 or localhost.")
    return scheme, host


def check_url_safe(base_url: str) -> str:
    """Check a ``--base-url`` and return it without a trailing slash.

    ``UsageError`` unless it is http(s) with a host (and port) only; ``CredentialsError`` for plain
    http:// to a host that is not a loopback address.
    """
    _require_safe_transport(base_url)
    parts = urlsplit(base_url.strip())
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(
            f"The base URL {parts.scheme}://{parts.netloc}{parts.path} must be the scheme, host and "
            f"port only (for example {parts.scheme}://{parts.netloc}): the API paths are added "
            "automatically.")
    return f"{parts.scheme.lower()}://{parts.netloc}"
