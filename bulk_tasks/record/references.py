"""The references an earlier run of an import resolved, as its journal recorded them (``references`` lines)."""

from __future__ import annotations

import json
from pathlib import Path

from ..providers.references import Want
from .journal import Journal

Record = list[str | None]


def journaled_references(path: Path) -> dict[Want, str]:
    """Each value an earlier run looked up → the ID it used; empty without a journal. Lines that cannot be
    read are left to ``journal.read_journal``, which says so."""
    found: dict[Want, str] = {}
    try:
        handle = path.open("rb")
    except OSError:
        return found
    with handle:
        for line in handle:
            if b'"references"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            for entry in record.get("resolved") or []:
                field, value, scope_field, scope_value, identifier = entry
                scope = (scope_field, scope_value) if scope_field is not None else None
                found[Want(field, value, scope)] = identifier
    return found


def references_record(used: dict[Want, str], earlier: dict[Want, str]) -> list[Record]:
    """The entries of ``used`` that the journal does not hold yet."""
    return [[want.field, want.value, *(want.scope or (None, None)), identifier]
            for want, identifier in sorted(used.items()) if earlier.get(want) != identifier]


def record_references(journal: Journal, resolved: list[Record]) -> None:
    """Append what references resolved to (``[field, value, scope field, scope value, id]`` each), if any."""
    if resolved:
        journal.record({"type": "references", "resolved": resolved})
