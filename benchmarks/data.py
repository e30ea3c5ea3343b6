"""Synthetic, valid inputs for the benchmarks: Travtus and Quo sheets of any size, CSV or XLSX.

Deterministic (row ``i`` is always the same). The shape is that of a monthly maintenance load:
a unique task reference per row, a few hundred properties and staff, a month of due dates with
times, a resident's phone number on one row in four (10,000 distinct numbers).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

TRAVTUS_HEADER = ["Property", "Unit", "Task Ref", "Title", "Description", "Due Date", "Priority",
                  "Assignee Email", "Assignee First Name", "Resident First Name", "Resident Phone",
                  "Building Manager"]
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


def quo_row(i: int) -> list[str]:
    """Row ``i`` (0-based) of a valid Quo sheet with ``QUO_HEADER``; every row differs."""
    day, hour = 1 + i % 28, 8 + i % 10
    return [f"Follow up #{i}", f"Call back about ticket {i}; confirm the fix.",
            f"2026-12-{day:02d} {hour:02d}:{(i % 4) * 15:02d}", f"PNbench{i % 50:02d}", f"USbench{i % 20:02d}"]


def rows(provider: str, count: int) -> Iterator[list[str]]:
    """``count`` data rows for ``provider``."""
    make = travtus_row if provider == "travtus" else quo_row
    return (make(i) for i in range(count))


def header(provider: str) -> list[str]:
    """The header row for ``provider``."""
    return TRAVTUS_HEADER if provider == "travtus" else QUO_HEADER


def write_csv(path: Path, provider: str, count: int) -> Path:
    """A UTF-8 CSV of ``count`` valid rows; reused when it already exists."""
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(provider))
        writer.writerows(rows(provider, count))
    partial.rename(path)
    return path


def write_xlsx(path: Path, provider: str, count: int) -> Path:
    """An XLSX of ``count`` valid rows (written in openpyxl's streaming mode); reused when it exists."""
    if path.exists():
        return path
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tasks")
    sheet.append(header(provider))
    for row in rows(provider, count):
        sheet.append([value or None for value in row])
    partial = path.with_name(path.stem + ".partial.xlsx")
    workbook.save(partial)
    partial.rename(path)
    return path
