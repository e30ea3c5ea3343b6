"""Header matching: which column of the sheet feeds which field of the provider.

A header matches a field when, lower-cased with every non-alphanumeric character removed, it equals
the field's API name or one of its aliases treated the same way, or when ``--mapping`` says so.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MissingColumnsError, UsageError
from ..providers import PROVIDERS, Field, Provider

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """The comparison key of a header: lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", header.lower())


def alias_headers(spec: Field) -> list[str]:
    """The other headers a field is read from, as a person would write them (``Assignee Email``)."""
    return [" ".join(word[:1].upper() + word[1:] for word in re.split(r"[\s._]+", alias) if word)
            for alias in spec.aliases]


def is_results_column(header: str) -> bool:
    """Columns starting with ``_`` come from an earlier run's results file and are never sent."""
    return header.startswith("_")


def known_header_keys() -> frozenset[str]:
    """The comparison keys of every field name and alias of every provider."""
    return frozenset(header_key(alias) for provider in PROVIDERS.values() for spec in provider.fields
                     for alias in (spec.name, *spec.aliases))


def find_header_row(rows: list[list[str | None]]) -> tuple[int, list[str]] | None:
    """The spreadsheet row (and its field names) that looks like the header, when row 1 does not.

    ``rows`` are the top rows of a sheet, row 1 first. Row 1 does not look like a header when none of
    its cells is a known field name and it has fewer filled cells than a later row has field names
    (a title above the table, or a blank row). The later row must hold at least two field names.
    """
    if not rows:
        return None
    known = known_header_keys()

    def names(row: list[str | None]) -> list[str]:
        return [cell for cell in row if cell and header_key(cell) in known]

    first = rows[0]
    if names(first):
        return None
    filled = sum(1 for cell in first if cell)
    for number, row in enumerate(rows[1:], start=2):
        found = names(row)
        if len(found) >= 2 and len(found) > filled:
            return number, found
    return None


@dataclass
class ColumnMatch:
    """How the sheet's headers relate to the provider's fields."""

    field_of: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    @property
    def header_of(self) -> dict[str, str]:
        """API field name → header as written."""
        return {name: header for header, name in self.field_of.items()}


def load_mapping(path: str | Path) -> dict[str, str]:
    """A ``--mapping`` file: a JSON object ``{"header as written": "api.field"}``."""
    path = Path(path)
    try:
        mapping = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UsageError(f"The --mapping file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"The --mapping file {path} cannot be read ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"The --mapping file {path} is not valid JSON (line {exc.lineno}: {exc.msg}); "
                         'it should look like {"Header in my sheet": "api_field"}.') from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise UsageError(f'The --mapping file {path} must be one JSON object of text to text, '
                         'like {"Header in my sheet": "api_field"}.')
    return mapping


def match_columns(headers: list[str], provider: Provider, mapping: Mapping[str, str] | None = None,
                  *, require: bool = True) -> ColumnMatch:
    """Match ``headers`` to ``provider``'s fields; a ``MissingColumnsError`` if required ones are absent
    (unless not ``require``: the page shows the matching before asking for the missing columns)."""
    lookup = _lookup(provider)
    explicit = _check_mapping(headers, provider, mapping or {})
    claimed = set(explicit.values())
    match = ColumnMatch()
    for header in headers:
        if is_results_column(header):
            continue
        name = explicit.get(header)
        if name is None:
            name = lookup.get(header_key(header))
            if name in claimed:  # --mapping gave this field to another column
                name = None
        if name is None:
            match.unknown.append(header)
            continue
        taken = match.header_of.get(name)
        if taken is not None:
            raise MissingColumnsError(f"Columns {taken!r} and {header!r} both fill the field {name}: "
                                      "remove one, or say which to use with --mapping.")
        match.field_of[header] = name
    if require:
        _require(provider, match, headers)
    return match


def _lookup(provider: Provider) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for spec in provider.fields:
        for alias in (spec.name, *spec.aliases):
            lookup.setdefault(header_key(alias), spec.name)
    return lookup


def _check_mapping(headers: list[str], provider: Provider, mapping: Mapping[str, str]) -> dict[str, str]:
    """``mapping`` with each side read as headers are (case, spaces and punctuation aside): its columns as
    the sheet writes them, its fields by API name (or an alias); a ``UsageError`` with a did-you-mean."""
    lookup = _lookup(provider)
    columns = {header_key(header): header for header in reversed(headers)}
    resolved: dict[str, str] = {}
    for header, name in mapping.items():
        column = header if header in headers else columns.get(header_key(header))
        if column is None:
            close = difflib.get_close_matches(header_key(header), [key for key in columns if key], n=1)
            hint = f" (did you mean {columns[close[0]]!r}?)" if close else ""
            raise UsageError(f"The --mapping file names the column {header!r}, which is not in the sheet{hint}; "
                             f"its columns are: {', '.join(map(repr, headers))}.")
        field_name = lookup.get(header_key(name))
        if field_name is None:
            names = sorted(spec.name for spec in provider.fields)
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"The --mapping file maps {header!r} to {name!r}, which is not a "
                             f"{provider.name} field{hint}.")
        resolved[column] = field_name
    return resolved


def _require(provider: Provider, match: ColumnMatch, headers: list[str]) -> None:
    present = set(match.field_of.values())
    missing = [group for group in provider.required_column_groups if not present.intersection(group)]
    if not missing:
        return
    described, unsuggested = [], False
    for group in missing:
        text = group[0] if len(group) == 1 else "one of " + " / ".join(group)
        close = _closest(group, provider, match.unknown)
        described.append(f"{text} (did you mean {close!r}?)" if close else text)
        unsuggested = unsuggested or close is None
    plural = "s" if len(missing) > 1 else ""
    others = [header for header in match.unknown if header_key(header)]
    listed = (f" (the sheet's columns not read: {', '.join(map(repr, others[:10]))}"
              f"{' …' if len(others) > 10 else ''})") if unsuggested and others else ""
    raise MissingColumnsError(
        f"The sheet has no column{plural} for {'; '.join(described)}{listed}: rename the column in the sheet, "
        "or map it with --mapping.")


def _closest(group: tuple[str, ...], provider: Provider, unknown: list[str]) -> str | None:
    """The unknown header most like a name or alias of the group's fields, if any is close enough: by the
    letters in common, or holding the name whole (``Name of task title`` for ``title``)."""
    keys = {header_key(header): header for header in unknown if header_key(header)}
    best, score = None, 0.0
    for spec in provider.fields:
        if spec.name not in group:
            continue
        for alias in (spec.name, *spec.aliases):
            wanted = header_key(alias)
            for key in keys:
                ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
                if len(wanted) >= 4 and (wanted in key or key in wanted):
                    ratio = max(ratio, 0.8)  # "Task Title" for title, "Phone" for phoneNumberId
                if ratio >= 0.6 and ratio > score:
                    best, score = keys[key], ratio
    return best
