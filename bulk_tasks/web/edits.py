"""Cells fixed on the page, kept in the import's folder: the log of edits, and the sheet as edited.

``edits.json`` holds every cell typed over the latest upload (which is never changed) and the groups
of changes to undo and redo; it is written at each change, so a reload or a restart loses nothing.
``<upload>-edited.csv`` beside it is the sheet as edited, a new version of the upload with the same
row numbers: what a send reads, what the downloads give, and what the command line continues from.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .store import ImportRecord, WorkDir

if TYPE_CHECKING:
    from .sheet import Sheet

EDITS_NAME = "edits.json"
#: Seconds without a change before the sheet as edited is written.
WRITE_DELAY = 2.0
#: Groups of changes kept for undo (and as many for redo).
UNDO_DEPTH = 100

#: (row, header, value before, value after).
Change = tuple[int, str, "str | None", "str | None"]


@dataclass
class EditLog:
    """The edits of one upload: the cells as typed, and what undo and redo would do."""

    base: str
    cells: dict[str, str | None] = field(default_factory=dict)
    done: list[dict[str, Any]] = field(default_factory=list)
    undone: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0

    @classmethod
    def load(cls, folder: Path, base: str) -> EditLog:
        """The log of ``base`` (the stored name of the upload); an empty one for a new upload."""
        try:
            data = json.loads((folder / EDITS_NAME).read_text(encoding="utf-8"))
            log = cls(**data)
        except (OSError, ValueError, TypeError):
            return cls(base)
        return log if log.base == base else cls(base)

    def save(self, folder: Path) -> None:
        """Write the log atomically."""
        target = folder / EDITS_NAME
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, target)

    def edits(self) -> dict[tuple[int, str], str | None]:
        """(row, header) → the value typed, for ``prepare(edits=…)``."""
        found = {}
        for key, value in self.cells.items():
            row, header = key.split("\t", 1)
            found[(int(row), header)] = value
        return found

    def record(self, label: str, changes: list[Change]) -> None:
        """A new group of changes (a typed cell, a fix-all, a replace): undoable, and redo starts over."""
        self.done = [*self.done[-(UNDO_DEPTH - 1):], {"label": label, "changes": [list(c) for c in changes]}]
        self.undone = []
        self._write(changes, after=True)

    def undo(self) -> list[tuple[int, str, str | None]] | None:
        """The cells to write back for the last group (``None``: nothing to undo)."""
        return self._move(self.done, self.undone, after=False)

    def redo(self) -> list[tuple[int, str, str | None]] | None:
        """The cells to write again for the last group undone (``None``: nothing to redo)."""
        return self._move(self.undone, self.done, after=True)

    def _move(self, source: list[dict[str, Any]], target: list[dict[str, Any]],
              after: bool) -> list[tuple[int, str, str | None]] | None:
        if not source:
            return None
        group = source.pop()
        target.append(group)
        changes = [(int(c[0]), str(c[1]), c[2], c[3]) for c in group["changes"]]
        self._write(changes, after)
        return [(row, header, new if after else old) for row, header, old, new in changes]

    def _write(self, changes: list[Change], after: bool) -> None:
        for row, header, old, new in changes:
            self.cells[f"{row}\t{header}"] = new if after else old
        self.version += 1

    def counts(self) -> dict[str, Any]:
        """What the undo and redo buttons say."""
        return {"undo": len(self.done), "redo": len(self.undone),
                "undo_label": self.done[-1]["label"] if self.done else None,
                "redo_label": self.undone[-1]["label"] if self.undone else None,
                "edited": bool(self.cells)}


def edited_path(workdir: WorkDir, record: ImportRecord) -> Path:
    """Where the latest upload of ``record``, as edited, is kept."""
    stored = Path(record.inputs[-1]["stored"])
    return workdir.folder(record.id) / f"{stored.stem}-edited.csv"


def sheet_path(workdir: WorkDir, record: ImportRecord) -> Path:
    """The sheet as it is now: the edited version when there is one, else the latest upload."""
    edited = edited_path(workdir, record)
    return edited if edited.exists() else workdir.input_path(record)


def write_sheet_csv(target: Path, frame: pd.DataFrame, headers: list[str]) -> None:
    """Write the sheet's ``headers`` columns of ``frame`` as CSV, each data row at its own spreadsheet row
    number (blank lines keep the numbers of rows a reader skips), atomically."""
    numbers = frame.index
    first = int(numbers[0]) if len(numbers) else 2
    last = int(numbers[-1]) if len(numbers) else 1
    full = frame[headers].reindex(range(first, last + 1)) if last - first + 1 != len(frame) else frame[headers]
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        blank = "," * (len(headers) - 1) + "\r\n" if len(headers) > 1 else '""\r\n'
        handle.write(blank * max(first - 2, 0))  # the header stays right above the first data row
        full.to_csv(handle, index=False, header=headers, lineterminator="\r\n")
    os.replace(temporary, target)


def write_sheet_xlsx(target: Path, frame: pd.DataFrame, headers: list[str]) -> None:
    """The same sheet as a plain workbook (every cell text, as it was read), for the download."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tasks")
    sheet.append(headers)

    def cell(value: Any) -> Any:
        if not (isinstance(value, str) and value.startswith("=")):
            return value
        text = WriteOnlyCell(sheet, value)
        text.data_type = "s"  # text that looks like a formula stays text
        return text

    for values in frame[headers].itertuples(index=False, name=None):
        sheet.append([cell(value) for value in values])
    temporary = target.with_name(target.name + ".tmp.xlsx")
    book.save(temporary)
    os.replace(temporary, target)


class SheetWriter:
    """Writes the sheet as edited in a worker thread once changes pause for ``delay`` seconds, and at once
    when flushed (before a send or a download). Each change is in ``edits.json`` as it is made; this file
    is made from it, so writing it later loses nothing, and the next edit does not wait behind it."""

    def __init__(self, delay: float = WRITE_DELAY) -> None:
        self.delay = delay
        self.error: str | None = None
        self._pending: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._now = False

    def schedule(self, write: Callable[[], None]) -> None:
        """Write with ``write`` once changes pause (a later ``schedule`` replaces it)."""
        self._pending = write
        self._changed.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._pending is not None:
            if not self._now:
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), self.delay)
                    continue  # another change: wait for the pause again
                except TimeoutError:
                    pass
            write, self._pending = self._pending, None
            try:
                await asyncio.to_thread(write)
                self.error = None
            except OSError as exc:
                self.error = f"The fixed sheet could not be saved ({exc.strerror or exc}): free some disk space."

    async def flush(self) -> None:
        """Write now what is pending, and wait until it is written."""
        self._now = True
        self._changed.set()
        try:
            while self._task is not None and not self._task.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(self._task)
        finally:
            self._now = False


def save_edited(writers: dict[str, Any], workdir: WorkDir, record: ImportRecord, sheet: Sheet) -> None:
    """Write the sheet as edited in the background (its new version in the import's folder)."""
    target, frame, headers = edited_path(workdir, record), sheet.prepared.table.frame, sheet.prepared.table.headers
    found = writers.setdefault(record.id, SheetWriter())
    found.schedule(lambda: write_sheet_csv(target, frame, headers))
