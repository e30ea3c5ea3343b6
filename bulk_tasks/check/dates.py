"""Dates as people type them → naive datetimes: every written form bulk-tasks reads, and why one is not read.

The forms (each with an optional time after it: ``09:30``, ``9:30 pm``, ``9am``):

- ISO 8601: ``2026-12-03``, ``2026-12-03 09:30``, ``2026-12-03T09:30:00+01:00``, ``20261203``,
  ``2026-W49-4``, and the ordinal ``2026-337`` (day 337 of 2026);
- slashed numbers: ``12/3/2026``, ``12/3/26`` (month first; ``--dayfirst``: day first);
- English month names, any case, the weekday and commas optional: ``December 3, 2026``,
  ``Dec 3 2026``, ``3 Dec 2026``, ``Thursday, December 3, 2026``, and Excel's ``3-Dec-26``.

Two-digit years pivot as Excel's do: ``00``–``29`` are 2000–2029, ``30``–``99`` are 1930–1999.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

#: Two-digit years below this are 20xx, the others 19xx (Excel's pivot).
TWO_DIGIT_PIVOT = 30
MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], start=1) for name in names}
WEEKDAYS = {name: number for number, names in enumerate(
    [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thur", "thurs"),
     ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun")]) for name in names}
#: Words people put where a date belongs; each is refused with a sentence saying a date is needed.
RELATIVE_WORDS = frozenset({
    "today", "tomorrow", "yesterday", "tonight", "now", "asap", "soon", "tbd", "tbc", "tba", "eod", "eow",
    "eom", "urgent", "later", "next week", "this week", "next month", "end of day", "end of week",
    "end of month", "n/a", "na", "none", "-", "?",
})

#: Every written form, with examples: for the template's "How to fill" sheet (the README lists the same).
WRITTEN_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ISO 8601", ("2026-12-03", "2026-12-03 09:30", "2026-12-03T09:30:00+01:00", "20261203", "2026-W49-4",
                  "2026-337")),
    ("month/day/year (day/month/year with --dayfirst)", ("12/3/2026", "12/3/26")),
    ("English month names, any case, weekday and commas optional",
     ("December 3, 2026", "Dec 3 2026", "3 Dec 2026", "Thursday, December 3, 2026")),
    ("Excel's d-mmm-yy", ("3-Dec-26",)),
    ("any of these with a time", ("12/3/2026 9am", "12/3/2026 9:30 pm", "Dec 3, 2026 14:30", "2026-12-03 9am")),
)
PIVOT_SENTENCE = ("Two-digit years as in Excel: 00 to 29 are 2000 to 2029, 30 to 99 are 1930 to 1999. "
                  "A date without a year (Dec 3, 12/8) or a word (tomorrow, ASAP) is refused.")

_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?P<weekday>[a-z]{3,9})\.?,?\s+)?"
_TIME = (r"(?:(?:[ T]|,?\s+(?:at\s+)?)(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
         r"\s*(?P<ampm>[ap]\.?m\.?)?)?")
_FORMS = [re.compile(form + _TIME, re.IGNORECASE) for form in (
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4}|\d{2})",
    _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+(?P<year>\d{4})",
    _WEEKDAY + _DAY + r"\s+" + _MONTH + r",?\s+(?P<year>\d{4})",
    _DAY + r"-" + _MONTH + r"-(?P<year>\d{4}|\d{2})",
    r"(?P<ordinal_year>\d{4})-(?P<ordinal>\d{3})",
    r"(?P<iso_year>\d{4})-(?P<iso_month>\d{2})-(?P<iso_day>\d{2})",
)]
_NO_YEAR = [re.compile(form, re.IGNORECASE) for form in (
    r"\d{1,2}/\d{1,2}", _WEEKDAY + _MONTH + r"\s+" + _DAY, _WEEKDAY + _DAY + r"\s+" + _MONTH,
    _DAY + r"-" + _MONTH,
)]
_ISO_BASIC = re.compile(r"\d{8}(?:T[\d:.,]+(?:Z|[+-][\d:]+)?)?|\d{4}-?W\d{2}-?\d(?:[ T].*)?", re.IGNORECASE)
_TIME_WRITTEN = re.compile(r":|\d\s*[ap]\.?m\.?$|\dT\d", re.IGNORECASE)
_RELATIVE_PREFIX = re.compile(r"(?:next|this|last|by|before|end of)\s+\w+", re.IGNORECASE)


def parse_iso(text: str) -> datetime | None:
    """``text`` in ISO 8601's extended form (``2026-12-03``, ``2026-12-03T09:30:00Z``): the fast path."""
    if not text[:4].isdigit() or len(text) < 10 or text[4] != "-":
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def readings(text: str, dayfirst: bool) -> tuple[datetime | None, datetime | None]:
    """``text`` read as ``dayfirst`` says, and, for a slashed date, read the other way round (else None)."""
    moment = parse_iso(text)
    if moment is not None:
        return moment, None
    if "/" in text:
        return slashed_readings(text, dayfirst)
    if _ISO_BASIC.fullmatch(text):
        try:
            return datetime.fromisoformat(text), None
        except ValueError:
            return None, None
    for form in _FORMS[1:]:
        match = form.fullmatch(text.strip())
        if match is not None:
            return _read(match)
    return None, None


def slashed_readings(text: str, dayfirst: bool) -> tuple[datetime | None, datetime | None]:
    """A slashed date (``12/3/2026``) read as ``dayfirst`` says and the other way round; (None, None) for
    any other text."""
    match = _FORMS[0].fullmatch(text.strip())
    if match is None:
        return None, None
    clock = _clock(match)
    if clock is None:
        return None, None
    year, first, second = full_year(match["year"]), int(match["a"]), int(match["b"])
    month_first, day_first = _moment(year, first, second, clock), _moment(year, second, first, clock)
    return (day_first, month_first) if dayfirst else (month_first, day_first)


def has_time(text: str) -> bool:
    """Whether ``text`` (a date ``readings`` reads) says a time of day, not only a date."""
    return _TIME_WRITTEN.search(text) is not None


def missing_year(text: str) -> bool:
    """Whether ``text`` is a day and a month without a year (``Dec 3``, ``12/8``)."""
    return any(_month_ok(match) for form in _NO_YEAR if (match := form.fullmatch(text.strip())))


def relative_word(text: str) -> bool:
    """Whether ``text`` is a word standing for a date (``tomorrow``, ``ASAP``, ``next Friday``)."""
    key = " ".join(text.lower().rstrip("!. ").split())
    return key in RELATIVE_WORDS or key in WEEKDAYS or _RELATIVE_PREFIX.fullmatch(key) is not None


def wrong_weekday(text: str) -> tuple[str, str] | None:
    """(the weekday written, the date's real weekday) when they differ (``Friday, December 3, 2026``)."""
    for form in _FORMS[1:3]:
        match = form.fullmatch(text.strip())
        if match and match["weekday"] and match["weekday"].lower() in WEEKDAYS:
            moment = _read(match, check_weekday=False)[0]
            if moment is not None and moment.weekday() != WEEKDAYS[match["weekday"].lower()]:
                return match["weekday"], f"{moment:%A}"
    return None


def full_year(year: str) -> int:
    """A written year as four digits: ``26`` → 2026, ``95`` → 1995 (``TWO_DIGIT_PIVOT``)."""
    number = int(year)
    if len(year) != 2:
        return number
    return number + (2000 if number < TWO_DIGIT_PIVOT else 1900)


def _month_ok(match: re.Match[str]) -> bool:
    groups = match.groupdict()
    month, weekday = groups.get("month"), groups.get("weekday")
    return ((month is None or month.lower() in MONTHS)
            and (weekday is None or weekday.lower() in WEEKDAYS))


def _read(match: re.Match[str], check_weekday: bool = True) -> tuple[datetime | None, datetime | None]:
    groups = match.groupdict()
    clock = _clock(match)
    if clock is None or not _month_ok(match):
        return None, None
    if groups.get("ordinal"):
        start = _moment(int(groups["ordinal_year"]), 1, 1, clock)
        day = int(groups["ordinal"])
        if start is None or not 1 <= day <= (366 if _moment(start.year, 2, 29, clock) else 365):
            return None, None
        return start + timedelta(days=day - 1), None
    if groups.get("iso_year"):
        return _moment(int(groups["iso_year"]), int(groups["iso_month"]), int(groups["iso_day"]), clock), None
    year = full_year(groups["year"])
    moment = _moment(year, MONTHS[groups["month"].lower()], int(groups["day"]), clock)
    weekday = groups.get("weekday")
    if moment is not None and check_weekday and weekday and moment.weekday() != WEEKDAYS[weekday.lower()]:
        return None, None
    return moment, None


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    """(hour, minute, second) of the written time (midnight when none); None for an impossible one."""
    hour, minute, second, ampm = match.group("hour", "minute", "second", "ampm")
    if hour is None:
        return 0, 0, 0
    hours = int(hour)
    if ampm:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if ampm[0] in "pP" else 0)
    elif minute is None:
        return None  # "3 Dec 2026 9" says no time a person would write
    return hours, int(minute) if minute else 0, int(second) if second else 0


def _moment(year: int, month: int, day: int, clock: tuple[int, int, int]) -> datetime | None:
    try:
        return datetime(year, month, day, *clock)
    except ValueError:
        return None
