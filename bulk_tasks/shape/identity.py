"""A row's identity: what a re-run recognises it by, in the journal and among the sheet's own rows.

Its ``external_ref`` when it has one (``ref:T-1``), else a hash of its canonical JSON payload.
``identity_keys`` is the definition, for a whole column of rows at once; ``row_identity`` is the same
rule for one payload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

REFERENCE_PREFIX = "ref:"


def identity_keys(references: list[Any], canonical: Callable[[], Iterable[str]]) -> tuple[str, list[str]]:
    """Each row's identity, as a prefix and a list of what follows it.

    ``references`` holds each row's ``external_ref`` (None where it has none); ``canonical`` gives each
    row's canonical (sorted, compact) JSON text, asked for only when some row has no reference. When
    every row has one, the answer is ``("ref:", references)``: no million new strings.
    """
    named = [isinstance(reference, str) and bool(reference) for reference in references]
    if all(named):
        return REFERENCE_PREFIX, references
    return "", [REFERENCE_PREFIX + reference if has_reference else hashed_identity(text)
                for reference, has_reference, text in zip(references, named, canonical())]


def row_identity(payload: dict[str, Any]) -> str:
    """One payload's identity, by ``identity_keys``' rule."""
    prefix, keys = identity_keys([payload.get("external_ref")], lambda: [canonical_json(payload)])
    return prefix + keys[0]


def canonical_json(payload: dict[str, Any]) -> str:
    """The payload as sorted, compact JSON: the text a payload without ``external_ref`` is hashed from."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def hashed_identity(canonical: str) -> str:
    """The identity of a payload without ``external_ref``, from its canonical (sorted, compact) JSON text."""
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
