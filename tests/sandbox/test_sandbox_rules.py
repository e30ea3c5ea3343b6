"""Unit properties of the sandbox's date-time rules and of its copy of the Quo request schema."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bulk_tasks.providers.quo.sandbox import is_rfc3339, request_schema
from bulk_tasks.providers.travtus.sandbox import is_travtus_datetime

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "bulk_tasks" / "providers" / "quo" / "request_schema.json"


@given(st.datetimes())
def test_travtus_accepts_every_real_naive_datetime_in_its_format(moment):
    assert is_travtus_datetime(moment.replace(microsecond=0).isoformat())


@given(st.text(alphabet="0123456789-:T Z+.", max_size=22) | st.text(max_size=22))
def test_travtus_accepts_only_the_exact_format(text):
    if is_travtus_datetime(text):
        assert len(text) == 19 and text[10] == "T" and text.isascii()
        assert datetime.fromisoformat(text).isoformat() == text


def test_travtus_rejects_lookalikes():
    for text in ("2023-11-11 20:00:00", "２023-01-01T00:00:00", "2023-1-01T00:00:00", "2023-01-01T00:00:00.5"):
        assert not is_travtus_datetime(text)


@given(st.datetimes(timezones=st.just(timezone.utc)))
def test_rfc3339_accepts_every_utc_instant(moment):
    text = moment.isoformat().replace("+00:00", "Z")
    assert is_rfc3339(text)


@given(st.text(alphabet="0123456789-:TtZz+. ", max_size=30))
def test_rfc3339_accepts_only_parseable_offset_datetimes(text):
    if is_rfc3339(text):
        parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00").replace(":60", ":59"))
        assert parsed.tzinfo is not None


def test_rfc3339_rejects_naive_and_spaced_forms():
    for text in ("2026-12-01T14:00:00", "2026-12-01 14:00:00Z", "2026-12-01", "２026-12-01T14:00:00Z"):
        assert not is_rfc3339(text)


def test_validator_uses_the_schema_file_verbatim():
    assert request_schema() == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
