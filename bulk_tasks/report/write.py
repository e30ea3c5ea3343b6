"""The results file: one line per data row, in the column order of ``results_layout``.

CSV is written UTF-8 with a BOM; XLSX by ``results_xlsx`` (formatted, with a ``Summary`` sheet). Either way the
file is written beside its final path and renamed into place, so a crash never leaves half a file.
Values that Excel would run as formulas are neutralized (CSV: a leading ``'``; XLSX: text cells).
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from .background_writer import BackgroundWriter
from ..shape.csv_fields import csv_field, needs_quotes
from ..errors import ResultsFileError
from ..console.shell import shell_quote
from ..check.formulas import DANGEROUS as _DANGEROUS

if TYPE_CHECKING:
    from ..providers import Provider
    from ..providers.fields import Field


class LazyColumn(Protocol):
    """A results column rendered a slice of rows at a time while the file is written, never held whole
    (a dry run's ``_payload``)."""

    def values(self, start: int, stop: int, *, csv: bool = False) -> list[Any]:
        """The cells of table rows ``start`` to ``stop``; with ``csv``, each as its finished CSV field."""
        ...


RESULT_COLUMNS = ("_row", "_status", "_task_id", "_request_id", "_http_status", "_attempts", "_error")
PAYLOAD_COLUMN = "_payload"


def default_results_path(input_path: Path, fmt: str | None = None) -> Path:
    """``<stem>.results.<csv|xlsx>`` beside the input, in the input's format unless ``fmt`` says.

    An input that is itself a results file (``tasks.results.xlsx``, fixed and run again) is its own
    results file, so its journal carries on.
    """
    fmt = fmt or ("xlsx" if input_path.suffix.lower() in (".xlsx", ".xlsm") else "csv")
    stem = input_path.stem
    return input_path.with_name(f"{stem}.{fmt}" if stem.endswith(".results") else f"{stem}.results.{fmt}")


def results_format(path: Path) -> str:
    """``csv`` or ``xlsx`` from the results path's suffix."""
    return "xlsx" if path.suffix.lower() == ".xlsx" else "csv"


def _neutralize_cell(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and _DANGEROUS.match(value) else value


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(handle if os.chmod in os.supports_fd else temporary, _mode_for(path))
    finally:
        os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions of the file being replaced, or what the umask gives a new file (not mkstemp's 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


RESULT_SUFFIXES = (".csv", ".xlsx")


def check_results_target(path: Path) -> None:
    """``ResultsFileError`` unless ``path`` can become a results file: a regular file (or none yet)
    whose suffix says its format."""
    if path.is_dir():
        raise ResultsFileError(f"--results {path} is a folder: give a file in it, for example "
                               f"--results {shell_quote(str(path / 'tasks.results.xlsx'))}")
    if path.exists() and not path.is_file():
        raise ResultsFileError(f"--results {path} is not a regular file (it is a device, a pipe or a socket), and "
                               "bulk-tasks writes the results to a file it can replace: choose a file path "
                               "ending in .csv or .xlsx.")
    if path.suffix.lower() not in RESULT_SUFFIXES:
        raise ResultsFileError(f"--results {path} must end in .csv or .xlsx, which says the format of the results: "
                               f"for example --results {shell_quote(str(path.with_suffix('.xlsx')))}")


def check_writable(path: Path) -> None:
    """Make sure the results file can be written before anything is sent; ``ResultsFileError`` if not."""
    check_results_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        os.close(handle)
        os.unlink(probe)
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, "Permission denied")
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> ResultsFileError:
    return ResultsFileError(f"Cannot write the results file {path} ({exc.strerror or exc}): close it if it is open "
                            "in another program, free some disk space, or choose another place with --results.")


def write_results(path: Path, table: pd.DataFrame, cell_errors: Mapping[tuple[int, str], str] | None = None,
                  about: Sequence[tuple[str, Any]] = (), *, fields: Mapping[str, Field] | None = None,
                  provider: Provider | None = None, lazy: Mapping[str, LazyColumn] | None = None,
                  date_formats: Mapping[str, str | int] | None = None) -> Path:
    """Write ``table`` (one line per row) and the ``lazy`` columns to ``path`` atomically, the columns in
    ``column_order``.

    ``cell_errors`` maps (spreadsheet row, input header) to the broken rule, for XLSX highlights;
    ``about`` (``provenance.run_description``) heads the XLSX Summary sheet;
    ``fields`` maps input headers to ``provider``'s fields, for the template's help in XLSX results;
    ``date_formats`` (``Table.date_formats``) input headers to the number format of their date cells.
    """
    from .layout import column_order

    lazy = dict(lazy or {})
    check_fits_a_sheet(path, len(table))
    try:
        with _atomic(path) as temporary:
            if results_format(path) == "xlsx":
                from .layout import column_looks
                from .xlsx import write_results_xlsx

                table = table.assign(**{name: column.values(0, len(table)) for name, column in lazy.items()})
                order = column_order([str(name) for name in table.columns])
                looks = column_looks(table, order, fields, provider, date_formats)
                write_results_xlsx(temporary, table, order, cell_errors or {}, looks, about=about)
            else:
                from ..record.guard import record_csv

                order = column_order([*map(str, table.columns), *lazy])
                record_csv(path, _write_csv(temporary, table, order, lazy))
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    return path


def check_fits_a_sheet(path: Path, rows: int) -> None:
    """``ResultsFileError`` when ``path`` is an XLSX and ``rows`` data rows and a header would not fit in
    its sheet."""
    from .xlsx_writer import MAX_ROWS

    if results_format(path) == "xlsx" and rows + 1 > MAX_ROWS:
        instead = shell_quote(str(path.with_suffix(".csv")))
        raise ResultsFileError(f"{path} cannot hold {rows:,} rows: an Excel sheet holds {MAX_ROWS - 1:,} below its "
                               f"header. Write the results as CSV instead: --results {instead}")


def _write_csv(path: Path, table: pd.DataFrame, order: list[int],
               lazy: Mapping[str, LazyColumn] | None = None) -> str:
    """``table[order]`` as ``to_csv(index=False)`` would write it with a BOM and CRLF lines, byte for byte,
    dangerous text neutralized (a leading ``'``), ``CSV_CHUNK_ROWS`` rows at a time, so that a million rows
    never exist twice in memory; positions past the table's columns in ``order`` are the ``lazy`` columns.
    Returns the file's SHA-256."""
    lazy = lazy or {}
    width, extra = table.shape[1], list(lazy.values())
    names = [*map(str, table.columns), *lazy]
    columns = [table.iloc[:, at].to_numpy() if at < width else extra[at - width] for at in order]
    with path.open("wb") as handle, BackgroundWriter(handle) as writer:
        writer.write(("\ufeff" + ",".join(csv_field(names[at]) for at in order) + "\r\n").encode())
        for start in range(0, len(table), CSV_CHUNK_ROWS):
            stop = min(start + CSV_CHUNK_ROWS, len(table))
            fields = [_csv_column(column[start:stop].tolist()) if isinstance(column, np.ndarray)
                      else column.values(start, stop, csv=True) for column in columns]
            writer.write(("\r\n".join(map(",".join, zip(*fields))) + "\r\n").encode())
    return writer.digest


CSV_CHUNK_ROWS = 10_000
_FORMULA_STARTS = ("=", "@", "+", "-")
_FORMULA_AFTER_SEPARATOR = re.compile("\x00[=@+-]")


def _csv_column(values: list[Any]) -> list[str]:
    """One column's cells as CSV fields: dangerous text neutralized, quoted where needed, NA empty.

    Whole-column checks first (one ``join``), so that the common column needs no per-cell work.
    """
    try:
        joined = "\x00".join(values)
        texts = values
    except TypeError:
        if values.count(None) == len(values):
            return [""] * len(values)
        if all(type(value) is int for value in values):
            return list(map(str, values))
        texts = [value if type(value) is str else _csv_plain(value) for value in values]
        joined = "\x00".join(texts)
    if joined[:1] in _FORMULA_STARTS or _FORMULA_AFTER_SEPARATOR.search(joined):
        texts = [_neutralize_cell(value) if type(value) is str else text for value, text in zip(values, texts)]
    if needs_quotes(joined):
        texts = ['"' + text.replace('"', '""') + '"' if '"' in text or "," in text or "\n" in text or "\r" in text
                 else text for text in texts]
    return texts


def _csv_plain(value: Any) -> str:
    return "" if value is None or value is pd.NA or value is pd.NaT or value != value else str(value)
