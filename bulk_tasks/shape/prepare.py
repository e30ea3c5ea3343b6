"""Read → match headers → validate → build payloads: everything that happens before sending."""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..check.headers import ColumnMatch, is_results_column, load_mapping, match_columns
from ..check.formulas import restore_neutralized
from .duplicates import duplicates_with_invalid, invalid_row_keys
from .payloads import Payloads, RowValues, build_payloads
from .provenance import SANDBOX, SENT_TO_COLUMN, same_place
from .references import References, apply_references
from ..providers.references import Want
from ..providers import Provider, get_provider
from ..read.table import Table, read_table
from ..read.options import ZONE_FALLBACK, ZONE_GIVEN, ZONE_LOCAL, Reading
from ..statuses import RowStatus
from ..check.notes import row_notes
from ..check.rows import RowError, date_order_warnings, field_frame, validate
from ..check.values import ValueReader, check_phone_region, load_timezone, local_timezone_name

_KEEP_AS_DONE = {RowStatus.CREATED.value, RowStatus.ALREADY_CREATED.value, RowStatus.CHANGED.value,
                 RowStatus.UPDATED.value}


#: Unknown column names listed in the warning; the rest are counted.
MAX_NAMES_SHOWN = 20
DEFAULT_PHONE_REGION = "US"

@dataclass(frozen=True)
class ReadOptions:
    """How to read the input: ``--sheet``, ``--mapping``, ``--timezone``, ``--dayfirst``, ``--phone-region``.

    ``None`` means not given: the computer's own time zone (UTC when none is set), month-first dates,
    US phone numbers. Options given explicitly may differ from an earlier run of the same import.
    """

    sheet: str | None = None
    mapping: str | Path | dict[str, str] | None = None
    timezone: str | None = None
    dayfirst: bool | None = None
    phone_region: str | None = None
    #: The same task twice in one file is valid (``--allow-duplicates``); each copy is sent.
    allow_duplicates: bool = False

    def reading(self) -> Reading:
        """The options resolved (the computer's zone looked up); a ``UsageError`` for an unknown zone or region."""
        if self.timezone is not None:
            zone, origin = load_timezone(self.timezone).key, ZONE_GIVEN
        else:
            local = local_timezone_name()
            zone, origin = (local, ZONE_LOCAL) if local else ("UTC", ZONE_FALLBACK)
        region = check_phone_region(DEFAULT_PHONE_REGION if self.phone_region is None else self.phone_region)
        explicit = frozenset(name for name in ("timezone", "dayfirst", "phone_region")
                             if getattr(self, name) is not None)
        return Reading(zone, origin, bool(self.dayfirst), region, explicit)


def value_reader(reading: Reading) -> ValueReader:
    """A ``ValueReader`` for ``reading`` that records in it which options changed a value."""
    return ValueReader(load_timezone(reading.timezone), reading.dayfirst, reading.phone_region, reading.used)


@dataclass
class Prepared:
    """An input read and checked, with one payload per row that is ready to send."""

    table: Table
    provider: Provider
    match: ColumnMatch
    errors: list[RowError]
    earlier: pd.DataFrame
    reading: Reading
    #: Row → payload (a ``payloads.Payloads``: each dict built when asked for).
    payloads: Mapping[int, dict[str, Any]] = field(default_factory=dict)
    #: Warnings about how values were read (a date column that reads both month and day first).
    value_warnings: list[str] = field(default_factory=list)
    #: Row → identity (``identity.row_identity``; ``#n`` added to the n-th copy of an allowed duplicate).
    identities: Mapping[int, str] = field(default_factory=dict)
    #: Row → the earlier row it repeats, for each row invalid as a duplicate.
    duplicates: dict[int, int] = field(default_factory=dict)
    #: Row → payload of the rows a results file given as input marks created (with a ``_task_id``), as
    #: the row reads now; built only with ``prepare(compare_created=True)``, never sent as a create.
    created_payloads: Mapping[int, dict[str, Any]] = field(default_factory=dict)
    #: Row → warnings kept in its results (``check.notes``): they never make the row invalid.
    notes_by_row: Mapping[int, list[str]] = field(default_factory=dict)
    #: Row → what its references resolved to (``Phone Number: (415) 555-0100 → PN… "Main line"``).
    resolved: Mapping[int, str] = field(default_factory=dict)
    #: Row → why it is not sent: a reference an earlier run resolved otherwise (``references.References``).
    stopped: Mapping[int, str] = field(default_factory=dict)
    #: The ID each looked-up value was given (journaled: a re-run uses the same), and the journal's before this run.
    references_used: dict[Want, str] = field(default_factory=dict)
    references_earlier: Mapping[Want, str] = field(default_factory=dict)
    #: What the page shows beside the cells: ``references.Applied.shown`` and ``.choices``.
    shown: Mapping[str, pd.Series] = field(default_factory=dict)
    choices: Mapping[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def invalid_rows(self) -> set[int]:
        """Rows with at least one error."""
        return {error.row for error in self.errors}

    @property
    def warnings(self) -> list[str]:
        """Things worth telling the user that do not stop the run."""
        names = self.match.unknown
        if not names:
            return [*self.table.warnings, *self.value_warnings]
        shown = ", ".join(map(repr, names[:MAX_NAMES_SHOWN]))
        more = f" and {len(names) - MAX_NAMES_SHOWN} more" if len(names) > MAX_NAMES_SHOWN else ""
        return [*self.table.warnings, f"Unknown column(s) ignored (kept in the results): {shown}{more}.",
                *self.value_warnings]

    @property
    def notes(self) -> list[str]:
        """What the user should know about how values were read (the time zone of naive dates)."""
        note = self.reading.note()
        return [note] if note else []

    def errors_by_row(self) -> dict[int, list[RowError]]:
        """Each invalid row's errors."""
        grouped: dict[int, list[RowError]] = defaultdict(list)
        for error in self.errors:
            grouped[error.row].append(error)
        return grouped


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a large input is turned into rows, payloads and results.

    Each of a million new dicts and tuples counts towards the next collection, and each collection
    scans every object built so far: left on, it takes half the time of a big load. Nothing built
    here forms a cycle; plain reference counting frees it as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: (row, header as written) → the text a person typed over the cell (``None``: emptied).
Edits = Mapping[tuple[int, str], str | None]


@dataclass
class Checked:
    """An input read and checked, before its references are looked up and its payloads built."""

    table: Table
    provider: Provider
    match: ColumnMatch
    errors: list[RowError]
    earlier: pd.DataFrame
    reading: Reading
    reader: ValueReader
    #: The valid rows' values under API names (``rows.field_frame``).
    fields: pd.DataFrame
    value_warnings: list[str]
    allow_duplicates: bool
    #: Row → warnings that do not make it invalid (``check.notes``).
    notes_by_row: dict[int, list[str]]
    #: The invalid rows' keys (``duplicates.invalid_row_keys``); empty with ``allow_duplicates``.
    invalid_keys: dict[int, str]


@without_cycle_collection()
def prepare(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
            *, retry_uncertain: bool = False, allow_duplicates: bool = False,
            sent_to: str | None = None, edits: Edits | None = None, compare_created: bool = False,
            references: References | None = None) -> Prepared:
    """Read, match, validate and build payloads. Raises ``BulkTasksError`` subclasses on unusable input.

    Rows with the same identity (``identity.row_identity``) as an earlier row are invalid unless
    ``allow_duplicates``. ``sent_to`` (``provenance.sent_to_label``): where the run sends; a row an
    earlier run marked created counts only when it was sent there too. ``edits`` are cells typed over
    the sheet as read (``apply_edits``), checked as if the file held them. ``compare_created``: also
    build the payloads of those rows (``created_payloads``), to tell whether they were changed since.
    ``references``: how the references were checked (``shape_checked``; None: kept as typed).
    """
    checked = check_input(path, provider, options, retry_uncertain=retry_uncertain,
                          allow_duplicates=allow_duplicates, sent_to=sent_to, edits=edits)
    return shape_checked(checked, references, compare_created)


def check_input(path: str | Path, provider: str | Provider, options: ReadOptions | None = None,
                *, retry_uncertain: bool = False, allow_duplicates: bool = False,
                sent_to: str | None = None, edits: Edits | None = None) -> Checked:
    """Read, match and validate: ``prepare`` without its last step, ``shape_checked``."""
    options = options or ReadOptions()
    provider = get_provider(provider) if isinstance(provider, str) else provider
    reading = options.reading()
    reader = value_reader(reading)
    mapping = options.mapping if isinstance(options.mapping, dict) or options.mapping is None \
        else load_mapping(options.mapping)
    table = read_table(path, options.sheet)
    if "_row" in table.frame:
        table.frame = _original_rows(table.frame)
    if edits:
        apply_edits(table.frame, edits)
    match = match_columns(table.headers, provider, mapping)
    if table.format == "csv" and "_status" in table.frame:
        table.frame = restore_neutralized(table.frame)
    earlier = _earlier_results(table.frame, retry_uncertain, sent_to, table.warnings)
    pending = _without(table.frame, earlier.index)
    errors = validate(pending, match, provider, reader)
    invalid = {error.row for error in errors}
    allowed = allow_duplicates or options.allow_duplicates
    notes, note_warnings = row_notes(pending, match, provider, reader, invalid)
    return Checked(table, provider, match, errors, earlier, reading, reader,
                   field_frame(_without(pending, invalid), match, provider),
                   [*date_order_warnings(pending, match, provider, reader), *note_warnings], allowed, notes,
                   {} if allowed or not invalid else invalid_row_keys(
                       field_frame(pending.loc[sorted(invalid)], match, provider)))


def shape_checked(checked: Checked, references: References | None = None, compare_created: bool = False) -> Prepared:
    """The payloads of the valid rows, with their references as ``references`` says (None: as typed);
    ``compare_created``: also those of rows an earlier run created (``Prepared.created_payloads``)."""
    fields, errors, invalid_keys = checked.fields, checked.errors, checked.invalid_keys
    prepared = Prepared(checked.table, checked.provider, checked.match, errors, checked.earlier,
                        checked.reading, value_warnings=checked.value_warnings, notes_by_row=checked.notes_by_row)
    if references is not None:
        fields, invalid_keys = _apply_references(prepared, checked, references)
    _identify(prepared, build_payloads(fields, checked.provider, checked.reader), checked.allow_duplicates,
              invalid_keys)
    if compare_created:
        prepared.created_payloads = _created_payloads(checked.table.frame, checked.earlier, checked.match,
                                                      checked.provider, checked.reader)
    return prepared


def _apply_references(prepared: Prepared, checked: Checked,
                      references: References) -> tuple[pd.DataFrame, dict[int, str]]:
    """``references`` applied to the checked rows: the fields to build payloads from, and the invalid rows'
    keys (``duplicates.invalid_row_keys``) with the rows a reference made invalid."""
    applied = apply_references(checked.fields, checked.provider, references, checked.match.header_of)
    prepared.errors.extend(applied.errors)
    unknown = {error.row for error in applied.errors}
    fields = _without(applied.fields, unknown)
    prepared.resolved, prepared.stopped, prepared.shown, prepared.choices = (applied.notes, applied.stopped,
                                                                              applied.shown, applied.choices)
    if unknown:
        prepared.notes_by_row = {row: notes for row, notes in checked.notes_by_row.items() if row not in unknown}
    if references.resolution is not None:
        prepared.references_used = {want: hit.id for want, hit in references.resolution.found.items()}
        prepared.references_used.update(references.earlier)
        prepared.references_earlier = references.earlier
    invalid_keys = checked.invalid_keys
    if unknown and not checked.allow_duplicates:
        invalid_keys = {**invalid_keys, **invalid_row_keys(checked.fields.loc[sorted(unknown)])}
    return fields, invalid_keys


def _original_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A results file given back: its rows numbered as in the original sheet (its ``_row``), when every row
    has one, in order; else as the file's own lines."""
    numbers = pd.to_numeric(frame["_row"], errors="coerce")
    if numbers.isna().any() or not numbers.is_monotonic_increasing or not numbers.is_unique \
            or (numbers % 1 != 0).any() or numbers.iloc[0] < 2:
        return frame
    return frame.set_axis(numbers.astype(int).tolist())


def check_rows(frame: pd.DataFrame, match: ColumnMatch, provider: Provider,
               reader: ValueReader) -> tuple[list[RowError], Payloads]:
    """Each row's own broken rules, and the payloads of the rows with none (duplicates: ``duplicate_error``).
    Any subset of a sheet's rows gives the same answer for them as the whole sheet (an edited row alone)."""
    errors = validate(frame, match, provider, reader)
    valid = _without(frame, {error.row for error in errors})
    return errors, build_payloads(field_frame(valid, match, provider), provider, reader)


def apply_edits(frame: pd.DataFrame, edits: Edits) -> None:
    """Write ``edits`` into a sheet's text ``frame`` as the reader would have read them (trimmed; empty
    is ``None``); cells of rows or columns the frame does not have are left out."""
    for (row, header), value in edits.items():
        if header in frame.columns and row in frame.index:
            frame.at[row, header] = clean_text(value)


def clean_text(value: str | None) -> str | None:
    """A typed value as the reader keeps a cell: trimmed text, ``None`` when empty."""
    text = (value or "").strip()
    return text or None


def duplicate_error(row: int, first: int, identity: str, reference_header: str) -> RowError:
    """The error of ``row`` repeating the task of the earlier row ``first`` (the same ``identity``)."""
    value = identity[len("ref:"):] if identity.startswith("ref:") else ""
    column = reference_header if value else "(whole row)"
    return RowError(row, column, value, DUPLICATE_RULE.format(first=first))


DUPLICATE_RULE = "duplicate of row {first}: the same task twice; remove one, or use --allow-duplicates"
def _created_payloads(frame: pd.DataFrame, earlier: pd.DataFrame, match: ColumnMatch, provider: Provider,
                      reader: ValueReader) -> Mapping[int, dict[str, Any]]:
    """The payloads of the earlier rows marked created with a ``_task_id`` (those that are valid as they read)."""
    if "_task_id" not in earlier or not len(earlier):
        return {}
    marked = earlier.index[(earlier["_status"] == RowStatus.ALREADY_CREATED.value)
                           & earlier["_task_id"].fillna("").astype(str).str.strip().ne("")]
    return check_rows(frame.loc[marked], match, provider, reader)[1]


def _without(frame: pd.DataFrame, rows: Collection[int]) -> pd.DataFrame:
    """``frame`` without ``rows`` (``frame`` itself, not a copy of a million rows, when there are none)."""
    return frame.loc[~frame.index.isin(list(rows))] if len(rows) else frame


def _identify(prepared: Prepared, payloads: Payloads, allow_duplicates: bool,
              invalid_keys: dict[int, str]) -> None:
    """Each row's identity (``identity.row_identity``); a row repeating an earlier one is invalid unless
    ``allow_duplicates``: then the n-th copy of the same task is ``<identity>#n``, whatever its row.
    Invalid rows (``duplicates.invalid_row_keys``) count too, so every duplicate is found in one check."""
    prefix, keys = payloads.identity_keys()  # each row's identity is prefix + key
    first_row: dict[str, int] = {}
    copies: dict[str, int] = {}
    keep = [True] * len(keys)
    reference_header = prepared.match.header_of.get("external_ref", "(whole row)")
    repeated = pd.Series(keys, dtype=object).duplicated(keep=False).to_numpy()
    for at in np.flatnonzero(repeated).tolist():  # only rows sharing an identity with another row
        row, identity = payloads.rows[at], prefix + keys[at]
        first = first_row.setdefault(identity, row)
        if first == row:
            continue
        if allow_duplicates:
            copies[identity] = copies.get(identity, 1) + 1
            keys[at] = f"{keys[at]}#{copies[identity]}"
            continue
        prepared.errors.append(duplicate_error(row, first, identity, reference_header))
        prepared.duplicates[row] = first
        keep[at] = False
    del first_row
    if invalid_keys:
        _invalid_duplicates(prepared, payloads.rows, prefix, keys, keep, invalid_keys, reference_header)
    if not all(keep):
        payloads = payloads.subset(keep)
        keys = list(compress(keys, keep))
    prepared.payloads = payloads
    prepared.identities = RowValues(payloads.rows, keys, prefix)
    prepared.errors.sort()


def _invalid_duplicates(prepared: Prepared, rows: Sequence[int], prefix: str, keys: list[str], keep: list[bool],
                        invalid_keys: dict[int, str], reference_header: str) -> None:
    """The duplicates in which one row is invalid; a valid row among them loses its payload (``keep``)."""
    live = [at for at, kept in enumerate(keep) if kept]
    found = duplicates_with_invalid(invalid_keys, [rows[at] for at in live], prefix, [keys[at] for at in live])
    for row, first, reference in found:
        prepared.errors.append(duplicate_error(row, first, f"ref:{reference}" if reference else "", reference_header))
        if row not in invalid_keys:  # a row with no broken rule of its own, repeating an invalid one
            prepared.duplicates[row] = first
            keep[bisect_left(rows, row)] = False


def _elsewhere_warning(marked: pd.Series, sent_to: str) -> str:
    count = len(marked)
    places = ", ".join(sorted(set(marked.str.strip())))
    where = "the real provider" if sent_to != SANDBOX else "the sandbox"
    return (f"{count} row{'s' if count != 1 else ''} marked created or uncertain in this file were sent to {places}, "
            f"not to {sent_to}: they are sent to {where} now.")


def _earlier_results(frame: pd.DataFrame, retry_uncertain: bool, sent_to: str | None,
                     warnings: list[str]) -> pd.DataFrame:
    """Rows an earlier run settled: created (kept as ``already_created``) and, unless retried, uncertain.

    With ``sent_to``, only rows sent to that same place count (``provenance.same_place``).
    """
    if "_status" not in frame:
        return frame.iloc[0:0][[]]
    status = frame["_status"].fillna("").str.strip().str.lower()
    keep = status.isin(_KEEP_AS_DONE)
    if not retry_uncertain:
        keep |= status == RowStatus.UNCERTAIN.value
    if sent_to is not None and SENT_TO_COLUMN in frame:
        marked = frame[SENT_TO_COLUMN].fillna("").astype(str)
        elsewhere = keep & ~marked.map(lambda value: same_place(value, sent_to))
        if elsewhere.any():
            warnings.append(_elsewhere_warning(marked[elsewhere], sent_to))
        keep &= ~elsewhere
    earlier = frame.loc[keep, [c for c in frame.columns if is_results_column(c)]].copy()
    earlier["_status"] = status[keep].where(status[keep] == RowStatus.UNCERTAIN.value,
                                            RowStatus.ALREADY_CREATED.value)
    return earlier
