"""References: fields whose value names a record of the provider's workspace, and how they are looked up.

A provider lists its reference fields in ``Provider.references`` and names its look-ups in
``Provider.lookups`` (``"package.module:Class"``, a ``Lookups``), loaded only when a run can reach
the workspace. What goes in and out is plain data: a ``Want`` per distinct value (within its scope),
a ``Resolution`` back (``Found`` or a sentence), so that shaping the payloads needs no HTTP.
A provider without look-ups leaves both empty and needs nothing else.
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Reference:
    """A field that names a record of the workspace.

    ``kind`` names the records (``"phone number"``, ``"unit"``); ``by`` which attribute the cell
    gives (``"id"``, ``"external_ref"``; ``"any"``: an ID or whatever ``accepts`` says). ``scope``:
    fields naming the record it is looked up within (a unit within the row's group; the first
    filled one counts). ``accepts``: what a cell may hold besides an ID, which only a look-up turns
    into the ID (so ``--offline`` cannot use it).
    """

    kind: str
    by: str = "id"
    scope: tuple[str, ...] = ()
    accepts: str = ""


@dataclass(frozen=True, order=True)
class Want:
    """One distinct value to look up: a field, the value as typed, and its scope (field, value)."""

    field: str
    value: str
    scope: tuple[str, str] | None = None


@dataclass(frozen=True)
class Found:
    """What a value resolved to: ``id`` goes in the payload, ``label`` is how people know it."""

    id: str
    label: str = ""


@dataclass
class Resolution:
    """The outcome of the look-ups: each want ``found`` or ``missing`` (a sentence: what the workspace has)."""

    found: dict[Want, Found] = field(default_factory=dict)
    missing: dict[Want, str] = field(default_factory=dict)
    #: Some missing wants → the workspace's values to choose from instead: (the value to type, how people know it).
    choices: dict[Want, list[tuple[str, str]]] = field(default_factory=dict)
    #: Requests made to the provider for these look-ups.
    requests: int = 0


class LookupClient(Protocol):
    """How look-ups talk to the provider: read-only requests, paced, retried, authenticated.

    Both calls return ``(status, decoded JSON body)`` for a 200 or a 404 (nothing matches); any
    other answer, and a failure that concerns every row (credentials refused, host unreachable),
    raises ``errors.LookupUnavailable`` instead.
    """

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> tuple[int, Any]:
        """``GET path?params``."""
        ...

    async def find(self, path: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        """A read-only ``POST path`` with a JSON body (a search)."""
        ...

    def progress(self, text: str) -> None:
        """Tell the user what is being looked up (``Looking up 312 units…``)."""
        ...


class Lookups(ABC):
    """A provider's look-ups. ``phone_region``: the country of phone numbers typed without +code."""

    def __init__(self, phone_region: str = "US") -> None:
        self.phone_region = phone_region

    @abstractmethod
    async def resolve(self, client: LookupClient, wants: Collection[Want]) -> Resolution:
        """Look every want up (each distinct value once, batched where the API allows)."""


def did_you_mean(value: str, seen: Iterable[str], *, key: Any = str.lower) -> str:
    """``; did you mean 'X'?`` for the closest of ``seen`` to ``value``, or nothing."""
    choices = {key(choice): choice for choice in seen if choice}
    close = difflib.get_close_matches(key(value), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {choices[close[0]]!r}?" if close else ""


#: Values offered for one unknown reference, at most.
MAX_CHOICES = 50


def listed(items: list[str], limit: int = 5) -> str:
    """``a, b, c`` and ``and N more`` past ``limit``."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
