"""The sandbox's demo Quo workspace: its phone numbers and users (listed in the README, used by the samples)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class QuoUser:
    """A user of the workspace, as ``GET /v1/users`` lists it."""

    id: str
    email: str
    firstName: str
    lastName: str
    role: str = "member"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"id": self.id, "email": self.email, "firstName": self.firstName, "lastName": self.lastName,
                "role": self.role}


@dataclass(frozen=True)
class QuoNumber:
    """A phone number of the workspace; ``users``: the IDs of the people who can use it."""

    id: str
    number: str
    formattedNumber: str
    name: str
    users: tuple[str, ...] = ()
    groupId: str = "GRdemo"


@dataclass
class QuoWorkspace:
    """Numbers and users; ``number_dicts`` is the ``data`` of ``GET /v1/phone-numbers``."""

    numbers: list[QuoNumber] = field(default_factory=list)
    users: list[QuoUser] = field(default_factory=list)

    def user(self, user_id: str) -> QuoUser | None:
        """The user with this ID."""
        return next((user for user in self.users if user.id == user_id), None)

    def number_dicts(self) -> list[dict[str, Any]]:
        """Every number with its users, as Quo lists them."""
        return [{"id": n.id, "number": n.number, "formattedNumber": n.formattedNumber, "name": n.name,
                 "groupId": n.groupId,
                 "users": [user.as_dict() for uid in n.users if (user := self.user(uid)) is not None]}
                for n in self.numbers]


def demo_workspace() -> QuoWorkspace:
    """The demo workspace: two numbers, and five users (three of them on no number)."""
    users = [
        QuoUser("USm2Fq8KpL", "maya.chen@example.com", "Maya", "Chen", "owner"),
        QuoUser("USr7Tc3VnB", "ravi.patel@example.com", "Ravi", "Patel"),
        QuoUser("USa9Gh2JkD", "alex.gomez@example.com", "Alex", "Gómez"),
        QuoUser("USb4Nn6WqT", "sam.okafor@example.com", "Sam", "Okafor"),
        QuoUser("USc8Lp3ZrM", "jo.lindqvist@example.com", "Jo", "Lindqvist", "admin"),
    ]
    numbers = [
        QuoNumber("PNk3Ra9XwQ2m", "+14155550100", "(415) 555-0100", "Main line", ("USm2Fq8KpL", "USr7Tc3VnB")),
        QuoNumber("PNt7Ld4HcV8z", "+12125550199", "(212) 555-0199", "Leasing NYC", ("USr7Tc3VnB",)),
    ]
    return QuoWorkspace(numbers, users)
