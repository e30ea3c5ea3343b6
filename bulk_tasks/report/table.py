"""Per-row outcomes → the results table, and the run's summary."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..check.headers import is_results_column
from ..shape.csv_fields import csv_field
from ..shape.payloads import Payloads
from ..shape.prepare import Prepared
from ..shape.provenance import SENT_TO_COLUMN
from ..shape.references import RESOLVED_COLUMN
from ..providers.fields import Field
from .write import PAYLOAD_COLUMN, RESULT_COLUMNS
from ..statuses import Outcome, RowStatus
from ..check.rows import RowError
from ..check.values import object_array

#: ``json.dumps(payload, ensure_ascii=False)`` without building an encoder per row.
_payload_json = json.JSONEncoder(ensure_ascii=False).encode


def error_text(errors: list[RowError]) -> str:
    """Every broken rule of one invalid row in one cell."""
    return "; ".join(f"{e.quoted()}: {e.rule}" for e in errors)


def results_table(prepared: Prepared, outcomes: Mapping[int, Outcome], *, dry_run: bool,
                  sent_to: str | None = None, lazy_payloads: bool = False) -> pd.DataFrame:
    """The results table: results columns, then the input's own columns, one line per data row.

    In a dry run every row with a payload is ``dry_run`` unless ``outcomes`` says otherwise, and its JSON
    is in ``_payload``; with ``lazy_payloads`` that column is left out, for ``PayloadColumn`` to render
    while the file is written.
    ``sent_to`` (``provenance.sent_to_label``): where this run sends, written in ``_sent_to`` of
    every row it sent or found in the journal; earlier rows keep their own.
    """
    frame = prepared.table.frame
    rows = frame.index
    order = RESULT_COLUMNS if sent_to is None else (*RESULT_COLUMNS, SENT_TO_COLUMN)
    columns = _Columns(len(rows), [name for name in order if name != "_row"])
    earlier = prepared.earlier
    for name in earlier.columns:
        if name in columns:
            columns[name][rows.get_indexer(earlier.index)] = earlier[name].to_numpy(dtype=object)
    errors = prepared.errors_by_row()
    if errors:
        invalid = rows.get_indexer(list(errors))
        columns["_status"][invalid] = RowStatus.INVALID.value
        columns["_error"][invalid] = object_array([error_text(row_errors) for row_errors in errors.values()])
    payloads = prepared.payloads
    if dry_run:
        at = rows.get_indexer(_row_array(payloads))
        columns["_status"][at] = RowStatus.DRY_RUN.value
    if dry_run and not lazy_payloads:
        payload = np.full(len(rows), None, dtype=object)
        payload[at] = object_array(payloads.texts() if isinstance(payloads, Payloads)
                               else list(map(_payload_json, payloads.values())))
    _fill_outcomes(columns, rows, outcomes, prepared.notes_by_row)
    if sent_to is not None:
        reached = [row for row, outcome in outcomes.items() if outcome.status in _REACHED]
        columns[SENT_TO_COLUMN][rows.get_indexer(reached)] = sent_to
    table = {"_row": pd.Series(rows, index=rows),
             **{name: pd.Series(values, index=rows, dtype=object, copy=False) for name, values in columns.arrays()}}
    table = {name: table[name] for name in order}
    if prepared.resolved:
        table[RESOLVED_COLUMN] = _resolved_column(prepared, rows)
    if dry_run and not lazy_payloads:
        table[PAYLOAD_COLUMN] = pd.Series(payload, index=rows, dtype=object, copy=False)
    own = [name for name in frame.columns if not is_results_column(name)]
    return pd.concat([pd.DataFrame(table), frame[own]], axis=1)


def _resolved_column(prepared: Prepared, rows: pd.Index) -> pd.Series:
    """What each row's references resolved to (``Phone Number: (415) 555-0100 → PN… "Main line"``)."""
    values = np.full(len(rows), None, dtype=object)
    resolved = prepared.resolved
    values[rows.get_indexer(list(resolved))] = object_array(list(resolved.values()))
    return pd.Series(values, index=rows, dtype=object, copy=False)


class _Columns:
    """The results columns of a table of ``length`` rows, all ``None`` until written: every column never
    written shares one array (a dry run of a million rows writes two of seven)."""

    def __init__(self, length: int, names: list[str]) -> None:
        self._none = np.full(length, None, dtype=object)
        self._arrays = dict.fromkeys(names, self._none)

    def __contains__(self, name: str) -> bool:
        return name in self._arrays

    def __getitem__(self, name: str) -> np.ndarray:
        """The column ``name``, to write into."""
        if self._arrays[name] is self._none:
            self._arrays[name] = self._none.copy()
        return self._arrays[name]

    def arrays(self) -> list[tuple[str, np.ndarray]]:
        """(name, values) of every column, in order."""
        return list(self._arrays.items())


def _row_array(rows: Iterable[int]) -> np.ndarray:
    """Row numbers as an integer array, without a list of a million ``int`` objects."""
    return np.fromiter(rows, dtype=np.int64)


class PayloadColumn:
    """A dry run's ``_payload`` column, rendered a slice of rows at a time (``results.LazyColumn``):
    a million JSON texts are never held at once."""

    def __init__(self, prepared: Prepared) -> None:
        payloads = prepared.payloads
        self._payloads = payloads if isinstance(payloads, Payloads) else None
        self._texts: list[str] = [] if self._payloads is not None else list(map(_payload_json, payloads.values()))
        self._positions = prepared.table.frame.index.get_indexer(_row_array(payloads))

    def values(self, start: int, stop: int, *, csv: bool = False) -> list[Any]:
        """The texts of table rows ``start`` to ``stop`` (``None``, or ``""`` in CSV, where a row has none)."""
        first, last = np.searchsorted(self._positions, [start, stop]).tolist()
        if self._payloads is not None:
            texts = self._payloads.texts_between(first, last, csv=csv)
        else:
            texts = [csv_field(text) if csv else text for text in self._texts[first:last]]
        if len(texts) == stop - start:
            return texts
        cells: list[Any] = ["" if csv else None] * (stop - start)
        for at, text in zip((self._positions[first:last] - start).tolist(), texts):
            cells[at] = text
        return cells


_REACHED = frozenset({RowStatus.CREATED, RowStatus.ALREADY_CREATED, RowStatus.UNCERTAIN, RowStatus.FAILED})


def _fill_outcomes(columns: _Columns, rows: pd.Index, outcomes: Mapping[int, Outcome],
                   notes: Mapping[int, list[str]]) -> None:
    """Each outcome into its row's results columns, then each row's notes after its ``_error``."""
    if outcomes:
        _write_outcomes(columns, rows, outcomes)
    _add_notes(columns, rows, notes)


def _write_outcomes(columns: _Columns, rows: pd.Index, outcomes: Mapping[int, Outcome]) -> None:
    at = rows.get_indexer(list(outcomes))
    values = list(outcomes.values())
    columns["_status"][at] = object_array([o.status.value for o in values])
    columns["_task_id"][at] = object_array([o.task_id for o in values])
    columns["_request_id"][at] = object_array([o.request_id for o in values])
    columns["_http_status"][at] = object_array([o.http_status for o in values])
    columns["_attempts"][at] = object_array([o.attempts or None for o in values])
    columns["_error"][at] = object_array([o.error for o in values])


def _add_notes(columns: _Columns, rows: pd.Index, notes: Mapping[int, list[str]]) -> None:
    """Each row's notes into its ``_error`` cell, after whatever the run wrote there."""
    if not notes:
        return
    errors = columns["_error"]
    for at, row in zip(rows.get_indexer(list(notes)).tolist(), notes):
        if at >= 0:
            errors[at] = "; ".join([*([errors[at]] if errors[at] else []), *notes[row]])


def cell_errors(prepared: Prepared) -> dict[tuple[int, str], str]:
    """(row, header as written) → the rule it broke, for highlighting invalid cells."""
    return error_marks(prepared.errors, prepared.table.headers)


def error_marks(errors: Iterable[RowError], headers: Iterable[str]) -> dict[tuple[int, str], str]:
    """``cell_errors`` of some rows' ``errors``: each cell of a header in ``headers`` with its rules."""
    headers = set(headers)
    marks: dict[tuple[int, str], str] = {}
    for error in errors:
        for header in error.column.split(" / "):
            if header in headers:
                key = (error.row, header)
                marks[key] = f"{marks[key]}\n{error.rule}" if key in marks else error.rule
    return marks


def input_fields(prepared: Prepared) -> dict[str, Field]:
    """Header as written → the provider field it feeds, for the template's help in XLSX results."""
    by_name = {spec.name: spec for spec in prepared.provider.fields}
    return {header: by_name[name] for header, name in prepared.match.field_of.items() if name in by_name}
