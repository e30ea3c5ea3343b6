"""What the engine is given and gives back: one ``Job`` per row to send, one ``SendResult`` per run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..statuses import Outcome


@dataclass(slots=True)
class Job:
    """One row to send: its spreadsheet row number and its JSON payload (``body``: pre-encoded).

    ``method`` and ``url`` (None: the provider's create URL) are for the requests that come after
    a create (``after.changes``: delete, edit); ``body`` None with an empty payload sends no body."""

    row: int
    payload: dict[str, Any]
    body: bytes | None = None
    method: str = "POST"
    url: str | None = None


@dataclass
class SendResult:
    """Outcomes by row (in job order), and why the run stopped early (None: it did not)."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    stopped_reason: str | None = None
    interrupted: bool = False
    #: Rows for which at least one request was written.
    sent: int = 0
    #: Why the journal could not be written (a full disk), if it could not: the run stopped for that.
    journal_error: str | None = None
    #: Row → (identity, body sent, the differences named) of rows created earlier whose fields now differ.
    changed: dict[int, tuple[str, dict[str, Any], list[str]]] = field(default_factory=dict)
    #: What the user should know about this run (rows created again after an undo).
    notes: list[str] = field(default_factory=list)

    @property
    def journal_failed(self) -> bool:
        """Whether some journal record could not be written."""
        return self.journal_error is not None


def encode_payload(payload: dict[str, Any]) -> bytes:
    """The request body: compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
