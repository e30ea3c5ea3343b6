"""Property tests: whatever the bytes or the cell text, the outcome is a value or bulk-tasks' own error.

Never another exception: an unexpected one would reach the user as "internal problem".
"""

from __future__ import annotations

import csv
import io
import os
import re
import string
import zipfile
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bulk_tasks.api import validate_file
from bulk_tasks.errors import BulkTasksError, InputError
from bulk_tasks.providers import get_provider
from bulk_tasks.read.table import decode, read_table, sniff_delimiter
from bulk_tasks.check.values import (
    excel_error,
    is_date_out_of_range,
    looks_scientific,
    parse_datetime,
    parse_enum,
    parse_phone,
)

#: ``BULK_TASKS_EXAMPLES=5000`` for a long hunt; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("BULK_TASKS_EXAMPLES", "120"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ZONES = st.sampled_from(["UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Asia/Kathmandu", "Etc/GMT+12"])

cell_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
date_like = st.builds(
    lambda a, b, y, rest: f"{a}/{b}/{y}{rest}", st.integers(0, 99), st.integers(0, 99), st.integers(0, 99999),
    st.sampled_from(["", " 9:00", " 12:59 PM", " 13:00 AM", "T23:59:59"])) | st.builds(
    lambda y, m, d, rest: f"{y:04d}-{m:02d}-{d:02d}{rest}", st.integers(0, 99999), st.integers(0, 13),
    st.integers(0, 32), st.sampled_from(["", " 23:59", "T00:00:00Z", "T23:59:59-12:00", "T00:00+14:00"]))
valid_workbook = None


def _a_valid_workbook() -> bytes:
    global valid_workbook
    if valid_workbook is None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Title", "Description", "phoneNumberId", "Due Date"])
        sheet.append(["Call back", "Pricing", "PNk3Ra9XwQ2m", datetime(2026, 12, 1, 9)])
        out = io.BytesIO()
        book.save(out)
        valid_workbook = _frozen(out.getvalue())
    return valid_workbook


def _frozen(xlsx: bytes) -> bytes:
    """The same workbook with fixed time stamps, so that a byte position names the same byte in every run."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", body)
            target.writestr(zipfile.ZipInfo(info.filename, (2026, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def assert_value_or_own_error(path, provider="quo"):
    """``validate_file`` ends in a summary or a ``BulkTasksError`` with a sentence; never anything else."""
    try:
        summary = validate_file(path, provider, results=path.with_name("report.csv"))
    except BulkTasksError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        assert exc.exit_code == 2
        return None
    assert summary.exit_code in (0, 1)
    return summary


# --- any bytes ---------------------------------------------------------------------------------------

@FAST
@given(data=st.binary(max_size=600))
def test_any_bytes_as_csv(tmp_path, data):
    path = tmp_path / "any.csv"
    path.write_bytes(data)
    assert_value_or_own_error(path)


@FAST
@given(data=st.binary(max_size=600), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_any_bytes_as_xlsx(tmp_path, data, prefix):
    path = tmp_path / "any.xlsx"
    path.write_bytes(prefix + data)
    assert_value_or_own_error(path)


@FAST
@given(positions=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.none() | st.integers(10, 10**6))
@example(positions=[(4367, 84)], cut=None)  # "version needed to extract" 8.4: NotImplementedError from zipfile
@example(positions=[(4369, 1)], cut=None)  # the "encrypted" flag: RuntimeError from zipfile
def test_a_damaged_workbook(tmp_path, positions, cut):
    data = bytearray(_a_valid_workbook())
    for position, value in positions:
        data[position % len(data)] = value
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data[: cut % len(data)] if cut else data))
    assert_value_or_own_error(path)


@FAST
@given(sheet_xml=st.text(st.sampled_from(list("<>/=\"' &;#!?[]-xcfvrsiwt0123456789ABab")), max_size=200))
def test_a_workbook_whose_sheet_is_any_xml_like_text(tmp_path, sheet_xml):
    source = zipfile.ZipFile(io.BytesIO(_a_valid_workbook()))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        f'spreadsheetml/2006/main"><sheetData>{sheet_xml}</sheetData></worksheet>').encode()
            target.writestr(info, body)
    path = tmp_path / "odd.xlsx"
    path.write_bytes(out.getvalue())
    assert_value_or_own_error(path)


@FAST
@given(data=st.binary(max_size=400))
def test_decode_and_sniff_never_fail_otherwise(tmp_path, data):
    try:
        text = decode(tmp_path / "x.csv", data)
    except InputError as exc:
        assert str(exc)
        return
    assert sniff_delimiter(text) in ",;\t|"


# --- any cell text -------------------------------------------------------------------------------------

@FAST
@given(rows=st.lists(st.lists(cell_text | date_like, min_size=5, max_size=5), min_size=1, max_size=4),
       provider=st.sampled_from(["quo", "travtus"]))
def test_any_cell_text_in_a_csv(tmp_path, rows, provider):
    header = (["Title", "Description", "phoneNumberId", "Due Date", "Assigned To"] if provider == "quo" else
              ["Group External Ref", "Title", "Due Date", "Resident Phone", "Resident First Name"])
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    path = tmp_path / "cells.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    summary = assert_value_or_own_error(path, provider)
    if summary is not None:
        assert summary.total == len(read_table(path).rows)


@FAST
@given(cells=st.lists(cell_text.filter(lambda s: not any(ord(c) < 32 and c not in "\t\n\r" for c in s)),
                      min_size=4, max_size=4))
def test_any_cell_text_in_a_workbook(tmp_path, cells):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Description", "phoneNumberId", "Due Date"])
    for column, text in enumerate(cells, start=1):
        sheet.cell(2, column).value = text
        sheet.cell(2, column).data_type = "s"  # text, even when it starts with "="
    path = tmp_path / "cells.xlsx"
    book.save(path)
    summary = assert_value_or_own_error(path)
    if summary is not None and summary.total:
        assert summary.total == 1


# --- value parsing -------------------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(text=cell_text | date_like, zone=ZONES, dayfirst=st.booleans())
def test_dates_parse_or_are_none_and_always_format(text, zone, dayfirst):
    tz = ZoneInfo(zone)
    moment = parse_datetime(text, tz, dayfirst)
    far = is_date_out_of_range(text, tz, dayfirst)
    if moment is None:
        return
    assert not far
    assert moment.tzinfo is not None and 1900 <= moment.year <= 9999
    for name in ("quo", "travtus"):
        formatted = get_provider(name).format_datetime(moment, tz)
        assert formatted[:4].isdigit() and len(formatted) in (19, 20)


@settings(max_examples=200, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
       offset=st.integers(-14 * 60, 14 * 60), zone=ZONES)
def test_every_iso_date_with_an_offset_is_read_or_refused_cleanly(moment, offset, zone):
    text = moment.replace(tzinfo=timezone(timedelta(minutes=offset))).isoformat(timespec="seconds")
    parsed = parse_datetime(text, ZoneInfo(zone))
    assert parsed is not None or is_date_out_of_range(text, ZoneInfo(zone))


@settings(max_examples=300, deadline=None)
@given(text=cell_text | st.text(string.digits + "+-() .eE", max_size=20),
       region=st.sampled_from(["US", "GB", "DE", "IN"]))
def test_phones_parse_to_e164_or_none(text, region):
    parsed = parse_phone(text, region)
    assert parsed is None or (parsed.startswith("+") and parsed[1:].isdigit())
    assert isinstance(looks_scientific(text), bool)


@settings(max_examples=300, deadline=None)
@given(text=cell_text)
def test_enums_and_excel_errors_never_raise(text):
    assert parse_enum(text, ("low", "normal", "high", "very_high")) in (None, "low", "normal", "high", "very_high")
    code = excel_error(text)
    assert code is None or code == text.upper()


@pytest.mark.parametrize("text", ["#N/A", "#n/a", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"])
def test_excel_error_values_are_recognised(text):
    assert excel_error(text) == text.upper()


@pytest.mark.parametrize("text", ["#1 priority", "#", "#N/A please", "N/A"])
def test_text_that_merely_looks_like_an_error_is_text(text):
    assert excel_error(text) is None


def test_the_workbook_the_fuzzers_damage_is_readable_intact(tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(_a_valid_workbook())
    assert validate_file(path, "quo", results=tmp_path / "r.csv").exit_code == 0
