"""Who may use the page: the token in the printed URL, its cookie, the CSRF header, the Host check.

The first visit with ``?token=…`` is answered with an HttpOnly, SameSite=Strict cookie and a redirect
to the same page without the token. Every other request needs that cookie (403 otherwise); requests
that change anything also need the ``X-Bulk-Tasks-CSRF`` header the page reads from itself. The Host
header must name the address the server is bound to, which defeats DNS rebinding. No CORS header is
ever sent, and every response forbids framing and loading anything from another origin.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

COOKIE = "bulk_tasks_session"
CSRF_HEADER = "X-Bulk-Tasks-CSRF"
SAFE_METHODS = frozenset({"GET", "HEAD"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARDS = ("0.0.0.0", "::")
FORBIDDEN = ("This page needs the address shown in the window where bulk-tasks was started (it ends with a "
             "token): open that address again. If that window was closed, start bulk-tasks again for a new one.")
#: What a browser shows on a visit without the token: the same sentence, as a small page.
FORBIDDEN_PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>bulk-tasks</title></head>'
                  "<body>"
                  f"<h1>bulk-tasks</h1><p>{FORBIDDEN}</p></body></html>")
BAD_HOST = ("Refused: the request names another host than the one bulk-tasks serve listens on; "
            "open the address it printed.")
NO_CSRF = "Refused: this request did not come from the bulk-tasks page; reload the page and try again."
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Guard:
    """The secrets of one server and the host names it answers to."""

    host: str
    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def allowed_hosts(self) -> set[str]:
        """Host header values accepted: the bound address, and the loopback names when bound to loopback."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        names = {host, *LOOPBACK_NAMES} if host in LOOPBACK_NAMES else {host}
        return {f"{name}:{self.port}" for name in names}

    def accepts(self, host_header: str) -> bool:
        """Whether a Host header names this server. Bound to every address (0.0.0.0, ::), any IP address
        with the right port is accepted: DNS rebinding needs a host name, never an IP literal."""
        if host_header in self.allowed_hosts():
            return True
        if self.host not in WILDCARDS:
            return False
        name, _, port = host_header.rpartition(":")
        try:
            ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
        except ValueError:
            return False
        return port == str(self.port)

    def url(self) -> str:
        """The address to open, with the token."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.token}"


def _same(offered: str, expected: str) -> bool:
    return secrets.compare_digest(offered.encode("utf-8", "replace"), expected.encode("utf-8"))


def _refuse(text: str, request: web.Request | None = None) -> web.Response:
    """403 in words: a small page for a browser opening a page, JSON for the page's own requests."""
    if request is not None and request.method in SAFE_METHODS and request.path == "/":
        return web.Response(text=FORBIDDEN_PAGE, content_type="text/html", charset="utf-8", status=403)
    return web.json_response({"error": text}, status=403)


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: the headers every response carries."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")


def guard_middleware(guard: Guard) -> Any:
    """The aiohttp middleware enforcing the rules above."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not guard.accepts(request.host):
            return _refuse(BAD_HOST)
        offered = request.query.get("token")
        if offered is not None and request.method in SAFE_METHODS:
            if not _same(offered, guard.token):
                return _refuse(FORBIDDEN)
            response = web.Response(status=303, headers={"Location": request.rel_url.path})
            response.set_cookie(COOKIE, guard.session, httponly=True, samesite="Strict", path="/")
            return response
        if not _same(request.cookies.get(COOKIE, ""), guard.session):
            return _refuse(FORBIDDEN, request)
        if request.method not in SAFE_METHODS and \
                not _same(request.headers.get(CSRF_HEADER, ""), guard.csrf):
            return _refuse(NO_CSRF)
        return await handler(request)

    return middleware
