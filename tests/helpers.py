"""Small helpers shared by tests: write real CSV/XLSX files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    """A real CSV file with ``header`` then ``rows``."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]], title: str = "Tasks") -> Path:
    """A real XLSX file with one sheet holding ``header`` then ``rows``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path
