"""The provider registry: one line per provider."""

from __future__ import annotations

from ..errors import UsageError
from .base import Provider, Reply, RowRule, Verdict
from .fields import Field, Kind
from .quo.provider import Quo
from .travtus.provider import Travtus

PROVIDERS: dict[str, type[Provider]] = {
    Travtus.name: Travtus,
    Quo.name: Quo,
}


def get_provider(name: str) -> Provider:
    """The provider called ``name``; a ``UsageError`` naming the choices otherwise."""
    try:
        return PROVIDERS[name.strip().lower()]()
    except KeyError:
        raise UsageError(f"Unknown provider {name!r}: choose one of {', '.join(PROVIDERS)}.") from None


__all__ = ["PROVIDERS", "Field", "Kind", "Provider", "Reply", "RowRule", "Verdict", "get_provider"]
