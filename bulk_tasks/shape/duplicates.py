"""Duplicates found in the same check as every other problem, invalid rows included.

A valid row's identity is its payload's (``identity.row_identity``). An invalid row has no payload, so it
is recognised by what does not change when it is fixed the same way as its twin: its ``external_ref``
(``ref:T-1``, comparable with valid rows), else every field cell's text (comparable with other invalid
rows only: two identical rows are both valid or both invalid).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def invalid_row_keys(fields: pd.DataFrame) -> dict[int, str]:
    """Row → the key an invalid row is recognised by, for the rows of ``fields`` (API-named columns) that
    have a field filled in."""
    references = fields["external_ref"] if "external_ref" in fields else None
    keys = {}
    for row, cells in zip(fields.index.tolist(), fields.itertuples(index=False, name=None)):
        reference = references.at[row] if references is not None else None
        if isinstance(reference, str) and reference:
            keys[row] = "ref:" + reference
        elif any(cell is not None for cell in cells):
            keys[row] = "cells:" + "\x1f".join("" if cell is None else str(cell) for cell in cells)
    return keys


def duplicates_with_invalid(invalid: dict[int, str], rows: Sequence[int], prefix: str,
                            keys: Sequence[str]) -> list[tuple[int, int, str]]:
    """(row, the earlier row it repeats, its reference or ``""``) for every pair in which one row is invalid.

    ``invalid`` is ``invalid_row_keys``; ``rows``, ``prefix`` and ``keys`` are the valid rows' identities
    (``prefix + keys[i]`` for ``rows[i]``). Only valid rows sharing a reference with an invalid row are
    looked at, so a million valid rows cost one pass of set lookups.
    """
    if not invalid:
        return []
    wanted = {key for key in invalid.values() if key.startswith("ref:")}
    if prefix == "ref:":
        short = {key[len("ref:"):] for key in wanted}
        valid = {row: "ref:" + key for row, key in zip(rows, keys) if key in short}
    else:
        valid = {row: key for row, key in zip(rows, keys) if key in wanted}
    first: dict[str, int] = {}
    found = []
    for row in sorted([*invalid, *valid]):
        key = invalid.get(row) or valid[row]
        earlier = first.setdefault(key, row)
        if earlier != row and (row in invalid or earlier in invalid):
            found.append((row, earlier, key[len("ref:"):] if key.startswith("ref:") else ""))
    return found
