"""The work directory: one folder per import holding its inputs, results, journal and a small record.

``<workdir>/imports/<id>/`` keeps every uploaded file as ``input-<n>.<ext>`` (generated names, never
the client's path), the results file ``results.xlsx`` and, beside it, the journal the engine keeps.
Because the results path of an import never changes, its journal carries on from upload to upload
and from the page to the CLI: nothing created is sent twice.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BulkTasksError
from ..record.journal import journal_path, read_journal

_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")
RESULTS_NAME = "results.xlsx"
RECORD_NAME = "import.json"


def default_workdir() -> Path:
    """A ``bulk-tasks`` folder in the user's Documents folder, or in the home folder without one."""
    home = Path.home()
    documents = home / "Documents"
    return (documents if documents.is_dir() else home) / "bulk-tasks"


def safe_suffix(client_name: str) -> str:
    """The lower-case extension of the client's file name when it is plain (``.csv``), else ``''``."""
    suffix = Path(client_name.replace("\\", "/").rsplit("/", 1)[-1]).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


def display_name(client_name: str) -> str:
    """The client's file name without any folder and without control characters, for messages."""
    base = client_name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:200] or "the file"


@dataclass
class ImportRecord:
    """What the work directory remembers of one import (``import.json``)."""

    id: str
    provider: str
    created: float
    inputs: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    sent: bool = False

    @property
    def current_name(self) -> str:
        """The client's name of the latest upload."""
        return self.inputs[-1]["name"] if self.inputs else ""


class WorkDir:
    """The imports kept under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.imports = self.root / "imports"
        self.imports.mkdir(parents=True, exist_ok=True)

    def folder(self, import_id: str) -> Path:
        """The folder of an import; ``KeyError`` for an id that is not one of ours."""
        if not _ID.match(import_id) or not (self.imports / import_id / RECORD_NAME).is_file():
            raise KeyError(import_id)
        return self.imports / import_id

    def create(self, provider: str) -> ImportRecord:
        """A new, empty import for ``provider``."""
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime())
        record = ImportRecord(f"{stamp}-{secrets.token_hex(3)}", provider, time.time())
        (self.imports / record.id).mkdir(mode=0o700)
        self.save(record)
        return record

    def load(self, import_id: str) -> ImportRecord:
        """The record of an import; ``KeyError`` when there is none."""
        data = json.loads((self.folder(import_id) / RECORD_NAME).read_text(encoding="utf-8"))
        return ImportRecord(**data)

    def save(self, record: ImportRecord) -> None:
        """Write the record atomically."""
        target = self.imports / record.id / RECORD_NAME
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(record), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, target)

    def new_input_path(self, record: ImportRecord, client_name: str) -> Path:
        """Where the next upload of ``record`` is stored: ``input-<n><suffix>``."""
        return self.imports / record.id / f"input-{len(record.inputs) + 1}{safe_suffix(client_name)}"

    def input_path(self, record: ImportRecord) -> Path:
        """The latest upload of ``record``."""
        return self.imports / record.id / record.inputs[-1]["stored"]

    def results_path(self, record: ImportRecord) -> Path:
        """The import's results file (its journal is beside it)."""
        return self.imports / record.id / RESULTS_NAME

    def reconcile(self) -> list[str]:
        """Bring each import's counts up to its journal when the journal is newer than its results (a
        server killed mid-run wrote no results): rows journaled count as journaled, the rest as
        ``not_sent``. Returns the ids of the imports so corrected."""
        corrected = []
        for record in self.all():
            journal = journal_path(self.results_path(record))
            results = self.results_path(record)
            try:
                if not journal.exists() or (results.exists() and results.stat().st_mtime >= journal.stat().st_mtime):
                    continue
                last = read_journal(journal)[1]
            except (OSError, BulkTasksError):
                continue
            counts = Counter(outcome.status.value for outcome in last.values())
            rest = sum(record.counts.values()) - len(last)
            if rest > 0:
                counts["not_sent"] += rest
            record.counts, record.sent = dict(counts), bool(last)
            self.save(record)
            corrected.append(record.id)
        return corrected

    def all(self) -> Iterator[ImportRecord]:
        """Every import, newest first."""
        for folder in sorted(self.imports.iterdir(), reverse=True):
            try:
                yield self.load(folder.name)
            except (KeyError, OSError, ValueError, TypeError):
                continue


class MappingMemory:
    """Column choices saved per provider and set of headers, reused when the same headers come back."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _key(provider: str, headers: list[str]) -> str:
        return json.dumps([provider, sorted(headers)], ensure_ascii=False)

    def recall(self, provider: str, headers: list[str]) -> dict[str, str]:
        """The mapping saved for these headers, or an empty one."""
        saved = self._read().get(self._key(provider, headers), {})
        return {k: v for k, v in saved.items() if isinstance(k, str) and isinstance(v, str)}

    def remember(self, provider: str, headers: list[str], mapping: dict[str, str]) -> None:
        """Save ``mapping`` for these headers."""
        data = self._read()
        data[self._key(provider, headers)] = mapping
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)
