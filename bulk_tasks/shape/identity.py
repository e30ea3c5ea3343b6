"""A row's identity: what a re-run recognises it by, in the journal and among the sheet's own rows.

Its ``external_ref`` when it has one (``ref:T-1``), else a hash of its canonical JSON payload.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def row_identity(payload: dict[str, Any]) -> str:
    """A row's identity: its ``external_ref`` when it has one, else a hash of its payload."""
    reference = payload.get("external_ref")
    if isinstance(reference, str) and reference:
        return "ref:" + reference
    return hashed_identity(json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


def hashed_identity(canonical: str) -> str:
    """The identity of a payload without ``external_ref``, from its canonical (sorted, compact) JSON text."""
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
