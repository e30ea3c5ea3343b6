"""Validation: a pandera schema derived from a provider's fields and cross-field rules.

All rows are checked at once (lazy validation) and every failure becomes a ``RowError`` carrying the
spreadsheet row, the header as the user wrote it, the value and the rule in plain English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .columns import ColumnMatch
from .providers import Field, Kind, Provider, RowRule
from .values import ValueReader, empty_column, is_email, map_unique, parse_enum

REQUIRED_RULE = "is required: fill it in"


@dataclass(frozen=True, order=True)
class RowError:
    """One broken rule in one row."""

    row: int
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        shown = f" = {self.value!r}" if self.value else " (empty)"
        return f"row {self.row}, {self.column}{shown}: {self.rule}"


def field_frame(frame: pd.DataFrame, match: ColumnMatch, provider: Provider) -> pd.DataFrame:
    """The sheet's values under API field names, every field present (absent ones all ``None``)."""
    header_of = match.header_of
    columns = {spec.name: frame[header_of[spec.name]] if spec.name in header_of
               else empty_column(frame.index) for spec in provider.fields}
    return pd.DataFrame(columns, index=frame.index)


def field_rule(spec: Field) -> str | None:
    """The plain-English rule a field's values must follow, or ``None`` when any text will do."""
    if spec.kind is Kind.ENUM:
        return "must be one of: " + ", ".join(spec.choices)
    if spec.kind is Kind.DATETIME:
        return ("is not a date bulk-tasks can read: write it like 2026-12-01, 2026-12-01 09:00 or "
                "12/1/2026 9:00 AM (a real calendar date)")
    if spec.kind is Kind.PHONE:
        return "is not a valid phone number: write it like +14155550100, or a local number of --phone-region"
    if spec.kind is Kind.EMAIL:
        return "is not an email address: write it like name@example.com"
    if spec.prefix:
        return f"must start with {spec.prefix} (a Quo ID such as {spec.prefix}123abc)"
    return None


def _value_check(spec: Field, reader: ValueReader) -> Callable[[pd.Series], pd.Series]:
    if spec.kind is Kind.ENUM:
        return lambda s: map_unique(s, lambda text: parse_enum(text, spec.choices)).notna()
    if spec.kind is Kind.DATETIME:
        return lambda s: map_unique(s, reader.datetime).notna()
    if spec.kind is Kind.PHONE:
        return lambda s: map_unique(s, reader.phone).notna()
    if spec.kind is Kind.EMAIL:
        return lambda s: map_unique(s, is_email).astype(bool)
    return lambda s: s.str.startswith(spec.prefix)


def build_schema(provider: Provider, reader: ValueReader) -> pa.DataFrameSchema:
    """The pandera schema of a provider's field frame (see ``field_frame``)."""
    columns = {}
    for spec in provider.fields:
        checks = []
        if spec.required:
            checks.append(pa.Check(lambda s: s.notna(), error=REQUIRED_RULE, ignore_na=False,
                                   name=f"{spec.name}_required"))
        rule = field_rule(spec)
        if rule:
            checks.append(pa.Check(_value_check(spec, reader), error=rule, name=f"{spec.name}_format"))
        columns[spec.name] = pa.Column(None, checks=checks, nullable=True, required=True)
    rules = [pa.Check(rule.check, error=rule.rule, ignore_na=False, name=rule.name) for rule in provider.rules()]
    return pa.DataFrameSchema(columns, checks=rules, coerce=False)


def validate(frame: pd.DataFrame, match: ColumnMatch, provider: Provider, reader: ValueReader) -> list[RowError]:
    """Every broken rule of every row of ``frame`` (the sheet's text cells), sorted by row."""
    fields = field_frame(frame, match, provider)
    try:
        build_schema(provider, reader).validate(fields, lazy=True)
    except SchemaErrors as exc:
        return _row_errors(exc.failure_cases, fields, match, provider)
    return []


def _row_errors(cases: pd.DataFrame, fields: pd.DataFrame, match: ColumnMatch, provider: Provider) -> list[RowError]:
    header_of = match.header_of
    rules = {rule.rule: rule for rule in provider.rules()}
    errors: set[RowError] = set()
    for case in cases.itertuples(index=False):
        row = int(case.index)
        rule = rules.get(case.check)
        if rule is not None:
            errors.add(_rule_error(rule, row, fields, header_of))
        else:
            header = header_of.get(case.column, case.column)
            value = fields.at[row, case.column]
            errors.add(RowError(row, header, "" if pd.isna(value) else str(value), case.check))
    return sorted(errors)


def _rule_error(rule: RowRule, row: int, fields: pd.DataFrame, header_of: dict[str, str]) -> RowError:
    filled = [(name, fields.at[row, name]) for name in rule.fields if pd.notna(fields.at[row, name])]
    shown = filled or [(name, None) for name in rule.fields if name in header_of]
    column = " / ".join(header_of.get(name, name) for name, _ in shown) or " / ".join(rule.fields)
    value = "; ".join(f"{header_of.get(name, name)}={value}" for name, value in filled)
    return RowError(row, column, value, rule.rule)
