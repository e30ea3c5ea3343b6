"""The checked sheet the page shows and edits: a typed cell is checked again with its row alone.

Editing a cell checks that row with the library's own rules (``prepare.check_rows``, and its references
against the workspace the page's check used: ``lookups.PageLookups``), then the rows whose duplicate
status can change with it: those sharing its old or new identity (``prepare.duplicate_error``). Nothing
else of the sheet is checked again, so an edit costs the same on 10 rows as on a million.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..check.headers import is_results_column
from ..check.rows import RowError, field_frame, validate
from ..check.values import ValueReader
from ..report.table import error_text, error_marks
from ..shape.identity import row_identity
from ..shape.payloads import build_payloads
from ..shape.prepare import Prepared, clean_text, duplicate_error, value_reader
from ..shape.references import Applied, apply_references, wanted
from ..statuses import RowStatus
from .lookups import PageLookups

#: (row, header as written, value): one cell as typed.
Cell = tuple[int, str, "str | None"]


@dataclass
class Sheet:
    """The grid's frame (results columns, then the sheet's own) and every row's broken rules."""

    prepared: Prepared
    frame: pd.DataFrame
    marks: dict[tuple[int, str], str]
    errors: dict[int, list[RowError]] = field(default_factory=dict)
    #: Rows by status, kept as edits change them.
    counts: Counter[str] = field(default_factory=Counter)
    lookups: PageLookups | None = None
    #: Header → (row → what its value resolved to), and (row, header) → the workspace's values to choose from.
    shown: dict[str, dict[int, str]] = field(default_factory=dict)
    choices: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)
    _reader: ValueReader | None = None
    _identity: dict[int, str] | None = None
    _groups: dict[str, list[int]] | None = None

    @classmethod
    def of(cls, prepared: Prepared, frame: pd.DataFrame, marks: dict[tuple[int, str], str],
           lookups: PageLookups | None = None) -> Sheet:
        """The sheet of a prepared input and its grid frame (``results_table``)."""
        counts = Counter({str(k): int(v) for k, v in frame["_status"].value_counts().items()})
        return cls(prepared, frame, marks, prepared.errors_by_row(), counts, lookups,
                   {header: series.to_dict() for header, series in prepared.shown.items()}, dict(prepared.choices))

    @property
    def own_columns(self) -> list[str]:
        """The sheet's own headers, as written (not the results columns a results file has: those are the
        record of what was sent, never edited)."""
        return [name for name in self.prepared.table.headers if not is_results_column(name)]

    def value(self, row: int, header: str) -> str | None:
        """The cell's text as the sheet holds it now."""
        value = self.frame.at[row, header]
        return value if isinstance(value, str) else None

    def edit(self, cells: Iterable[Cell]) -> list[int]:
        """Write ``cells`` and check again every row they can change; returns those rows, in order."""
        editable = set(self.own_columns)
        typed = [(row, header, clean_text(value)) for row, header, value in cells
                 if row in self.frame.index and header in editable]
        for row, header, value in typed:
            self.frame.at[row, header] = value
            self.prepared.table.frame.at[row, header] = value
        settled = self.prepared.earlier.index  # created by an earlier run: the edit is kept, not re-sent
        edited = sorted({row for row, _, _ in typed if row not in settled})
        if not edited:
            return []
        own = self._own_check(edited)
        identities = self._identities()
        groups = self._identity_groups()
        touched: set[str] = set()
        for row in edited:
            old = identities.pop(row, None)
            if old is not None:
                groups[old].remove(row)
                touched.add(old)
            new = own[row]
            if isinstance(new, str):
                identities[row] = new
                groups[new].append(row)
                groups[new].sort()
                touched.add(new)
        changed = set(edited)
        for identity in touched:
            changed.update(self._mark_duplicates(identity, groups[identity]))
        for row in edited:
            if not isinstance(own[row], str):
                self._set_errors(row, own[row])  # type: ignore[arg-type]
        return sorted(changed)

    async def look_up(self, cells: Iterable[Cell]) -> None:
        """Look up the values ``cells`` bring to reference fields (or their groups), before ``edit``."""
        references = self.lookups.references if self.lookups is not None else None
        prepared = self.prepared
        header_of, provider = prepared.match.header_of, prepared.provider
        names = {name for ref, reference in provider.references.items() for name in (ref, *reference.scope)}
        watched = {header_of[name] for name in names if name in header_of}
        typed = [(row, header, value) for row, header, value in cells if row in self.frame.index]
        if self.lookups is None or references is None or not any(header in watched for _, header, _ in typed):
            return
        frame = prepared.table.frame.loc[sorted({row for row, _, _ in typed})].copy()
        for row, header, value in typed:
            if header in frame.columns:
                frame.at[row, header] = clean_text(value)
        errors = validate(frame, prepared.match, provider, self._value_reader())
        valid = frame.loc[~frame.index.isin([error.row for error in errors])]
        await self.lookups.more(wanted(field_frame(valid, prepared.match, provider), provider))

    def _value_reader(self) -> ValueReader:
        if self._reader is None:
            self._reader = value_reader(self.prepared.reading)
        return self._reader

    def _own_check(self, rows: list[int]) -> dict[int, str | list[RowError]]:
        """Each row's own broken rules (its references' too), or its identity when it has none."""
        prepared, reader = self.prepared, self._value_reader()
        frame, match, provider = prepared.table.frame.loc[rows], prepared.match, prepared.provider
        errors = validate(frame, match, provider, reader)
        fields = field_frame(frame.loc[~frame.index.isin([error.row for error in errors])], match, provider)
        references = self.lookups.references if self.lookups is not None else None
        if references is not None:
            applied = apply_references(fields, provider, references, match.header_of)
            errors.extend(applied.errors)
            fields = applied.fields.loc[~applied.fields.index.isin([error.row for error in applied.errors])]
            self._beside(rows, applied)
        payloads = build_payloads(fields, provider, reader)
        found: dict[int, str | list[RowError]] = {row: [] for row in rows}
        for error in errors:
            found[error.row].append(error)  # type: ignore[union-attr]
        for row, payload in payloads.items():
            found[row] = row_identity(payload)
        return found

    def _beside(self, rows: list[int], applied: Applied) -> None:
        """What the references of ``rows`` resolved to, and the values offered for an unknown one, as now."""
        headers = {self.prepared.match.header_of.get(name, name) for name in self.prepared.provider.references}
        for header in headers:
            shown = self.shown.setdefault(header, {})
            for row in rows:
                shown.pop(row, None)
                self.choices.pop((row, header), None)
            if header in applied.shown:
                shown.update(applied.shown[header].to_dict())
        self.choices.update(applied.choices)

    def _mark_duplicates(self, identity: str, rows: list[int]) -> list[int]:
        """The first row of an identity is valid, each later one a duplicate of it (as ``prepare`` says)."""
        header = self.prepared.match.header_of.get("external_ref", "(whole row)")
        for at, row in enumerate(rows):
            self._set_errors(row, [duplicate_error(row, rows[0], identity, header)] if at else [])
        return rows

    def _set_errors(self, row: int, errors: list[RowError]) -> None:
        for header in self.own_columns:
            self.marks.pop((row, header), None)
        if errors:
            self.errors[row] = errors
            self.marks.update(error_marks(errors, self.own_columns))
        else:
            self.errors.pop(row, None)
        status = RowStatus.INVALID.value if errors else RowStatus.DRY_RUN.value
        self.counts[self.frame.at[row, "_status"]] -= 1
        self.counts[status] += 1
        self.frame.at[row, "_status"] = status
        self.frame.at[row, "_error"] = error_text(errors) if errors else None

    def _identities(self) -> dict[int, str]:
        """Row → identity of every row without a broken rule of its own (duplicates included)."""
        if self._identity is None:
            known = dict(self.prepared.identities.items())
            for row, first in self.prepared.duplicates.items():
                if first in known:
                    known[row] = known[first]
            self._identity = known
        return self._identity

    def _identity_groups(self) -> dict[str, list[int]]:
        if self._groups is None:
            groups: dict[str, list[int]] = defaultdict(list)
            for row, identity in sorted(self._identities().items()):
                groups[identity].append(row)
            self._groups = groups
        return self._groups

    def rows_with(self, column: str | None, rule: str | None) -> list[int]:
        """Rows with a problem in ``column`` (a header as written), of the kind ``rule``, or both."""
        return sorted(row for row, errors in self.errors.items()
                      if any((column is None or column in error.column.split(" / "))
                             and (rule is None or error.rule == rule) for error in errors))

    def identities_to_send(self) -> list[str]:
        """The identity of every row a send would create (the valid ones)."""
        valid = self.frame.index[self.frame["_status"] == RowStatus.DRY_RUN.value]
        identities = self._identities()
        return [identities[row] for row in valid.tolist() if row in identities]

    def all_errors(self) -> list[RowError]:
        """Every broken rule, sorted."""
        return sorted(error for errors in self.errors.values() for error in errors)
