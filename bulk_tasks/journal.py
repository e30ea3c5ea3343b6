"""The journal: an append-only record of what was sent, so a re-run never creates a task twice.

One JSON object per line, beside the results file. The first line says which provider and base URL
the journal belongs to; then an ``intent`` line is written (and flushed) before each request and an
``outcome`` line after it. A row is known by its identity (``row_identity``). Reading takes the last
word on each identity: an intent with no outcome after it means the request may have gone out, so
the row is ``uncertain``. A torn last line (the process killed mid-write) is ignored. A ``reading``
line records the options the sheet was read with (``readings.py``) whenever a run's differ from the last.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from .errors import ResumeError, UnreadableFileError
from .statuses import Outcome, RowStatus

VERSION = 1
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
UNKNOWN_OUTCOME = ("sent by an earlier run whose outcome was never recorded; the task may exist: "
                   "check in the provider, then re-run with --retry-uncertain to send it again")


def journal_path(results_path: Path) -> Path:
    """``<results stem>.journal.jsonl`` beside the results file (the same for .csv and .xlsx)."""
    return results_path.with_name(f"{results_path.stem}.journal.jsonl")


def row_identity(payload: dict[str, Any]) -> str:
    """A row's identity: its ``external_ref`` when it has one, else a hash of its payload."""
    reference = payload.get("external_ref")
    if isinstance(reference, str) and reference:
        return "ref:" + reference
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Journal:
    """An open journal: what earlier runs recorded (``previous``) and methods to append to it."""

    def __init__(self, path: Path, previous: dict[str, Outcome], descriptor: int) -> None:
        self.path = path
        self.previous = previous
        self._descriptor = descriptor
        #: The last ``reading`` record (the options an earlier run read the sheet with), if any.
        self.reading: dict[str, Any] | None = None

    @classmethod
    def open(cls, path: Path, provider: str, base_url: str) -> Journal:
        """Open (or start) the journal at ``path`` for ``provider`` at ``base_url``."""
        previous: dict[str, Outcome] = {}
        reading = None
        if path.exists():
            header, records = _read(path)
            _check_owner(path, header, provider, base_url)
            previous = _last_words(records)
            reading = next((record for record in reversed(records) if record.get("type") == "reading"), None)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UnreadableFileError(f"Cannot write the journal {path} ({exc.strerror}): "
                                      "choose another --results location.") from None
        journal = cls(path, previous, descriptor)
        journal.reading = reading
        if _ends_torn(path):
            os.write(descriptor, b"\n")
        if path.stat().st_size == 0:
            journal._write({"type": "header", "version": VERSION, "provider": provider, "base_url": base_url})
        return journal

    def intent(self, identity: str, row: int, attempt: int) -> None:
        """Record that a request for ``identity`` is about to be written."""
        os.write(self._descriptor, f'{{"type":"intent","id":{_encode(identity)},"row":{row},"attempt":{attempt},'
                                   f'"at":{time.time():.3f}}}\n'.encode())

    def outcome(self, identity: str, outcome: Outcome) -> None:
        """Record the final outcome of ``identity`` in this run."""
        record = {"type": "outcome", "id": identity, "status": outcome.status.value, "row": outcome.row,
                  "task_id": outcome.task_id, "request_id": outcome.request_id,
                  "http_status": outcome.http_status, "attempts": outcome.attempts, "error": outcome.error}
        self._write({key: value for key, value in record.items() if value is not None})

    def record_reading(self, record: dict[str, Any]) -> None:
        """Record the options this run reads the sheet with, unless they are those recorded last."""
        if record != self.reading:
            self._write(record)
            self.reading = record

    def close(self) -> None:
        """Close the file (every record is already written: one ``write`` call each, unbuffered)."""
        os.close(self._descriptor)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, record: dict[str, Any]) -> None:
        os.write(self._descriptor, (_encode(record) + "\n").encode())


def _ends_torn(path: Path) -> bool:
    """Whether the last line lacks its newline (a write cut short): later records must start afresh."""
    size = path.stat().st_size
    if size == 0:
        return False
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) != b"\n"


def _read(path: Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    header: dict[str, Any] | None = None
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(record, dict):
                continue
            if record.get("type") == "header" and header is None:
                header = record
            else:
                records.append(record)
    return header, records


def _check_owner(path: Path, header: dict[str, Any] | None, provider: str, base_url: str) -> None:
    if header is None:
        return
    if header.get("provider") != provider or header.get("base_url") != base_url:
        raise ResumeError(
            f"The results file beside {path.name} belongs to an import to {header.get('provider')} at "
            f"{header.get('base_url')}, not {provider} at {base_url}. To start fresh, choose another "
            f"--results path (or move {path.name} and the results file away).")


def _last_words(records: list[dict[str, Any]]) -> dict[str, Outcome]:
    last: dict[str, Outcome] = {}
    for record in records:
        identity = record.get("id")
        if not isinstance(identity, str):
            continue
        if record.get("type") == "intent":
            earlier = last.get(identity)
            if earlier is None or earlier.status is not RowStatus.CREATED:
                last[identity] = Outcome(record.get("row"), RowStatus.UNCERTAIN, error=UNKNOWN_OUTCOME)
        elif record.get("type") == "outcome":
            last[identity] = _recorded(record, last.get(identity))
    return last


def _recorded(record: dict[str, Any], earlier: Outcome | None) -> Outcome:
    try:
        status = RowStatus(record.get("status"))
    except ValueError:
        status = RowStatus.UNCERTAIN
    if earlier is not None and earlier.status is RowStatus.CREATED and status is not RowStatus.CREATED:
        return earlier
    return Outcome(record.get("row"), status, task_id=record.get("task_id"),
                    request_id=record.get("request_id"), http_status=record.get("http_status"),
                    attempts=int(record.get("attempts") or 0), error=record.get("error"))
