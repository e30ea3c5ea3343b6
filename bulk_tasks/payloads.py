"""Payload building: one JSON object per valid row, in exactly the provider's documented shape.

Empty cells are left out (never ``""`` or ``null``); dotted field names become nested objects;
values are normalized (enumerations canonical, dates in the provider's format, phones in E.164).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .providers import Field, Kind, Provider
from .values import ValueReader, map_unique, parse_enum


def normalize_column(spec: Field, column: pd.Series, provider: Provider, reader: ValueReader) -> pd.Series:
    """The values of one field as they go in the payload (``None`` where absent)."""
    if spec.kind is Kind.ENUM:
        return map_unique(column, lambda text: parse_enum(text, spec.choices))
    if spec.kind is Kind.DATETIME:
        def as_api_datetime(text: str) -> str | None:
            moment = reader.datetime(text)
            return None if moment is None else provider.format_datetime(moment, reader.timezone)
        return map_unique(column, as_api_datetime)
    if spec.kind is Kind.PHONE:
        return map_unique(column, reader.phone)
    return column


def build_payloads(fields: pd.DataFrame, provider: Provider, reader: ValueReader) -> list[dict[str, Any]]:
    """One payload per row of ``fields`` (a frame of valid rows under API field names)."""
    specs = [spec for spec in provider.fields if spec.name in fields and fields[spec.name].notna().any()]
    columns = [normalize_column(spec, fields[spec.name], provider, reader).tolist() for spec in specs]
    if not specs:
        return [{} for _ in range(len(fields))]
    paths = [spec.path for spec in specs]
    segments = _segments(paths)
    if segments is None:
        return [_payload(paths, values) for values in zip(*columns)]
    return [_segmented_payload(segments, values) for values in zip(*columns)]


Segment = tuple[str | None, tuple[str, ...], int, int]


def _segments(paths: list[tuple[str, ...]]) -> list[Segment] | None:
    """Runs of top-level keys, and of one nested object's keys, in field order; None when an object's
    keys are not contiguous (then ``_payload`` builds each row)."""
    segments: list[Segment] = []
    for at, path in enumerate(paths):
        parent = path[0] if len(path) > 1 else None
        if segments and segments[-1][0] == parent:
            last = segments[-1]
            segments[-1] = (parent, (*last[1], path[-1]), last[2], at + 1)
        elif parent is not None and any(segment[0] == parent for segment in segments):
            return None
        else:
            segments.append((parent, (path[-1],), at, at + 1))
    return segments


def _segmented_payload(segments: list[Segment], values: tuple[Any, ...]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for parent, keys, start, stop in segments:
        part = {key: value for key, value in zip(keys, values[start:stop]) if value is not None}
        if parent is None:
            payload.update(part)
        elif part:
            payload[parent] = part
    return payload


def _payload(paths: list[tuple[str, ...]], values: tuple[Any, ...]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for path, value in zip(paths, values):
        if value is None:
            continue
        if len(path) == 1:
            payload[path[0]] = value
        else:
            payload.setdefault(path[0], {})[path[1]] = value
    return payload
