"""The endpoint of a run, resolved once: the checked base URL, the credentials as an ``Auth``, and the
URL the journal binds its rows to.

``resolve_endpoint`` is the one place that checks a base URL (``auth.check_url_safe``) and builds a
provider's ``Auth`` for a real run; ``sandbox_endpoint`` the same for the built-in sandbox. Everything
downstream (the journal, the engine, the results' ``_sent_to``) takes the ``Endpoint`` it returns.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .auth import Auth, check_url_safe

if TYPE_CHECKING:
    from ..providers.base import Provider

#: What the journal of a run against the in-process sandbox binds its rows to (its port changes each run).
SANDBOX_JOURNAL_URL = "sandbox:in-process"


@dataclass(frozen=True)
class Endpoint:
    """Where a run sends (``base_url``, checked), with which credentials (``auth``), and the URL its
    journal records (``journal_url``)."""

    base_url: str
    auth: Auth
    journal_url: str
    sandbox: bool = False


def resolve_endpoint(provider: Provider, base_url: str | None = None, env: Mapping[str, str] | None = None, *,
                     credentials: Callable[[], Mapping[str, str]] | None = None) -> Endpoint:
    """The endpoint of a real run: ``base_url`` (the provider's own when None) checked, then the
    credentials read from ``env`` (the environment when None) or from ``credentials()``, which is only
    called once the URL is known to be safe to receive them (a person may be asked for a key).

    ``UsageError``/``CredentialsError`` for an unsafe URL; ``CredentialsError`` for missing credentials.
    """
    url = check_url_safe(base_url or provider.default_base_url)
    if credentials is not None:
        env = credentials()
    return Endpoint(url, provider.make_auth(os.environ if env is None else env, url), url)


def sandbox_endpoint(provider: Provider, url: str, env: Mapping[str, str]) -> Endpoint:
    """The endpoint of a run against the sandbox listening at ``url`` with its dummy credentials ``env``."""
    return Endpoint(url, provider.make_auth(env, url), SANDBOX_JOURNAL_URL, sandbox=True)


def lookup_endpoint(provider: Provider, base_url: str | None = None, env: Mapping[str, str] | None = None, *,
                    credentials: Callable[[], Mapping[str, str]] | None = None) -> Endpoint | None:
    """Where ``validate`` and dry runs look references up: as ``resolve_endpoint`` (an unsafe URL is
    refused), but None instead of a ``CredentialsError`` when there are no credentials (the references
    are then not checked, and the summary says so)."""
    from ..errors import CredentialsError

    url = check_url_safe(base_url or provider.default_base_url)
    if credentials is not None:
        env = credentials()
    try:
        return Endpoint(url, provider.make_auth(os.environ if env is None else env, url), url)
    except CredentialsError:
        return None
