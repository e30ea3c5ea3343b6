"""Look a checked input's references up, or say why they were not: ``look_up`` gives the ``References``
that ``shape.prepare.shape_checked`` applies."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

from ..console.messages import references_not_checked
from ..providers import Provider
from ..providers.references import Lookups, Resolution, Want
from ..shape.prepare import Checked
from ..shape.references import References, wanted

if TYPE_CHECKING:  # aiohttp is loaded only when something is looked up
    from ..send.endpoint import Endpoint
    from ..send.ratelimit import RateLimiter

OFFLINE = "--offline looks nothing up: run without --offline, or type the ID"


def lookups_of(provider: Provider, phone_region: str) -> Lookups:
    """The provider's ``Lookups`` (``Provider.lookups``, ``"package.module:Class"``)."""
    assert provider.lookups is not None
    module, _, name = provider.lookups.partition(":")
    return getattr(import_module(module), name)(phone_region)  # type: ignore[no-any-return]


def has_references(checked: Checked) -> bool:
    """Whether some valid row fills a reference field."""
    fields = checked.fields
    return any(name in fields and fields[name].notna().any() for name in checked.provider.references)


def unchecked(checked: Checked, why: str, note: str | None) -> References:
    """References not looked up (``why``: a phrase for each row's error), said once in ``note``."""
    if note is not None:
        checked.value_warnings.append(note)
    return References(unchecked=why)


async def look_up(checked: Checked, endpoint: Endpoint | None, *, offline: bool = False,
                  limiter: RateLimiter | None = None, timeout: float = 30.0,
                  earlier: Mapping[Want, str] | None = None,
                  say: Callable[[str], None] | None = None) -> tuple[References, int]:
    """The references of ``checked`` looked up in the workspace at ``endpoint`` (None: unreachable, no
    credentials), and the number of requests made. Raises ``LookupUnavailable`` when the workspace
    cannot answer for any row."""
    provider = checked.provider
    if provider.lookups is None or not has_references(checked):
        return References(Resolution(), earlier=earlier or {}), 0
    if offline:
        return unchecked(checked, OFFLINE, references_not_checked(provider, "--offline")), 0
    if endpoint is None:
        return _without_credentials(checked), 0
    resolution = await look_up_wants(provider, wanted(checked.fields, provider), endpoint,
                                     checked.reading.phone_region, limiter=limiter, timeout=timeout, say=say)
    return References(resolution, earlier=earlier or {}), resolution.requests


async def look_up_wants(provider: Provider, wants: Collection[Want], endpoint: Endpoint, phone_region: str, *,
                        limiter: RateLimiter | None = None, timeout: float = 30.0,
                        say: Callable[[str], None] | None = None) -> Resolution:
    """``wants`` looked up in the workspace at ``endpoint`` (``Resolution.requests``: the requests made)."""
    from ..send.ratelimit import RateLimiter
    from ..send.transport import new_session
    from .client import LookupHttp

    auth = endpoint.auth
    auth.set_timeout(timeout)
    limiter = limiter or RateLimiter(provider.default_rate)
    async with new_session(1) as session:
        client = LookupHttp(session, endpoint.base_url, provider, auth, limiter, timeout=timeout, say=say)
        resolution = await lookups_of(provider, phone_region).resolve(client, wants)
    resolution.requests = client.requests
    return resolution


def _without_credentials(checked: Checked) -> References:
    provider = checked.provider
    why = (f"no {provider.name.capitalize()} credentials were given to look it up: set "
           f"{' or '.join(provider.credential_variables[:1])} (or use --env-file, or --sandbox for the demo "
           "workspace), or type the ID")
    return unchecked(checked, why, references_not_checked(provider, "no credentials"))
