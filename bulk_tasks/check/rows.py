"""Validation: a pandera schema derived from a provider's fields and cross-field rules.

All rows are checked at once (lazy validation) and every failure becomes a ``RowError`` carrying the
spreadsheet row, the header as the user wrote it, the value and the rule in plain English.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .dates import missing_year, relative_word, wrong_weekday
from .headers import ColumnMatch
from ..read.xlsx import EXCEL_CELL_LIMIT
from .kinds import KINDS, looked_up, synonym_choice
from ..providers import Field, Kind, Provider, RowRule
from .values import (
    ValueReader,
    enum_key,
    excel_error,
    is_date_out_of_range,
    is_email,
    is_in_dst_gap,
    looks_scientific,
    map_unique,
    parse_enum,
    parse_phone,
    row_numbers,
    slashed_order,
    slashed_reading,
)

REQUIRED_RULE = "is required: fill it in"
EXCEL_ERROR_RULE = "contains the Excel error {code}: fix the formula in Excel, or type the value"
CELL_LIMIT_RULE = (f"is longer than the {EXCEL_CELL_LIMIT:,} characters an Excel cell can hold: shorten it "
                   "(bulk-tasks never cuts it, so nothing is lost)")
SCIENTIFIC_PHONE_RULE = ("is a number in scientific notation, which Excel shows for long numbers and which has "
                         "lost digits: format the column as Text in Excel and type the full numbers again")
DATE_RANGE_RULE = ("is outside the dates bulk-tasks accepts: from 1900-01-01 to 9999-12-31 "
                   "(also once moved to --timezone and to UTC)")
DST_GAP_RULE = ("is a time that does not exist in {zone}: the clocks skip that hour when daylight saving time "
                "starts; write the time you mean after the change (such as an hour later), or add a UTC offset")
DAY_FIRST_RULE = ("is a date only when read day first (day/month/year), which bulk-tasks does with --dayfirst: "
                  "if the column's dates are written that way, run again with --dayfirst")
MONTH_FIRST_RULE = ("is a date only when read month first (month/day/year), but --dayfirst reads day first: if "
                    "the column's dates are written month first, run again without --dayfirst")
NO_YEAR_RULE = ("has no year: write the whole date, such as {example} (bulk-tasks never guesses the year)")
RELATIVE_DATE_RULE = ("is a word, not a date: bulk-tasks sends exact dates, so write the date itself, such as "
                      "2026-12-03 or December 3, 2026 (or leave the cell empty)")
WEEKDAY_RULE = "says {written}, but that date is a {actual}: check which date you mean and correct the day or the date"
#: Values longer than this are shortened in messages (never in the payload or the results' own columns).
SHOWN_LENGTH = 60


@dataclass(frozen=True, order=True)
class RowError:
    """One broken rule in one row."""

    row: int
    column: str
    value: str
    rule: str
    #: For a rule over several columns: each filled cell as (header, value), quoted one by one.
    cells: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def quoted(self) -> str:
        """The cells as messages quote them: ``Due = '31/31'``, ``Group ID = 'G1', Group Ref = 'P1'``, or the header."""
        if self.cells:
            return ", ".join(f"{header} = {value!r}" for header, value in self.cells)
        return f"{self.column} = {self.value!r}" if self.value else self.column

    def __str__(self) -> str:
        empty = " (empty)" if not self.value and not self.cells else ""
        return f"row {self.row}, {self.quoted()}{empty}: {self.rule}"


def field_frame(frame: pd.DataFrame, match: ColumnMatch, provider: Provider) -> pd.DataFrame:
    """The sheet's values under API field names, every field present (absent ones all ``None``).

    The sheet's columns are not copied; every absent field shares one all-``None`` array.
    """
    header_of = match.header_of
    absent = np.full(len(frame), None, dtype=object)
    columns = {spec.name: frame[header_of[spec.name]].to_numpy(dtype=object) if spec.name in header_of
               else absent for spec in provider.fields}
    return pd.DataFrame(columns, index=frame.index, dtype=object, copy=False)


def field_rule(spec: Field, dayfirst: bool = False) -> str | None:
    """The plain-English rule a field's values must follow, or ``None`` when any text will do.

    Under ``dayfirst`` the date examples are written day first, as they are read.
    """
    return KINDS[spec.kind].rule(spec, dayfirst)


def _value_check(spec: Field, provider: Provider, reader: ValueReader) -> Callable[[pd.Series], pd.Series]:
    read = KINDS[spec.kind].reader(spec, provider, reader)
    if read is None:
        return lambda s: pd.Series(True, index=s.index)
    return lambda s: map_unique(s, read).notna()


@dataclass(frozen=True)
class SchemaCheck:
    """One rule of the schema: of one field's cells (``column``), or of each row (``column`` is None)."""

    column: str | None
    test: Callable[..., pd.Series]
    #: What a failure says: a field's rule in words, or a row rule's name.
    label: str
    name: str
    ignore_na: bool = True


def schema_checks(provider: Provider, reader: ValueReader) -> list[SchemaCheck]:
    """Every rule a field frame (see ``field_frame``) is checked against, in the schema's order."""
    checks = []
    for spec in provider.fields:
        if spec.required:
            checks.append(SchemaCheck(spec.name, _present, REQUIRED_RULE, f"{spec.name}_required", ignore_na=False))
        rule = field_rule(spec, reader.dayfirst)
        if rule:
            checks.append(SchemaCheck(spec.name, _value_check(spec, provider, reader), rule, f"{spec.name}_format"))
    checks.extend(SchemaCheck(None, rule.check, rule.name, rule.name, ignore_na=False) for rule in provider.rules())
    return checks


def _present(values: pd.Series) -> pd.Series:
    return values.notna()


def build_schema(provider: Provider, reader: ValueReader) -> pa.DataFrameSchema:
    """The pandera schema of a provider's field frame (see ``field_frame``): ``schema_checks``."""
    columns: dict[str, list[pa.Check]] = {}
    rules = []
    for check in schema_checks(provider, reader):
        if check.column is None:
            rules.append(pa.Check(check.test, ignore_na=False, name=check.name))
        else:  # a column without checks costs pandera time and proves nothing: only those with some
            columns.setdefault(check.column, []).append(
                pa.Check(check.test, error=check.label, ignore_na=check.ignore_na, name=check.name))
    return pa.DataFrameSchema({name: pa.Column(None, checks=found, nullable=True, required=True)
                               for name, found in columns.items()}, checks=rules, coerce=False)


#: Up to this many rows (one edited row, a fix-all of a few), ``schema_checks`` are applied directly:
#: the same rules, without pandera's cost per call (about 30 ms, whatever the size).
DIRECT_ROWS = 64


def failure_cases(fields: pd.DataFrame, checks: list[SchemaCheck]) -> pd.DataFrame:
    """What pandera's lazy validation reports as ``failure_cases`` (``index``, ``column``, ``check``), found by
    applying each check itself: one case per failing cell, or per failing row for a row rule."""
    cases: list[tuple[int, str | None, str]] = []
    for check in checks:
        target = fields if check.column is None else fields[check.column]
        if check.ignore_na:
            target = target.dropna()
        if not len(target):
            continue
        passed = np.broadcast_to(np.asarray(check.test(target), dtype=bool), (len(target),))
        cases.extend((row, check.column, check.label) for row in target.index[~passed].tolist())
    return pd.DataFrame(cases, columns=["index", "column", "check"])


def validate(frame: pd.DataFrame, match: ColumnMatch, provider: Provider, reader: ValueReader) -> list[RowError]:
    """Every broken rule of every row of ``frame`` (the sheet's text cells), sorted by row.

    A cell with a problem that makes its field's own rule beside the point (an Excel error, a value
    too long for Excel, a phone number in scientific notation, a date out of range) gets that one
    error instead. A few rows (``DIRECT_ROWS``) are checked by ``failure_cases``, more by pandera.
    """
    fields = field_frame(frame, match, provider)
    problems = cell_problems(fields, provider, reader)
    problems.update({key: rule for key, rule in hinted_problems(fields, provider, reader).items()
                     if key not in problems})
    header_of = match.header_of
    errors = {RowError(row, header_of.get(name, name), shown_value(fields.at[row, name]), rule)
              for (row, name), rule in problems.items()}
    if len(fields) <= DIRECT_ROWS:
        errors.update(_row_errors(failure_cases(fields, schema_checks(provider, reader)), fields, match, provider,
                                  problems))
        return sorted(errors)
    try:
        build_schema(provider, reader).validate(fields, lazy=True, inplace=True)
    except SchemaErrors as exc:
        errors.update(_row_errors(exc.failure_cases, fields, match, provider, problems))
    return sorted(errors)


def cell_problems(fields: pd.DataFrame, provider: Provider, reader: ValueReader) -> dict[tuple[int, str], str]:
    """(row, field) → rule, for cells whose text no field could use as it is.

    Each column is first checked as a whole (joined strings, one ``max`` of lengths); only a column
    with a suspect cell is looked at cell by cell.
    """
    problems: dict[tuple[int, str], str] = {}
    rows = row_numbers(fields.index)
    for spec in provider.fields:
        values = fields[spec.name].tolist()
        if values.count(None) == len(values):
            continue
        present = [text for text in values if text is not None] if None in values else values
        try:
            hashed = _any_starts_with_hash(present)
        except TypeError:  # NaN or other non-text: not a cell's text
            values = [text if isinstance(text, str) else None for text in values]
            present = [text for text in values if text is not None]
            hashed = _any_starts_with_hash(present)
        if not present:
            continue
        if hashed:
            for row, text in zip(rows, values):
                code = excel_error(text) if text is not None else None
                if code is not None:
                    problems[(row, spec.name)] = EXCEL_ERROR_RULE.format(code=code)
        if max(map(len, present)) > EXCEL_CELL_LIMIT:
            for row, text in zip(rows, values):
                if text is not None and len(text) > EXCEL_CELL_LIMIT:
                    problems.setdefault((row, spec.name), CELL_LIMIT_RULE)
        if spec.kind is Kind.PHONE:
            _mark(problems, spec.name, rows, values,
                  lambda text: SCIENTIFIC_PHONE_RULE if looks_scientific(text) else None)
        elif spec.kind is Kind.DATETIME:
            def unread_rule(text: str) -> str | None:
                return None if reader.datetime(text) is not None else _unread_date_rule(text, reader)
            _mark(problems, spec.name, rows, values, unread_rule)
    return problems


def _any_starts_with_hash(texts: list[str]) -> bool:
    """Whether a cell starts with ``#`` (an Excel error value may), by joined slices of the column: one
    search per slice, without a copy of the whole column's text. ``TypeError`` for a value not text."""
    for start in range(0, len(texts), JOIN_SLICE):
        joined = "\x00".join(texts[start:start + JOIN_SLICE])
        if joined[:1] == "#" or "\x00#" in joined:
            return True
    return False


#: Cells joined at a time by ``_any_starts_with_hash``.
JOIN_SLICE = 50_000


def _mark(problems: dict[tuple[int, str], str], name: str, rows: Sequence[int], values: list[str | None],
          rule_of: Callable[[str], str | None]) -> None:
    """The rule ``rule_of`` gives each cell of ``values`` (None: no problem), asked once per distinct value."""
    rules = {text: rule for text in set(values) if text is not None and (rule := rule_of(text)) is not None}
    if not rules:
        return
    for row, text in zip(rows, values):
        if text in rules:
            problems.setdefault((row, name), rules[text])


def hinted_problems(fields: pd.DataFrame, provider: Provider, reader: ValueReader) -> dict[tuple[int, str], str]:
    """(row, field) → its field's rule plus a hint: a near-miss choice (did you mean 'high'?), or what an ID
    field wants when it holds a phone number or an email address."""
    problems: dict[tuple[int, str], str] = {}
    for spec in provider.fields:
        if not (spec.kind is Kind.ENUM or spec.prefix) or looked_up(provider, spec):
            continue
        present = fields[spec.name].dropna()
        if spec.prefix:
            present = present[~present.str.startswith(spec.prefix)]
        if present.empty:
            continue
        rule = field_rule(spec, reader.dayfirst)
        hint = (partial(_near_choice, spec=spec, rule=rule) if spec.kind is Kind.ENUM
                else partial(_wrong_id, spec=spec, provider=provider, reader=reader))
        for row, text in map_unique(present, hint).dropna().items():
            problems[(row, spec.name)] = text
    return problems


def _near_choice(text: str, spec: Field, rule: str | None) -> str | None:
    if parse_enum(text, spec.choices) is not None:
        return None
    synonym = synonym_choice(text, spec.choices)
    if synonym is not None:
        return f"{rule}; did you mean {synonym!r}?"
    keys = {enum_key(choice): choice for choice in spec.choices}
    close = difflib.get_close_matches(enum_key(text), list(keys), n=1, cutoff=0.6)
    return f"{rule}; did you mean {keys[close[0]]!r}?" if close else None


def _wrong_id(text: str, spec: Field, provider: Provider, reader: ValueReader) -> str | None:
    if text.startswith(spec.prefix):
        return None
    phone = parse_phone(text, reader.phone_region)
    what = "an email address" if is_email(text) else "a phone number" if phone else None
    if what is None:
        return None
    wanted = provider.id_lookups.get(spec.name, f"an ID starting with {spec.prefix} (like {spec.prefix}123abc)")
    return f"is {what}, but {provider.name.capitalize()} wants {wanted}"


def _unread_date_rule(text: str, reader: ValueReader) -> str | None:
    """Why a date cell could not be read, when there is more to say than "not a date"."""
    if is_date_out_of_range(text, reader.timezone, reader.dayfirst):
        return DATE_RANGE_RULE
    if is_in_dst_gap(text, reader.timezone, reader.dayfirst):
        return DST_GAP_RULE.format(zone=reader.timezone)
    written = _written_date_rule(text, reader.dayfirst)
    if written is not None:
        return written
    order = slashed_order(text)
    if order == "day" and not reader.dayfirst:
        return DAY_FIRST_RULE
    if order == "month" and reader.dayfirst:
        return MONTH_FIRST_RULE
    return None


def _written_date_rule(text: str, dayfirst: bool) -> str | None:
    """The rule of a date written without its year, as a word (``tomorrow``), or with the wrong weekday."""
    if missing_year(text):
        example = f"{text.rstrip(',. ')}/2026" if "/" in text else f"{text.rstrip(',. ')}, 2026"
        return NO_YEAR_RULE.format(example=example)
    if relative_word(text):
        return RELATIVE_DATE_RULE
    weekday = wrong_weekday(text)
    return WEEKDAY_RULE.format(written=weekday[0], actual=weekday[1]) if weekday else None


def date_order_warnings(frame: pd.DataFrame, match: ColumnMatch, provider: Provider,
                        reader: ValueReader) -> list[str]:
    """A warning for each date column whose every slashed date reads both month first and day first
    (1/2/2026), read month first without --dayfirst: the user may have meant day first."""
    if reader.dayfirst:
        return []
    warnings = []
    for spec in provider.fields:
        header = match.header_of.get(spec.name)
        if spec.kind is not Kind.DATETIME or header is None:
            continue
        distinct = frame[header].dropna().unique().tolist()
        orders = {text: slashed_order(text) for text in distinct}
        both = [text for text, order in orders.items() if order == "both"]
        if both and not {"month", "day"} & set(orders.values()):
            example = both[0].split()[0]
            warnings.append(f"{header}: every date like {example} reads both as month/day/year and as "
                            f"day/month/year; they were read month first ({example} = "
                            f"{slashed_reading(example, dayfirst=False)}). If they are written day first, run "
                            "again with --dayfirst.")
    return warnings


def shown_value(value: object) -> str:
    """A cell's value as messages show it: long values shortened, saying how long they are."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value)
    if len(text) <= SHOWN_LENGTH:
        return text
    return f"{text[:SHOWN_LENGTH]}… ({len(text):,} characters)"


def _row_errors(cases: pd.DataFrame, fields: pd.DataFrame, match: ColumnMatch, provider: Provider,
                problems: dict[tuple[int, str], str]) -> set[RowError]:
    header_of = match.header_of
    rules = {rule.name: rule for rule in provider.rules()}
    errors: set[RowError] = set()
    for case in cases.itertuples(index=False):
        row = int(case.index)
        rule = rules.get(case.check)
        if rule is not None:
            errors.add(_rule_error(rule, row, fields, header_of))
        elif (row, case.column) not in problems:
            header = header_of.get(case.column, case.column)
            errors.add(RowError(row, header, shown_value(fields.at[row, case.column]), case.check))
    return errors


def _rule_error(rule: RowRule, row: int, fields: pd.DataFrame, header_of: dict[str, str]) -> RowError:
    filled = [(name, fields.at[row, name]) for name in rule.fields if pd.notna(fields.at[row, name])]
    shown = filled or [(name, None) for name in rule.fields if name in header_of]
    column = " / ".join(header_of.get(name, name) for name, _ in shown) or " / ".join(rule.fields)
    cells = tuple((header_of.get(name, name), shown_value(value)) for name, value in filled)
    value = "; ".join(value for _, value in cells)
    return RowError(row, column, value, rule.rule, cells if len(cells) > 1 else ())
