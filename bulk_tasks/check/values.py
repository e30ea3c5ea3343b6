"""Cell text → typed values: dates, time zones, phone numbers, enumerations, e-mail addresses.

Every parser takes one cell's trimmed text and returns the value or ``None`` when the text cannot be
read. ``map_unique`` applies a parser to a column once per distinct value, so a million rows with a
few hundred distinct dates cost a few hundred parses.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import phonenumbers

from ..errors import UsageError
from .dates import has_time, parse_iso, readings, slashed_readings

T = TypeVar("T")

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


def local_timezone_name() -> str | None:
    """The IANA name of this computer's time zone, or ``None`` when none can be found.

    tzlocal reads it where the system keeps it: the ``TZ`` environment variable, ``/etc/localtime``
    and its kin on Linux and macOS, the registry on Windows (mapped to an IANA name).
    """
    import tzlocal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tzlocal.reload_localzone()
        except Exception:  # noqa: BLE001 - a broken configuration: the name alone may still be found
            pass
        try:
            name = tzlocal.get_localzone_name()
            return ZoneInfo(name).key if name else None
        except Exception:  # noqa: BLE001 - tzlocal raises several types for a misconfigured machine
            return None


def check_phone_region(region: str) -> str:
    """``region`` upper-cased if it is a region phonenumbers knows; a ``UsageError`` otherwise."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(f"Unknown --phone-region {region!r}: use a two-letter country code such as US, GB or DE.")
    return code


def parse_datetime(text: str, tz: tzinfo, dayfirst: bool = False) -> datetime | None:
    """An aware datetime from any form ``dates`` reads (ISO 8601, ``M/D/YYYY [h:mm [AM|PM]]``,
    ``December 3, 2026``, …).

    A date alone means midnight; a value without an offset is in ``tz``. ``None`` for a date outside
    1900-01-01 to 9999-12-31, as written, in ``tz`` or in UTC.
    """
    moment = _parse_any(text, tz, dayfirst)
    return moment if moment is not None and _in_range(moment, tz) else None


def is_date_out_of_range(text: str, tz: tzinfo, dayfirst: bool = False) -> bool:
    """Whether ``text`` is written like a date but falls outside the years 1900 to 9999."""
    if _LONG_YEAR.fullmatch(text):
        return True
    moment = _parse_any(text, tz, dayfirst)
    return moment is not None and not _in_range(moment, tz)


def is_in_dst_gap(text: str, tz: tzinfo, dayfirst: bool = False) -> bool:
    """Whether ``text`` is a date and time without an offset that never happens in ``tz``: a local time
    skipped when clocks spring forward (02:30 on the day daylight saving time starts)."""
    moment = _parse_naive(text, dayfirst)
    return (moment is not None and moment.tzinfo is None and has_time(text)
            and not _exists(moment.replace(tzinfo=tz)))


def slashed_order(text: str) -> str | None:
    """How a ``D/D/YYYY`` date reads: ``"both"`` (month first and day first, differently: 1/2/2026),
    ``"month"`` or ``"day"`` (only that way: 2/13/2026, 13/2/2026), ``None`` otherwise."""
    month_first, day_first = slashed_readings(text, False)
    if month_first is not None and day_first is not None:
        return "both" if month_first != day_first else None
    if month_first is not None:
        return "month"
    return "day" if day_first is not None else None


def slashed_reading(text: str, dayfirst: bool) -> str:
    """A slashed date spelt out as read, ``2 January 2026``; ``""`` when it is not one."""
    moment = slashed_readings(text, dayfirst)[0]
    return "" if moment is None else f"{moment.day} {moment:%B} {moment.year}"


def _parse_naive(text: str, dayfirst: bool) -> datetime | None:
    return readings(text, dayfirst)[0]


def _parse_any(text: str, tz: tzinfo, dayfirst: bool) -> datetime | None:
    """``text`` as an aware datetime; a local time skipped by a DST change is ``None``, a repeated
    one is its first occurrence (``fold=0``). A date alone whose midnight is skipped (clocks that
    spring forward at midnight) is the first moment of that day."""
    return _localized(_parse_naive(text, dayfirst), text, tz)


def _localized(moment: datetime | None, text: str, tz: tzinfo) -> datetime | None:
    """``_parse_any`` of a value already parsed (``moment``, naive or aware) from ``text``."""
    if moment is None or moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=tz)
    if _exists(local):
        return local
    return local.astimezone(timezone.utc).astimezone(tz) if not has_time(text) else None


def _exists(local: datetime) -> bool:
    """Whether a local time is on the clock in its zone (not in a spring-forward gap)."""
    try:
        back = local.astimezone(timezone.utc).astimezone(local.tzinfo)
    except (OverflowError, ValueError):
        return True  # at the edge of the calendar: _in_range decides
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _in_range(moment: datetime, tz: tzinfo) -> bool:
    """From 1900-01-01 to 9999-12-31 as written, and still once moved to ``tz`` and to UTC (the forms the
    providers are sent)."""
    if EARLIEST_YEAR < moment.year < LATEST_YEAR:
        return True  # a zone moves a time by less than a day: only the first and last years are at the edge
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return False
    try:
        zoned, utc = moment.astimezone(tz), moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return False
    return zoned.year >= EARLIEST_YEAR and utc.year >= EARLIEST_YEAR


def parse_phone(text: str, region: str) -> str | None:
    """``text`` as an E.164 number, reading numbers without a country code in ``region``."""
    return phone_and_extension(text, region)[0]


def phone_and_extension(text: str, region: str) -> tuple[str | None, str]:
    """``text`` as an E.164 number and the extension written after it (``ext. 23``, ``x23``: ``"23"``), which
    E.164 has no place for; ``(None, "")`` when ``text`` is not a valid number."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, ""
    if not phonenumbers.is_valid_number(number):
        return None, ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number.extension or ""


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
    #: The options that changed a value read so far: ``timezone`` (a date without an offset),
    #: ``dayfirst`` (a date like 1/2/2026), ``phone_region`` (a phone number without +country code).
    used: set[str] = field(default_factory=set)
    #: Phone texts read so far that carry an extension (not sent: E.164 has none) → that extension.
    extensions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.datetime = lru_cache(maxsize=1 << 18)(self._datetime)
        self.phone = lru_cache(maxsize=1 << 16)(self._phone)

    def _datetime(self, text: str) -> datetime | None:
        """``parse_datetime``, noting in ``used`` whether the time zone or the day/month order mattered."""
        naive, other = parse_iso(text), None
        if naive is None:
            naive, other = readings(text, self.dayfirst)
        moment = _localized(naive, text, self.timezone)
        if moment is None or not _in_range(moment, self.timezone):
            return None
        if naive is not None and naive.tzinfo is None:
            self.used.add("timezone")
        if other is not None and other != naive:
            self.used.add("dayfirst")
        return moment

    def _phone(self, text: str) -> str | None:
        number, extension = phone_and_extension(text, self.phone_region)
        if number is not None and not text.lstrip().startswith("+"):
            self.used.add("phone_region")
        if number is not None and extension:
            self.extensions[text] = extension
        return number


def row_numbers(index: pd.Index) -> Sequence[int]:
    """The row numbers of ``index``: a ``range`` (no million int objects) when they follow each other."""
    if isinstance(index, pd.RangeIndex):
        return range(index.start, index.stop, index.step)
    return index.tolist()  # type: ignore[no-any-return]


def object_array(values: list[Any]) -> np.ndarray:
    """``values`` as a 1-D object array, never a 2-D one, whatever the values are."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


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
