"""Synthetic, valid inputs for the benchmarks: Travtus and Quo sheets of any size, CSV or XLSX.

Deterministic (row ``i`` is always the same). Two Travtus shapes:

- ``travtus``: a monthly maintenance load where most columns repeat a few hundred values (a unique
  task reference per row, 300 properties, 200 staff, a month of due dates, a resident's phone on
  one row in four, 10,000 distinct numbers), so per-distinct-value work is cheap;
- ``travtus-varied``: 9 columns that are mostly distinct (issue 13): 20,000 group refs, a unique task
  ref, a unique title, a description that differs per row, due date-times to the minute over a
  month, importance, 50 assignee e-mails, a first name, 5,000 zero-padded unit refs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

TRAVTUS_HEADER = ["Property", "Unit", "Task Ref", "Title", "Description", "Due Date", "Priority",
                  "Assignee Email", "Assignee First Name", "Resident First Name", "Resident Phone",
                  "Building Manager"]
VARIED_HEADER = ["Group Ref", "Task Ref", "Title", "Description", "Due Date", "Priority", "Assignee Email",
                 "Assignee First Name", "Unit"]
QUO_HEADER = ["Title", "Description", "Due Date", "phoneNumberId", "Assigned To"]
_TITLES = ("Replace HVAC filter", "Smoke detector test", "Inspect fire extinguisher", "Gutter cleaning",
           "Check water heater", "Test GFCI outlets", "Service elevator", "Repaint hallway")
_PRIORITIES = ("Normal", "high", "Low", "Very High", "normal")
_NAMES = ("Emily", "Marcus", "Priya", "Jordan", "Sofia", "Liam", "Chen", "Amara")


def travtus_row(i: int) -> list[str]:
    """Row ``i`` (0-based) of a valid Travtus sheet with ``TRAVTUS_HEADER``."""
    prop = f"PROP-{i % 300:03d}"
    day, hour = 1 + i % 28, 8 + i % 10
    due = f"2026-12-{day:02d} {hour:02d}:{(i % 4) * 15:02d}" if i % 3 else f"12/{day}/2026 {hour % 12 or 12}:00 {'AM' if hour < 12 else 'PM'}"
    phone = f"+1415555{i % 10_000:04d}" if i % 4 == 0 else ""
    return [prop, f"{prop}-U{i % 120:03d}", f"MAINT-{i:08d}", _TITLES[i % len(_TITLES)],
            f"Routine check #{i % 997}: see the unit's checklist and note the date.", due,
            _PRIORITIES[i % len(_PRIORITIES)], f"tech{i % 200}@oakwoodpm.example.com",
            _NAMES[i % len(_NAMES)], _NAMES[(i // 7) % len(_NAMES)] if phone else "", phone,
            f"R. Manager {i % 50}"]


_VERBS = ("Replace", "Inspect", "Repair", "Clean", "Test", "Service", "Repaint", "Check", "Adjust", "Seal")
_THINGS = ("HVAC filter", "smoke detector", "water heater", "GFCI outlet", "window latch", "door closer",
           "dishwasher hose", "bathroom fan", "gutter", "thermostat", "faucet cartridge", "garbage disposal")
_FIRST = ("Emily", "Marcus", "Priya", "Jordan", "Sofia", "Liam", "Chen", "Amara", "Noah", "Fatima", "Olivia",
          "Mateo", "Aisha", "Lucas", "Hana", "Diego", "Zoe", "Ivan", "Mei", "Omar")


def _mix(i: int) -> int:
    """A well-spread deterministic 32-bit number for row ``i``."""
    x = (i * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 2246822519) & 0xFFFFFFFF
    return x ^ (x >> 13)


def varied_row(i: int) -> list[str]:
    """Row ``i`` (0-based) of a valid Travtus sheet with ``VARIED_HEADER``, its columns mostly distinct."""
    h = _mix(i)
    minute = h % (30 * 24 * 60)
    day, hour, minute = 1 + minute // 1440, minute // 60 % 24, minute % 60
    due = (f"2026-11-{day:02d} {hour:02d}:{minute:02d}" if h % 3
           else f"11/{day}/2026 {hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}")
    verb, thing = _VERBS[h % len(_VERBS)], _THINGS[(h >> 4) % len(_THINGS)]
    return [f"GRP-{h % 20_000:05d}", f"WO-{i:09d}", f"{verb} {thing} #{i}",
            f"{verb} the {thing} in unit {h % 5_000:05d}; ticket {h % 1_000_003} reported on day {day}, "
            f"access code {(h >> 8) % 10_000:04d}.",
            due, _PRIORITIES[(h >> 3) % len(_PRIORITIES)], f"tech{(h >> 5) % 50:02d}@northwind-pm.example.com",
            _FIRST[(h >> 7) % len(_FIRST)], f"{h % 5_000:05d}"]


#: The sandbox's demo Quo workspace (its references are looked up before sending).
DEMO_NUMBERS = ("PNk3Ra9XwQ2m", "PNt7Ld4HcV8z")
DEMO_USERS = ("USm2Fq8KpL", "USr7Tc3VnB", "USa9Gh2JkD", "USb4Nn6WqT", "USc8Lp3ZrM")


def quo_row(i: int) -> list[str]:
    """Row ``i`` (0-based) of a valid Quo sheet with ``QUO_HEADER``; every row differs."""
    day, hour = 1 + i % 28, 8 + i % 10
    return [f"Follow up #{i}", f"Call back about ticket {i}; confirm the fix.",
            f"2026-12-{day:02d} {hour:02d}:{(i % 4) * 15:02d}", DEMO_NUMBERS[i % 2], DEMO_USERS[i % 5]]


_SHAPES = {"travtus": (TRAVTUS_HEADER, travtus_row), "travtus-varied": (VARIED_HEADER, varied_row),
           "quo": (QUO_HEADER, quo_row)}


def rows(shape: str, count: int) -> Iterator[list[str]]:
    """``count`` data rows of ``shape`` (``travtus``, ``travtus-varied`` or ``quo``)."""
    make = _SHAPES[shape][1]
    return (make(i) for i in range(count))


def header(shape: str) -> list[str]:
    """The header row of ``shape``."""
    return _SHAPES[shape][0]


def provider_of(shape: str) -> str:
    """The provider a shape's sheets are for."""
    return shape.split("-")[0]


def write_csv(path: Path, shape: str, count: int) -> Path:
    """A UTF-8 CSV of ``count`` valid rows; reused when it already exists."""
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(shape))
        writer.writerows(rows(shape, count))
    partial.rename(path)
    return path


def write_xlsx(path: Path, shape: str, count: int) -> Path:
    """An XLSX of ``count`` valid rows (written in openpyxl's streaming mode); reused when it exists."""
    if path.exists():
        return path
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tasks")
    sheet.append(header(shape))
    for row in rows(shape, count):
        sheet.append([value or None for value in row])
    partial = path.with_name(path.stem + ".partial.xlsx")
    workbook.save(partial)
    partial.rename(path)
    return path
