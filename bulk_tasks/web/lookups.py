"""The page's look-ups: a sheet's references checked in the workspace its rows would be sent to, and the
values an edit brings looked up before its row is checked again.

With Sandbox ticked that is the built-in sandbox's demo workspace (started for the look-up, over
loopback, as ``validate --sandbox`` does); unticked, the workspace of the credentials in the server's
environment, when it has some. Without them nothing is looked up on the page: the send looks the
references up with the credentials typed for it, and the page says so once.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from ..console.messages import references_checked_when_sent
from ..errors import LookupUnavailable
from ..providers import Provider
from ..providers.references import Resolution, Want
from ..resolve.run import has_references, look_up, look_up_wants, unchecked
from ..send.endpoint import Endpoint, lookup_endpoint, sandbox_endpoint
from ..send.ratelimit import RateLimiter
from ..shape.prepare import Checked
from ..shape.references import References


@dataclass
class PageLookups:
    """How the page's check looked its references up, and where to look up the values edits bring."""

    provider: Provider
    sandbox: bool
    phone_region: str
    #: What the look-ups found (None: nothing looked up, the references are checked when sent).
    references: References | None

    async def more(self, wants: Iterable[Want]) -> None:
        """Look up the ``wants`` not looked up yet (with the group each is within), adding to ``references``."""
        resolution = self.references.resolution if self.references is not None else None
        if resolution is None:
            return
        new = {want for want in wants if want not in resolution.found and want not in resolution.missing}
        if not new:
            return
        new |= {Want(*want.scope) for want in new if want.scope is not None}  # units and people: in their group
        try:
            async with _place(self.provider, self.sandbox) as (endpoint, limiter):
                if endpoint is None:
                    return
                more = await look_up_wants(self.provider, sorted(new), endpoint, self.phone_region, limiter=limiter)
        except LookupUnavailable as exc:
            resolution.missing.update(dict.fromkeys(new, str(exc)))
            return
        resolution.found.update(more.found)
        resolution.missing.update(more.missing)
        resolution.choices.update(more.choices)


@asynccontextmanager
async def _place(provider: Provider, sandbox: bool) -> AsyncIterator[tuple[Endpoint | None, RateLimiter | None]]:
    """The endpoint to look up at (a sandbox started for the look-up, or the environment's credentials), and
    the pace: the provider's own, but none for the page's own sandbox, which protects nothing by waiting."""
    if not sandbox:
        yield lookup_endpoint(provider, None, os.environ), None
        return
    from ..sandbox import SandboxConfig, start_sandbox

    async with start_sandbox(SandboxConfig().without_rate_limits()) as running:
        yield sandbox_endpoint(provider, running.url, running.environment()), RateLimiter(None)


def first_look(checked: Checked, sandbox: bool) -> PageLookups | None:
    """The references of a checked sheet looked up for the page (in a worker thread: its own event loop);
    None for a provider without look-ups."""
    if checked.provider.lookups is None:
        return None
    return asyncio.run(_first_look(checked, sandbox))


async def _first_look(checked: Checked, sandbox: bool) -> PageLookups:
    provider = checked.provider
    lookups = PageLookups(provider, sandbox, checked.reading.phone_region, None)
    if not has_references(checked):
        lookups.references = References(Resolution())
        return lookups
    try:
        async with _place(provider, sandbox) as (endpoint, limiter):
            if endpoint is None:
                checked.value_warnings.append(references_checked_when_sent(provider))
                return lookups
            lookups.references, _ = await look_up(checked, endpoint, limiter=limiter)
    except LookupUnavailable as exc:
        lookups.references = unchecked(checked, "the workspace could not be reached", str(exc))
    return lookups

