"""The sandbox's demo Travtus workspace: communities (groups), their units and people (the README lists them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

_NAMESPACE = uuid.UUID("6f1d3a52-2c8e-4b7a-9d10-3e5f7a9b1c2d")


def stable_id(*parts: str) -> str:
    """A UUID that is the same on every run for the same parts."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


@dataclass
class Community:
    """A group (property) with its units and people, as ``/communities/`` and the ``find`` calls list them."""

    community_id: str
    community_external_ref: str
    name: str
    timezone: str = "America/Los_Angeles"
    units: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``GET /communities/``."""
        return {"community_id": self.community_id, "community_external_ref": self.community_external_ref,
                "name": self.name, "timezone": self.timezone}


@dataclass
class TravtusWorkspace:
    """The communities of the workspace."""

    communities: list[Community] = field(default_factory=list)


def unit(group: str, external_ref: str) -> dict[str, Any]:
    """A unit of ``group`` with a stable identifier; its number is what follows the last ``-``."""
    return {"identifier": stable_id(group, "unit", external_ref), "external_ref": external_ref,
            "unit_number": external_ref.rsplit("-", 1)[-1]}


def person(group: str, external_ref: str, first: str, last: str, email: str = "", phone: str = "") -> dict[str, Any]:
    """A person of ``group`` with a stable identifier."""
    return {"identifier": stable_id(group, "person", external_ref), "external_ref": external_ref,
            "email_address": email or None, "first_name": first, "last_name": last, "phone_number": phone or None}


DEMO_PROPERTIES = {
    "PROP-OAK": ("Oakwood Apartments", ("OAK-101", "OAK-204", "OAK-312")),
    "PROP-ELM": ("Elm Street Lofts", ("ELM-2A", "ELM-3B")),
    "PROP-BAY": ("Bayview Terrace", ("BAY-0112", "BAY-0407")),
    "PROP-CED": ("Cedar Court", ("CED-12", "CED-14")),
}
#: Staff known in every property: (external_ref, first name, last name, e-mail).
DEMO_STAFF = (("EMP-0042", "Jordan", "Lee", "jordan.lee@oakwoodpm.example.com"),
              ("004417", "Ana", "Reyes", "ana.reyes@oakwoodpm.example.com"))
#: The group ID of Elm Street Lofts (the samples use it).
ELM_GROUP_ID = "3f6c2a9e-0d4b-4f7a-8e21-5b9c0d1e2f3a"


def demo_workspace() -> TravtusWorkspace:
    """Four properties, nine units, two staff members in each property."""
    communities = []
    for ref, (name, units) in DEMO_PROPERTIES.items():
        group_id = ELM_GROUP_ID if ref == "PROP-ELM" else stable_id("group", ref)
        staff = [person(ref, *member) for member in DEMO_STAFF]
        communities.append(Community(group_id, ref, name, units=[unit(ref, u) for u in units], persons=staff))
    return TravtusWorkspace(communities)
