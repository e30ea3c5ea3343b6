"""Payload building: one JSON object per valid row, in exactly the provider's documented shape.

Empty cells are left out (never ``""`` or ``null``); dotted field names become nested objects;
values are normalized (enumerations canonical, dates in the provider's format, phones in E.164).

A million payloads are held as the normalized columns they are made of (``Payloads``): a row's dict
is built when it is asked for, and the JSON texts of every row are rendered column by column.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from itertools import compress, repeat
from operator import is_not
from json.encoder import encode_basestring
from typing import Any, cast

import numpy as np
import pandas as pd

from .csv_fields import csv_field
from ..check.kinds import KINDS
from .identity import identity_keys
from ..providers import Field, Provider
from ..check.values import ValueReader, map_unique, row_numbers

#: One object of a payload: ``None`` for a run of top-level keys, else the nested object's name;
#: then its (key, column) pairs, in the order the JSON text has them.
Entry = tuple[str | None, list[tuple[str, int]]]
#: ``json.dumps(payload, ensure_ascii=False)``: the ``_payload`` column of the results.
RESULTS_SEPARATORS = (", ", ": ")
#: The request body and the identity hash: compact.
COMPACT_SEPARATORS = (",", ":")


def normalize_column(spec: Field, column: pd.Series, provider: Provider, reader: ValueReader) -> pd.Series:
    """The values of one field as they go in the payload (``None`` where absent)."""
    kind = KINDS[spec.kind]
    if not kind.converts:
        return column
    read = kind.reader(spec, provider, reader)
    return column if read is None else map_unique(column, read)


def build_payloads(fields: pd.DataFrame, provider: Provider, reader: ValueReader) -> Payloads:
    """One payload per row of ``fields`` (a frame of valid rows under API field names), by row number."""
    specs = [spec for spec in provider.fields if spec.name in fields and _has_values(fields[spec.name])]
    columns = [normalize_column(spec, fields[spec.name], provider, reader).to_numpy(dtype=object) for spec in specs]
    return Payloads(row_numbers(fields.index), [spec.path for spec in specs], columns)


def _has_values(column: pd.Series) -> bool:
    """Whether any cell of ``column`` holds a value (a field no row fills is left out of every payload)."""
    values = column.to_numpy(dtype=object)
    return bool(len(values)) and (isinstance(values[0], str) or bool(column.notna().any()))


class Payloads(Mapping[int, dict[str, Any]]):
    """Row number → payload dict, for ascending ``rows``; ``columns[i][at]`` is field ``paths[i]``'s
    value at row ``rows[at]`` (``None``: left out)."""

    def __init__(self, rows: Sequence[int], paths: list[tuple[str, ...]], columns: list[Sequence[Any]]) -> None:
        self.rows = rows
        self.paths = paths
        self.columns = columns
        self._entries = _entries(paths, sort=False)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[int]:
        return iter(self.rows)

    def __contains__(self, row: object) -> bool:
        return self._position(row) is not None

    def __getitem__(self, row: int) -> dict[str, Any]:
        at = self._position(row)
        if at is None:
            raise KeyError(row)
        return self._payload(tuple(column[at] for column in self.columns))

    def values(self) -> ValuesView[dict[str, Any]]:
        """Every payload, in row order, each built as it is reached."""
        return _Values(self)

    def items(self) -> ItemsView[int, dict[str, Any]]:
        """(row, payload) pairs in row order, each payload built as it is reached."""
        return _Items(self)

    def dicts(self) -> Iterator[dict[str, Any]]:
        """Every payload, in row order."""
        if self._entries is None:
            return (_nested(self.paths, values) for values in zip(*self.columns))
        if not self.columns:
            return ({} for _ in self.rows)
        return map(self._payload, zip(*self.columns))

    def texts(self, separators: tuple[str, str] = RESULTS_SEPARATORS, *, sort_keys: bool = False) -> list[str]:
        """Every payload as ``json.dumps(payload, ensure_ascii=False, separators=…, sort_keys=…)`` would
        write it, rendered column by column."""
        texts: list[str] = []
        for start in range(0, len(self.rows), RENDER_CHUNK):
            texts += self.texts_between(start, start + RENDER_CHUNK, separators, sort_keys=sort_keys)
        return texts

    def texts_between(self, start: int, stop: int, separators: tuple[str, str] = RESULTS_SEPARATORS, *,
                      sort_keys: bool = False, csv: bool = False) -> list[str]:
        """``texts()[start:stop]``; with ``csv``, each as a quoted CSV field (quotes doubled)."""
        stop = min(stop, len(self.rows))
        if not self.columns:
            return [csv_field("{}") if csv else "{}"] * max(stop - start, 0)
        entries = _entries(self.paths, sort=sort_keys)
        if entries is not None:
            try:
                return _render([_as_list(column[start:stop]) for column in self.columns], entries, *separators, csv=csv)
            except TypeError:  # a value that is not text: let json encode it
                pass
        dump = json.JSONEncoder(ensure_ascii=False, separators=separators, sort_keys=sort_keys).encode
        picked = Payloads(self.rows[start:stop], self.paths, [_as_list(column[start:stop]) for column in self.columns])
        texts = [dump(payload) for payload in picked.dicts()]
        return [csv_field(text) for text in texts] if csv else texts

    def identities(self) -> list[str]:
        """Each row's ``identity.row_identity``: ``ref:`` and its ``external_ref``, else a hash of its
        canonical JSON."""
        prefix, keys = self.identity_keys()
        return [prefix + key for key in keys] if prefix else keys

    def identity_keys(self) -> tuple[str, list[str]]:
        """``identities()`` as a prefix and a new list of what follows it (``identity.identity_keys``)."""
        references: list[Any] = ([None] * len(self.rows) if ("external_ref",) not in self.paths
                                 else _as_list(self.columns[self.paths.index(("external_ref",))]))
        return identity_keys(references, lambda: self.texts(COMPACT_SEPARATORS, sort_keys=True))

    def subset(self, keep: list[bool]) -> Payloads:
        """The payloads of the rows whose ``keep`` is true."""
        return Payloads(list(compress(self.rows, keep)), self.paths,
                        [list(compress(column, keep)) for column in self.columns])

    def _position(self, row: object) -> int | None:
        if not isinstance(row, int):
            return None
        at = bisect_left(self.rows, row)
        return at if at < len(self.rows) and self.rows[at] == row else None

    def _payload(self, values: tuple[Any, ...]) -> dict[str, Any]:
        if self._entries is None:
            return _nested(self.paths, values)
        payload: dict[str, Any] = {}
        for parent, pairs in self._entries:
            part = {key: values[at] for key, at in pairs if values[at] is not None}
            if parent is None:
                payload.update(part)
            elif part:
                payload[parent] = part
        return payload


class RowValues(Mapping[int, str]):
    """Row number → one value per row (each row's identity: ``prefix`` and its value), for ascending
    ``rows``: two sequences, no dict."""

    def __init__(self, rows: Sequence[int], values: list[str], prefix: str = "") -> None:
        self.rows = rows
        self.values_ = values
        self.prefix = prefix

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[int]:
        return iter(self.rows)

    def __getitem__(self, row: int) -> str:
        at = bisect_left(self.rows, row) if isinstance(row, int) else len(self.rows)
        if at < len(self.rows) and self.rows[at] == row:
            return self.prefix + self.values_[at]
        raise KeyError(row)


class _Values(ValuesView):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._mapping.dicts()  # type: ignore[attr-defined,no-any-return]


class _Items(ItemsView):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return zip(self._mapping.rows, self._mapping.dicts())  # type: ignore[attr-defined]


def _as_list(column: Sequence[Any]) -> list[Any]:
    """``column`` (a list, or an object array of the sheet's column: no copy held) as a new list."""
    return column.tolist() if isinstance(column, np.ndarray) else list(column)


def _entries(paths: list[tuple[str, ...]], *, sort: bool) -> list[Entry] | None:
    """The objects of every payload, in dict order (or sorted by key); None when a nested object's
    fields are not contiguous (then its place in the dict depends on the row)."""
    entries: list[Entry] = []
    for at, path in enumerate(paths):
        parent = path[0] if len(path) > 1 else None
        if entries and entries[-1][0] == parent:
            entries[-1][1].append((path[-1], at))
        elif parent is not None and any(entry[0] == parent for entry in entries):
            return None
        else:
            entries.append((parent, [(path[-1], at)]))
    if not sort:
        return entries
    keyed = sorted([(key, [(None, [(key, at)])]) for parent, pairs in entries if parent is None for key, at in pairs]
                   + [(parent, [(parent, sorted(pairs))]) for parent, pairs in entries if parent is not None],
                   key=lambda item: item[0])
    return [entry for _, group in keyed for entry in group]


def _render(columns: list[list[Any]], entries: list[Entry], item_separator: str, key_separator: str, *,
            csv: bool = False) -> list[str]:
    """Each row's JSON text (with ``csv``, as a quoted CSV field): each column encoded in one call, then
    the rows that have the same fields present are joined with the same constant text between values."""
    count = len(columns[0]) if columns else 0
    encoded = [_encoded(columns[at], csv) for _, pairs in entries for _, at in pairs]
    patterns = np.zeros(count, dtype=np.int64)
    for bit, column in enumerate(encoded):
        if None in column:
            patterns |= np.fromiter(map(is_not, column, repeat(None)), dtype=bool, count=count).astype(np.int64) << bit
        else:
            patterns |= 1 << bit
    distinct = np.unique(patterns).tolist()
    if len(distinct) == 1:
        return _joined(_pieces(entries, distinct[0], item_separator, key_separator, csv),
                       [column for bit, column in enumerate(encoded) if distinct[0] >> bit & 1], count)
    texts = np.empty(count, dtype=object)
    for pattern in distinct:
        rows = np.flatnonzero(patterns == pattern).tolist()
        present = [[column[row] for row in rows] for bit, column in enumerate(encoded) if pattern >> bit & 1]
        texts[rows] = _joined(_pieces(entries, pattern, item_separator, key_separator, csv), present, len(rows))
    return texts.tolist()  # type: ignore[no-any-return]


#: Rows rendered at a time: bounds the encoded copies of the columns held at once.
RENDER_CHUNK = 50_000


def _joined(pieces: list[str], columns: Sequence[Sequence[str | None]], count: int) -> list[str]:
    """Each row's text: ``pieces`` with the row's value of each column between them."""
    args: list[Iterable[str | None]] = [repeat(pieces[0], count)]
    for piece, column in zip(pieces[1:], columns):
        args += (column, repeat(piece))
    return list(map("".join, zip(*args)))


def _encoded(values: list[Any], csv: bool = False) -> list[str | None]:
    """Each value JSON-encoded without its quotes (``None`` stays ``None``), in one call when it can be;
    with ``csv``, quotes doubled as a quoted CSV field needs.

    ``TypeError`` for a value that is not text.
    """
    present = [value for value in values if value is not None] if None in values else values
    whole = "".join(present)
    if whole.isprintable() and '"' not in whole and "\\" not in whole:  # JSON would write each as it is
        return values
    joined = "\x00".join(present)
    if "\\" in joined or joined.count("\x00") != max(len(present) - 1, 0):
        parts = [encode_basestring(value)[1:-1] for value in present]
        if csv:
            parts = [part.replace('"', '""') for part in parts]
    else:
        body = encode_basestring(joined)[1:-1]
        parts = (body.replace('"', '""') if csv else body).split("\\u0000") if present else []
    if len(parts) == len(values):
        return cast("list[str | None]", parts)
    filled = iter(parts)
    return [None if value is None else next(filled) for value in values]


def _pieces(entries: list[Entry], pattern: int, item_separator: str, key_separator: str, csv: bool) -> list[str]:
    """The constant text before, between and after the values of a payload whose present columns are the
    set bits of ``pattern`` (with ``csv``, quoted as a CSV field)."""
    parts: list[str] = []
    bit = 0
    for parent, pairs in entries:
        inner = []
        for key, _ in pairs:
            if pattern >> bit & 1:
                inner.append(encode_basestring(key) + key_separator + '"\x00"')  # \x00: a value goes here
            bit += 1
        if parent is None:
            parts += inner
        elif inner:
            parts.append(encode_basestring(parent) + key_separator + "{" + item_separator.join(inner) + "}")
    pieces = ("{" + item_separator.join(parts) + "}").split("\x00")
    if csv and len(pieces) == 1:
        return [csv_field(pieces[0])]
    if csv:  # a value's quotes make it a quoted field
        pieces = [piece.replace('"', '""') for piece in pieces]
        pieces[0], pieces[-1] = '"' + pieces[0], pieces[-1] + '"'
    return pieces


def _nested(paths: list[tuple[str, ...]], values: tuple[Any, ...]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for path, value in zip(paths, values):
        if value is None:
            continue
        if len(path) == 1:
            payload[path[0]] = value
        else:
            payload.setdefault(path[0], {})[path[1]] = value
    return payload
