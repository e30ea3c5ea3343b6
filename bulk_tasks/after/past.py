"""A past import: its results file read back, where it was sent, and the file written again in place."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ..check.formulas import restore_neutralized
from ..check.headers import match_columns
from ..console import after_messages as say
from ..errors import UsageError
from ..providers import Provider, get_provider
from ..read.table import Table, read_table
from ..record.journal import journal_path
from ..report.write import write_results
from ..shape.provenance import SANDBOX, SENT_TO_COLUMN, run_description, sent_to_label
from ..statuses import RowStatus

#: Journal records of what came after the send: ``{"type": "after", "what": "undo", "at": …, "count": …}``.
AFTER_RECORD = "after"
#: Statuses of rows whose task this tool created.
CREATED_STATUSES = frozenset({RowStatus.CREATED.value, RowStatus.ALREADY_CREATED.value, RowStatus.UPDATED.value,
                              RowStatus.CHANGED.value})


@dataclass
class History:
    """What the journal says beyond each row's last outcome."""

    header: dict[str, Any] | None = None
    reading: dict[str, Any] | None = None
    #: identity → the payload last sent for it (a create's, or an update's).
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: identity → when its first request was written.
    first_sent_at: dict[str, float] = field(default_factory=dict)
    #: task ID → the revision last seen in a reply.
    revisions: dict[str, str] = field(default_factory=dict)
    #: identity → task ID, from created outcomes.
    task_of: dict[str, str] = field(default_factory=dict)
    #: identity → last status word recorded (``deleted`` for ``undo:…``).
    last_status: dict[str, str] = field(default_factory=dict)
    #: The ``after`` records, oldest first.
    events: list[dict[str, Any]] = field(default_factory=list)
    #: When the first request of the import was written.
    started: float | None = None


def read_history(path: Path) -> History:
    """Every record of the journal at ``path`` that matters after the send (none when there is none)."""
    history = History()
    if not path.exists():
        return history
    with path.open("rb") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                _note(history, record)
    return history


def _note(history: History, record: dict[str, Any]) -> None:
    kind, identity = record.get("type"), record.get("id")
    if kind == "header" and history.header is None:
        history.header = record
    elif kind == "reading":
        history.reading = record
    elif kind == AFTER_RECORD:
        history.events.append(record)
    if not isinstance(identity, str):
        return
    if isinstance(record.get("sent"), dict):
        history.sent[identity] = record["sent"]
    if kind == "intent":
        at = record.get("at")
        if isinstance(at, (int, float)):
            history.first_sent_at.setdefault(identity, float(at))
            history.started = float(at) if history.started is None else min(history.started, float(at))
    elif kind == "outcome":
        status, task_id, revision = record.get("status"), record.get("task_id"), record.get("revision")
        if isinstance(status, str) and (status != RowStatus.UNCERTAIN.value
                                        or history.last_status.get(identity) != RowStatus.CREATED.value):
            history.last_status[identity] = status
        if status == RowStatus.CREATED.value and isinstance(task_id, str):
            history.task_of[identity] = task_id
        if isinstance(task_id, str) and isinstance(revision, str):
            history.revisions[task_id] = revision


@dataclass
class PastImport:
    """A results file read back (values as written, CSV neutralizing undone) and where its rows went."""

    path: Path
    table: Table
    provider: Provider
    base_url: str
    history: History

    @property
    def frame(self) -> pd.DataFrame:
        """The results, one line per row, indexed by the file's own row numbers."""
        return self.table.frame

    @property
    def journal(self) -> Path:
        """The journal beside the results file."""
        return journal_path(self.path)

    @property
    def sent_to(self) -> str:
        """The ``_sent_to`` label of this import."""
        return sent_to_label(self.provider.name, self.base_url, sandbox=False)

    def column(self, name: str) -> pd.Series:
        """A results column as text, blank cells as ``""``."""
        if name not in self.frame:
            return pd.Series("", index=self.frame.index, dtype=object)
        return self.frame[name].map(lambda value: "" if value is None or value != value else str(value).strip())

    def reference_column(self) -> str | None:
        """The input column that holds each row's ``external_ref``, if the sheet has one."""
        match = match_columns([str(name) for name in self.frame.columns], self.provider, None)
        return match.header_of.get("external_ref")

    def write(self, line: tuple[str, str]) -> None:
        """Write the results file again in place, the Summary sheet saying what happened after the send."""
        about = run_description(provider=self.provider.name, sent_to=self.sent_to,
                                timezone=str((self.history.reading or {}).get("timezone", "UTC")),
                                when=datetime.fromtimestamp(self.history.started or time.time(), timezone.utc))
        earlier = [(str(event.get("label")), str(event.get("text"))) for event in self.history.events]
        match = match_columns([str(name) for name in self.frame.columns], self.provider, None)
        fields = {spec.name: spec for spec in self.provider.fields}
        write_results(self.path, self.frame, {}, [*about, *earlier, line], provider=self.provider,
                      fields={header: fields[name] for header, name in match.field_of.items() if name in fields})


def open_past(path: str | Path, command: str, *, provider: str | None = None, base_url: str | None = None,
              sandbox: bool = False) -> PastImport:
    """Read the results file at ``path``; its provider and endpoint from the journal (else ``_sent_to``).

    ``provider``, ``base_url`` and ``sandbox``, when given, must agree with them (``UsageError``).
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(say.NO_RESULTS.format(path=path, command=command))
    table = read_table(path, None)
    if "_status" not in table.frame:
        raise UsageError(say.NOT_RESULTS.format(path=path, command=command))
    if table.format == "csv":
        table.frame = restore_neutralized(table.frame)
    history = read_history(journal_path(path))
    name, url = _recorded_place(table.frame, history)
    if name is None or url is None:
        raise UsageError(say.NO_PLACE.format(path=path, command=command))
    if url.startswith("sandbox:") or sandbox:
        raise UsageError(say.SANDBOX_GONE.format(path=path, command=command) if url.startswith("sandbox:")
                         else say.DISAGREES.format(path=path, given="--sandbox", provider=name, url=url))
    if provider is not None and provider != name:
        raise UsageError(say.DISAGREES.format(path=path, given=f"--provider {provider}", provider=name, url=url))
    if base_url is not None and base_url.rstrip("/") != url.rstrip("/"):
        raise UsageError(say.DISAGREES.format(path=path, given=f"--base-url {base_url}", provider=name, url=url))
    return PastImport(path, table, get_provider(name), url, history)


def _recorded_place(frame: pd.DataFrame, history: History) -> tuple[str | None, str | None]:
    header = history.header or {}
    if isinstance(header.get("provider"), str) and isinstance(header.get("base_url"), str):
        return header["provider"], header["base_url"]
    if SENT_TO_COLUMN not in frame:
        return None, None
    for value in frame[SENT_TO_COLUMN].dropna().astype(str):
        value = value.strip()
        if value == SANDBOX:
            return "sandbox", "sandbox:in-process"
        name, _, url = value.partition(" ")
        if name and url:
            return name, url
    return None, None


def parse_rows(spec: str) -> set[int]:
    """``2-40,57`` as a set of row numbers; ``UsageError`` for anything else."""
    rows: set[int] = set()
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        first, dash, last = part.partition("-")
        try:
            low, high = int(first), int(last) if dash else int(first)
        except ValueError:
            raise UsageError(say.BAD_ROWS.format(spec=spec)) from None
        if low < 2 or high < low:
            raise UsageError(say.BAD_ROWS.format(spec=spec))
        rows.update(range(low, high + 1))
    if not rows:
        raise UsageError(say.BAD_ROWS.format(spec=spec))
    return rows


def now_text() -> str:
    """The local date and time, as notes say it."""
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
