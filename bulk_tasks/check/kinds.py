"""What each kind of field means, in one table: its format hint, its rule, how a cell is read, how it is sent.

``KINDS[field.kind]`` is asked by the templates (hint, Excel number format), by validation (rule,
reader) and by payload building (reader, then the provider's form). A new kind is one entry here.
Dates and phone numbers are read through the run's ``ValueReader``, whose caches read each distinct
text once for validation and payloads together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..providers.fields import Field, Kind

if TYPE_CHECKING:
    from ..providers.base import Provider
    from .values import ValueReader

#: Reads one cell's text: the value to send, or None when the text is not valid for the field.
Reader = Callable[[str], Any]

TEXT_FORMAT = "@"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class KindBehaviour:
    """One kind's behaviour. ``reader`` is None when any text is valid; ``converts``: the value sent is not
    the cell's text (a canonical choice, the provider's date format, E.164), so payloads use the reader."""

    hint: Callable[[Field], str]
    rule: Callable[[Field, bool], str | None]
    reader: Callable[[Field, Provider, ValueReader], Reader | None]
    converts: bool = False
    excel_format: str = TEXT_FORMAT


def _enum_reader(spec: Field, provider: Provider, values: ValueReader) -> Reader:
    from .values import parse_enum

    return lambda text: parse_enum(text, spec.choices)


def _datetime_reader(spec: Field, provider: Provider, values: ValueReader) -> Reader:
    def as_api_datetime(text: str) -> str | None:
        moment = values.datetime(text)
        return None if moment is None else provider.format_datetime(moment, values.timezone)
    return as_api_datetime


def _email_reader(spec: Field, provider: Provider, values: ValueReader) -> Reader:
    from .values import is_email

    return lambda text: text if is_email(text) else None


def _id_reader(spec: Field, provider: Provider, values: ValueReader) -> Reader | None:
    prefix = spec.prefix
    if not prefix or looked_up(provider, spec):  # any text: the workspace says what it names
        return None
    return lambda text: text if text.startswith(prefix) else None


def looked_up(provider: Provider, spec: Field) -> bool:
    """Whether ``spec`` takes, besides an ID, values only a look-up in the workspace turns into one."""
    reference = provider.references.get(spec.name)
    return reference is not None and bool(reference.accepts)


def _datetime_rule(spec: Field, dayfirst: bool) -> str:
    slashed, note = ("1/12/2026 9:00 AM", "day first, as --dayfirst reads; ") if dayfirst else ("12/1/2026 9:00 AM", "")
    return (f"is not a date bulk-tasks can read: write it like 2026-12-01, 2026-12-01 09:00, {slashed} or "
            f"December 1, 2026 ({note}a real calendar date)")


KINDS: dict[Kind, KindBehaviour] = {
    Kind.TEXT: KindBehaviour(
        hint=lambda spec: "text",
        rule=lambda spec, dayfirst: None,
        reader=lambda spec, provider, values: None),
    Kind.ID: KindBehaviour(
        hint=lambda spec: f"an ID starting with {spec.prefix}" if spec.prefix else "text",
        rule=lambda spec, dayfirst: (f"must start with {spec.prefix} (an ID such as {spec.prefix}123abc)"
                                     if spec.prefix else None),
        reader=_id_reader),
    Kind.ENUM: KindBehaviour(
        hint=lambda spec: "one of: " + ", ".join(spec.choices),
        rule=lambda spec, dayfirst: "must be one of: " + ", ".join(spec.choices),
        reader=_enum_reader,
        converts=True),
    Kind.DATETIME: KindBehaviour(
        hint=lambda spec: "a date, or a date and time (2026-12-01 09:00, 12/1/2026 9:00 AM, Dec 1, 2026 9am)",
        rule=_datetime_rule,
        reader=_datetime_reader,
        converts=True,
        excel_format=DATETIME_FORMAT),
    Kind.PHONE: KindBehaviour(
        hint=lambda spec: "a phone number (+14155550100, or a local number in the --phone-region)",
        rule=lambda spec, dayfirst: ("is not a valid phone number: write it like +14155550100, "
                                     "or a local number of --phone-region"),
        reader=lambda spec, provider, values: values.phone,
        converts=True),
    Kind.EMAIL: KindBehaviour(
        hint=lambda spec: "an email address",
        rule=lambda spec, dayfirst: "is not an email address: write it like name@example.com",
        reader=_email_reader),
}


#: Words people write for a choice of a fixed list (a priority scale), offered as "did you mean" only, never
#: read as that choice: the choice → its synonyms and abbreviations, compared without case or punctuation.
ENUM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "very_high": ("urgent", "critical", "asap", "emergency", "immediate", "top", "highest", "p1"),
    "high": ("hi", "important", "higher", "p2"),
    "normal": ("med", "medium", "mid", "middle", "moderate", "standard", "regular", "average", "p3"),
    "low": ("lo", "minor", "lowest", "lower", "trivial", "p4"),
}


def synonym_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice of ``choices`` that ``text`` is a synonym of (``Urgent!!`` → ``very_high``), or None."""
    key = "".join(char for char in text.casefold() if char.isalnum())
    return next((choice for choice in choices if key in ENUM_SYNONYMS.get(choice, ())), None)


def format_hint(field: Field, provider: Provider | None = None) -> str:
    """A short phrase telling a person what to type in ``field``'s cell (with ``provider``: what its
    look-ups accept besides an ID, such as a phone number or an e-mail)."""
    hint = KINDS[field.kind].hint(field)
    reference = provider.references.get(field.name) if provider is not None else None
    if reference is not None and reference.accepts:
        return f"{reference.accepts}, or {hint}"
    return hint
