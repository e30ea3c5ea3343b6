"""What a provider's request body is made of, field by field: the names, kinds and help a sheet is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """How a field's cell text is read and checked."""

    TEXT = "text"
    ID = "id"
    ENUM = "enum"
    DATETIME = "datetime"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Field:
    """One field of the provider's request body, as the user fills it in a sheet.

    ``name`` is the API name; a dotted name (``assignee.email_address``) is a key of a nested object.
    """

    name: str
    kind: Kind = Kind.TEXT
    help: str = ""
    example: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    prefix: str = ""

    @property
    def words(self) -> str:
        """The field's name in words (``assignee.email_address``: ``Assignee email address``)."""
        text = self.name.replace(".", " ").replace("_", " ")
        text = "".join(f" {ch.lower()}" if ch.isupper() and i and text[i - 1].islower() else ch
                       for i, ch in enumerate(text))
        return text[:1].upper() + text[1:]

    @property
    def path(self) -> tuple[str, ...]:
        """The keys leading to this field in the JSON payload."""
        return tuple(self.name.split("."))
