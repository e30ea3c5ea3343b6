"""Cell text → typed values: dates, time zones, phone numbers, enumerations, e-mail addresses.

Every parser takes one cell's trimmed text and returns the value or ``None`` when the text cannot be
read. ``map_unique`` applies a parser to a column once per distinct value, so a million rows with a
few hundred distinct dates cost a few hundred parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timezone, tzinfo
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import phonenumbers

from .errors import UsageError

T = TypeVar("T")

_SLASH_DATE = re.compile(
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})"
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?"
)
_LONG_YEAR = re.compile(r"\d{5,}-\d{1,2}-\d{1,2}(?:[ T].*)?|\d{1,2}/\d{1,2}/\d{5,}(?:[ T].*)?", re.DOTALL)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: The dates bulk-tasks accepts: Excel's calendar, which is also what every provider can take.
EARLIEST_YEAR, LATEST_YEAR = 1900, 9999
#: What Excel shows in a cell whose formula failed; a CSV export writes the same text.
EXCEL_ERRORS = frozenset({
    "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!", "#FIELD!",
    "#GETTING_DATA", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
})
_ENUM_SEPARATORS = re.compile(r"[\s\-_]+")


def load_timezone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; a ``UsageError`` with a hint otherwise."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise UsageError(
            f"Unknown time zone {name!r} for --timezone: use an IANA name such as "
            "UTC, America/New_York or Europe/London."
        ) from None


def check_phone_region(region: str) -> str:
    """``region`` upper-cased if it is a region phonenumbers knows; a ``UsageError`` otherwise."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(f"Unknown --phone-region {region!r}: use a two-letter country code such as US, GB or DE.")
    return code


def parse_datetime(text: str, tz: tzinfo, dayfirst: bool = False) -> datetime | None:
    """An aware datetime from ISO 8601, ``YYYY-MM-DD HH:MM[:SS]`` or ``M/D/YYYY [h:mm[:ss] [AM|PM]]``.

    A date alone means midnight; a value without an offset is in ``tz``. ``None`` for a date written
    outside the years 1900 to 9999, or that leaves year 9999 once moved to ``tz`` or to UTC.
    """
    moment = _parse_any(text, tz, dayfirst)
    return moment if moment is not None and _in_range(moment, tz) else None


def is_date_out_of_range(text: str, tz: tzinfo, dayfirst: bool = False) -> bool:
    """Whether ``text`` is written like a date but falls outside the years 1900 to 9999."""
    if _LONG_YEAR.fullmatch(text):
        return True
    moment = _parse_any(text, tz, dayfirst)
    return moment is not None and not _in_range(moment, tz)


def _parse_any(text: str, tz: tzinfo, dayfirst: bool) -> datetime | None:
    moment = _parse_iso(text) or _parse_slashed(text, dayfirst)
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _in_range(moment: datetime, tz: tzinfo) -> bool:
    """Written within the years 1900 to 9999, and still a date once moved to ``tz`` and to UTC."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return False
    try:
        moment.astimezone(tz), moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return False
    return True


def _parse_iso(text: str) -> datetime | None:
    if not text[:4].isdigit() or len(text) < 10 or text[4] != "-":
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_slashed(text: str, dayfirst: bool) -> datetime | None:
    match = _SLASH_DATE.fullmatch(text)
    if match is None:
        return None
    month, day = int(match["a"]), int(match["b"])
    if dayfirst:
        month, day = day, month
    hour, minute, second = (int(match[key] or 0) for key in ("hour", "minute", "second"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    try:
        return datetime.combine(datetime(int(match["year"]), month, day).date(), time(hour, minute, second))
    except ValueError:
        return None


def parse_phone(text: str, region: str) -> str | None:
    """``text`` as an E.164 number, reading numbers without a country code in ``region``."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_scientific(text: str) -> bool:
    """Whether ``text`` is a number in scientific notation, as Excel shows long numbers (``4.15555E+09``)."""
    return _SCIENTIFIC.fullmatch(text) is not None


def excel_error(text: str) -> str | None:
    """The Excel error value ``text`` is (``#N/A``, ``#REF!`` …), upper-cased, or ``None``."""
    if not text.startswith("#"):
        return None
    code = text.upper()
    return code if code in EXCEL_ERRORS else None


def enum_key(text: str) -> str:
    """The comparison key of an enumeration value: lower case, spaces and dashes as ``_``."""
    return _ENUM_SEPARATORS.sub("_", text.strip().lower())


def parse_enum(text: str, choices: Iterable[str]) -> str | None:
    """The choice ``text`` names, case- and space-insensitively (``Very High`` → ``very_high``)."""
    key = enum_key(text)
    return next((choice for choice in choices if enum_key(choice) == key), None)


def is_email(text: str) -> bool:
    """Whether ``text`` looks like one e-mail address."""
    return _EMAIL.fullmatch(text) is not None


@dataclass
class ValueReader:
    """How to read values in one run (``--timezone``, ``--dayfirst``, ``--phone-region``), with caches."""

    timezone: tzinfo = field(default_factory=lambda: ZoneInfo("UTC"))
    dayfirst: bool = False
    phone_region: str = "US"

    def __post_init__(self) -> None:
        self.datetime = lru_cache(maxsize=1 << 16)(self._datetime)
        self.phone = lru_cache(maxsize=1 << 16)(self._phone)

    def _datetime(self, text: str) -> datetime | None:
        return parse_datetime(text, self.timezone, self.dayfirst)

    def _phone(self, text: str) -> str | None:
        return parse_phone(text, self.phone_region)


def empty_column(index: pd.Index) -> pd.Series:
    """A column of ``None`` (not NaN) over ``index``."""
    return pd.Series([None] * len(index), index=index, dtype=object)


def map_unique(column: pd.Series, parse: Callable[[str], T | None]) -> pd.Series:
    """``parse`` applied once per distinct non-empty value of ``column``; empty cells stay NA."""
    codes, distinct = pd.factorize(column, use_na_sentinel=True)
    if not len(distinct):
        return empty_column(column.index)
    parsed = np.empty(len(distinct) + 1, dtype=object)  # the last slot is for code -1: empty cells
    for at, value in enumerate(distinct.tolist()):
        parsed[at] = parse(value)
    return pd.Series(parsed[codes], index=column.index, dtype=object)
