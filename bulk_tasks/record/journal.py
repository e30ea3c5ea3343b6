"""The journal: an append-only record of what was sent, so a re-run never creates a task twice.

One JSON object per line, beside the results file. The first line says which provider and base URL
the journal belongs to; then an ``intent`` line is written (and flushed) before each request and an
``outcome`` line after it. A row is known by its identity (``identity.row_identity``). Reading takes the last
word on each identity: an intent with no outcome after it means the request may have gone out, so
the row is ``uncertain``.

Durability: each record is handed to the operating system in full (a short write is completed or
undone) before the request it announces is written, so a crash or ``SIGKILL`` of bulk-tasks never
loses an intent. With ``sync`` (the default) the sender also awaits ``durable()`` before each
request: the intents are ``fsync``-ed (one call for all the requests waiting), so a power loss
cannot lose one either. A torn last line (a power loss mid-write) is cut off when the journal is next
written; any other line that cannot be read stops the run (``JournalError``): a lost intent could
mean a task created twice.

The file is created, and so bound to its provider and URL, at the first intent: a run that sends
nothing leaves no journal. A ``reading`` line records the options the sheet was read with
(``read/options.py``) whenever a run's differ from the last.

A row's first intent also carries the body sent (``"sent"``, last on the line), and a ``sent`` line
the body an update made current: a re-run compares each created row with it (``after.changed``),
reading back only a digest of it (``sent_digests``). ``after`` lines say what ``verify`` and ``undo``
did and when.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import os
import time
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, cast

from ..console.shell import shell_quote
from ..errors import JournalError, JournalWriteError, ResumeError, UnreadableFileError
from . import ABOUT
from ..statuses import Outcome, RowStatus

VERSION = 1
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
UNKNOWN_OUTCOME = ("sent by an earlier run whose outcome was never recorded; the task may exist: "
                   "check in the provider, then re-run with --retry-uncertain to send it again")


def journal_path(results_path: Path) -> Path:
    """``<results stem>.journal.jsonl`` beside the results file (the same for .csv and .xlsx)."""
    return results_path.with_name(f"{results_path.stem}.journal.jsonl")


class Journal:
    """An open journal: what earlier runs recorded (``previous``) and methods to append to it."""

    def __init__(self, path: Path, previous: dict[str, Outcome], header: dict[str, Any], *,
                 exists: bool, sync: bool = True) -> None:
        self.path = path
        self.previous = previous
        self.sync = sync
        self._header = header
        self._exists = exists
        self._descriptor: int | None = None
        self._size = 0
        self._synced = 0
        self._syncing: asyncio.Future[None] | None = None
        self._pending: list[dict[str, Any]] = []
        #: The last ``reading`` record (the options an earlier run read the sheet with), if any.
        self.reading: dict[str, Any] | None = None
        #: identity → ``sent_digest`` of the body last sent for it (when the journal recorded one).
        self.sent_digests: dict[str, bytes] = {}
        #: The ``after`` records (``verify``, ``undo``), oldest first.
        self.after: list[dict[str, Any]] = []

    @classmethod
    def open(cls, path: Path, provider: str, base_url: str, *, sync: bool = True,
             results_path: Path | None = None) -> Journal:
        """Read the journal at ``path`` (if any) for ``provider`` at ``base_url``; nothing is written yet.

        Raises ``ResumeError`` when it belongs to another provider or URL, ``JournalError`` when a
        line other than the last is damaged.
        """
        previous: dict[str, Outcome] = {}
        reading = None
        exists = path.exists()
        extras = Extras()
        if exists:
            header, previous, reading = read_journal(path, extras)
            _check_owner(path, header, provider, base_url, results_path)
        journal = cls(path, previous, {"type": "header", "about": ABOUT, "version": VERSION, "provider": provider,
                                       "base_url": base_url}, exists=exists, sync=sync)
        journal.reading = reading
        journal.sent_digests, journal.after = extras.sent, extras.after
        return journal

    def record_reading(self, record: dict[str, Any]) -> None:
        """Record the options this run reads the sheet with, unless they are those recorded last."""
        if record != self.reading:
            self.reading = record
            self.record(record)

    def record(self, record: dict[str, Any]) -> None:
        """Append ``record`` (in a journal not created yet: right after its header, at the first intent)."""
        if self._descriptor is None and not self._exists:
            return self._pending.append(record)
        self._open()
        self._append(_line(record))

    def intent(self, identity: str, row: int, attempt: int, sent: bytes | None = None) -> None:
        """Record that a request for ``identity`` is about to be written: on return it is on disk.
        ``sent``: the request's JSON body, kept on the line (a row's first attempt).
        Raises ``JournalWriteError`` (and leaves the journal as it was) when it cannot be written.
        """
        self._open()
        line = (f'{{"type":"intent","id":{_encode(identity)},"row":{row},"attempt":{attempt},'
                f'"at":{time.time():.3f}').encode()
        self._append(line + (b',"sent":' + sent if sent is not None else b"") + b"}\n")

    def sent(self, identity: str, row: int, body: bytes) -> None:
        """Record that the task of ``identity`` now holds ``body`` (an update went through)."""
        self._open()
        self._append(f'{{"type":"sent","id":{_encode(identity)},"row":{row},"at":{time.time():.3f}'.encode()
                     + b',"sent":' + body + b"}\n")

    def note(self, record: dict[str, Any]) -> None:
        """Append one more record (an ``after`` line: what ``verify`` or ``undo`` did)."""
        self._open()
        self._append(_line(record))

    async def durable(self) -> None:
        """Wait until every record written so far is on the disk itself (``fsync``), so that a power
        loss cannot lose it; one ``fsync`` in a thread serves every request waiting at the time."""
        while self.sync and self._descriptor is not None and self._synced < self._size:
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync_now(self._descriptor))
            await asyncio.shield(self._syncing)

    async def _sync_now(self, descriptor: int) -> None:
        mark = self._size
        try:
            await asyncio.to_thread(_sync, descriptor)
        finally:
            self._synced = max(self._synced, mark)
            self._syncing = None

    def outcome(self, identity: str, outcome: Outcome) -> None:
        """Record the final outcome of ``identity`` in this run (nothing, before the first intent of a
        journal that does not exist yet: no request went out)."""
        if self._descriptor is None and not self._exists:
            return
        self._open()
        self._append(_outcome_line(identity, outcome))

    def close(self) -> None:
        """Close the file (every record is already written: one ``write`` call each, unbuffered)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> int:
        if self._descriptor is not None:
            return self._descriptor
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            raise UnreadableFileError(f"Cannot write the journal {self.path} ({exc.strerror}): "
                                      "choose another --results location.") from None
        self._descriptor = descriptor
        self._exists = True
        self._size = _cut_torn_tail(self.path, descriptor)
        if self._size == 0:
            self._append(_line(self._header))
        for record in self._pending:
            self._append(_line(record))
        self._pending.clear()
        return descriptor

    def _append(self, data: bytes) -> None:
        """Write all of ``data`` (a short write is continued), or undo the part written and raise."""
        assert self._descriptor is not None
        written = 0
        try:
            while written < len(data):
                count = os.write(self._descriptor, data if not written else memoryview(data)[written:])
                if count <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += count
        except OSError as exc:
            if written:
                _undo(self._descriptor, self._size)
            raise JournalWriteError(write_failure(self.path, exc)) from None
        self._size += written


def _line(record: dict[str, Any]) -> bytes:
    """A record as one journal line."""
    return (_encode(record) + "\n").encode()


def _text(value: Any) -> str:
    """``_encode(value)``, quicker for text."""
    return encode_basestring(value) if type(value) is str else _encode(value)


def _outcome_line(identity: str, outcome: Outcome) -> bytes:
    """The journal line of an outcome, as ``_encode`` writes its record (fields that are None left out)."""
    status, row = _text(outcome.status.value), _encode(outcome.row)
    line = f'{{"type":"outcome","id":{_text(identity)},"status":{status},"row":{row}'
    if outcome.task_id is not None:
        line += f',"task_id":{_text(outcome.task_id)}'
    if outcome.request_id is not None:
        line += f',"request_id":{_text(outcome.request_id)}'
    if outcome.http_status is not None:
        line += f',"http_status":{_encode(outcome.http_status)}'
    if outcome.attempts is not None:
        line += f',"attempts":{_encode(outcome.attempts)}'
    if outcome.error is not None:
        line += f',"error":{_text(outcome.error)}'
    if outcome.revision is not None:
        line += f',"revision":{_text(outcome.revision)}'
    return (line + "}\n").encode()


def write_failure(path: Path, exc: OSError) -> str:
    """One sentence for a write that failed: a full disk or a size limit said as such, and where."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        what = f"The disk holding {path.parent} is full ({path.name} could not be written)"
    elif exc.errno == errno.EFBIG:
        what = f"{path} reached the largest file size allowed on this system (a file-size limit)"
    else:
        what = f"Cannot write {path} ({exc.strerror or exc})"
    return (f"{what}: nothing more is sent. Free some space, then run the same command again; "
            "nothing already created is sent twice")


def _undo(descriptor: int, size: int) -> None:
    try:
        os.ftruncate(descriptor, size)
    except OSError:
        pass


def _sync(descriptor: int) -> None:
    try:
        (getattr(os, "fdatasync", None) or os.fsync)(descriptor)
    except OSError:
        pass


def _cut_torn_tail(path: Path, descriptor: int) -> int:
    """Cut off a last line that lacks its newline (a write cut short); the journal's size after it."""
    size = end = os.fstat(descriptor).st_size
    with path.open("rb") as handle:
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            chunk = handle.read(end - start)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                end = start + newline + 1
                break
            end = start
    if end != size:
        _undo(descriptor, end)
    return end


class Extras:
    """What ``read_journal`` collects beyond outcomes when asked: body digests and ``after`` records."""

    def __init__(self) -> None:
        self.sent: dict[str, bytes] = {}
        self.after: list[dict[str, Any]] = []


def records_bodies(path: Path) -> bool:
    """Whether the journal at ``path`` keeps the bodies sent (written by a version that does)."""
    try:
        with path.open("rb") as handle:
            return b',"sent":' in handle.read(65536)
    except OSError:
        return False


def sent_digest(body: bytes) -> bytes:
    """A short digest of a request body, to tell whether a row still holds what was sent."""
    return hashlib.blake2b(body, digest_size=16).digest()


def read_journal(path: Path, extras: Extras | None = None
                 ) -> tuple[dict[str, Any] | None, dict[str, Outcome], dict[str, Any] | None]:
    """The journal's header, the last word on each identity, and the last ``reading``, read line by line.

    A last line that cannot be read is a record cut short and is ignored; any other raises
    ``JournalError``. ``extras``, when given, is filled too.
    """
    header: dict[str, Any] | None = None
    reading: dict[str, Any] | None = None
    last: dict[str, Outcome] = {}
    damaged: int | None = None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if damaged is not None:
                raise _damaged(path, damaged)
            record = _parse(line)
            if record is None:
                if line.strip():
                    damaged = number
                continue
            kind = record.get("type")
            if kind == "header" and header is None:
                header = record
            elif kind == "reading":
                reading = record
            else:
                _take(last, record)
            if extras is not None:
                _extra(extras, kind, record, line)
    return header, last, reading


def _extra(extras: Extras, kind: Any, record: dict[str, Any], line: bytes) -> None:
    if kind == "after":
        extras.after.append(record)
    elif isinstance(record.get("sent"), dict) and isinstance(record.get("id"), str):
        start, end = line.find(b',"sent":'), line.rfind(b"}")
        extras.sent[record["id"]] = sent_digest(line[start + 8:end])


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _damaged(path: Path, number: int) -> JournalError:
    return JournalError(
        f"Line {number} of the journal {path} is damaged, so bulk-tasks cannot tell which rows were already "
        "sent, and nothing was sent. Restore the file from a backup; or, after checking in the provider which "
        f"tasks exist, move {path.name} away and run the results file (with _status set to created for the "
        "tasks that exist) again.")


def _check_owner(path: Path, header: dict[str, Any] | None, provider: str, base_url: str,
                 results_path: Path | None) -> None:
    if header is None:
        return
    if header.get("provider") == provider and header.get("base_url") == base_url:
        return
    results = results_path.name if results_path is not None else f"the results file beside {path.name}"
    other = f"--results {shell_quote(_sibling(results_path))}" if results_path is not None else "another --results path"
    if str(header.get("base_url", "")).startswith("sandbox:"):
        raise ResumeError(
            f"{results} holds a --sandbox try (nothing real was created there). To send to {provider} for real, "
            f"give this run another results file ({other}), or delete {results} and {path.name} first.")
    raise ResumeError(
        f"{results} belongs to an import to {header.get('provider')} at {header.get('base_url')}, not {provider} "
        f"at {base_url}. To start fresh, give this run another results file ({other}), or move {results} and "
        f"{path.name} away.")


def _sibling(results_path: Path) -> str:
    stem = results_path.name[: -len(results_path.suffix)] if results_path.suffix else results_path.name
    stem = stem[: -len(".results")] if stem.endswith(".results") else stem
    return str(results_path.with_name(f"{stem}.real.results{results_path.suffix}"))


def _take(last: dict[str, Outcome], record: dict[str, Any]) -> None:
    identity = record.get("id")
    if not isinstance(identity, str):
        return
    if record.get("type") == "intent":
        earlier = last.get(identity)
        if earlier is None or earlier.status is not RowStatus.CREATED:
            last[identity] = Outcome(cast(int, record.get("row")), RowStatus.UNCERTAIN, error=UNKNOWN_OUTCOME)
    elif record.get("type") == "outcome":
        last[identity] = _recorded(record, last.get(identity))


def _recorded(record: dict[str, Any], earlier: Outcome | None) -> Outcome:
    try:
        status = RowStatus(cast(str, record.get("status")))
    except ValueError:
        status = RowStatus.UNCERTAIN
    if earlier is not None and earlier.status is RowStatus.CREATED and status is not RowStatus.CREATED:
        return earlier
    return Outcome(cast(int, record.get("row")), status, task_id=record.get("task_id"),
                    request_id=record.get("request_id"), http_status=record.get("http_status"),
                    attempts=int(record.get("attempts") or 0), error=record.get("error"),
                    revision=record.get("revision"))
