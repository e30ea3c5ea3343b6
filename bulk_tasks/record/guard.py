"""Never replace a results file the user has edited since bulk-tasks wrote it.

The README tells users to fix rows in the results file; running the original input again would
overwrite those fixes. So every results file carries a fingerprint of what was written: an XLSX in
its own document properties (a digest of every part's checksum and size, which any save by Excel or
LibreOffice changes), a CSV in a small file beside it (``tasks.results.csv.written``, its SHA-256).
Before a file is replaced, a missing or different fingerprint stops the command with a sentence
naming both files. The intended in-place update, the results file given as the input, is allowed
when bulk-tasks wrote that file (its fingerprint is there, even if edits since changed it); a
``--results`` naming any other input (the user's own workbook) is refused.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import ResultsFileError

FINGERPRINT_PROPERTY = "bulk-tasks written"
CUSTOM_PROPERTIES_PART = "docProps/custom.xml"
_PROPERTY = re.compile(rb'name="' + FINGERPRINT_PROPERTY.encode() + rb'"\s*>\s*<vt:lpwstr>([0-9a-f]{64})</vt:lpwstr>')


def xlsx_fingerprint(entries: Iterable[zipfile.ZipInfo]) -> str:
    """A digest of a workbook's parts (name, CRC-32, size) but the custom properties that hold it."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda item: item.filename):
        if entry.filename != CUSTOM_PROPERTIES_PART:
            digest.update(f"{entry.filename}\0{entry.CRC}\0{entry.file_size}\n".encode())
    return digest.hexdigest()


def sidecar_path(csv_path: Path) -> Path:
    """Where the fingerprint of a CSV results file is kept: ``<name>.written`` beside it."""
    return csv_path.with_name(csv_path.name + ".written")


def record_csv(final: Path, digest: str) -> None:
    """Keep ``digest``, the SHA-256 of the file about to become ``final``, beside ``final``."""
    sidecar_path(final).write_text(
        f"{digest}\nThe SHA-256 of {final.name} as bulk-tasks wrote it: bulk-tasks compares it "
        "before replacing that file, so that changes made in it are never overwritten.\n", encoding="utf-8")


def unchanged_since_written(path: Path) -> bool:
    """Whether ``path`` is exactly what bulk-tasks last wrote there (False when it cannot tell)."""
    try:
        if path.suffix.lower() == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                match = _PROPERTY.search(archive.read(CUSTOM_PROPERTIES_PART))
                return match is not None and match.group(1).decode() == xlsx_fingerprint(archive.infolist())
        recorded = sidecar_path(path).read_text(encoding="utf-8").split("\n", 1)[0].strip()
        return recorded == _file_digest(path)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def written_by_bulk_tasks(path: Path) -> bool:
    """Whether bulk-tasks wrote ``path`` at some time (its fingerprint is there, whatever was edited since)."""
    try:
        if path.suffix.lower() == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                return f'name="{FINGERPRINT_PROPERTY}"'.encode() in archive.read(CUSTOM_PROPERTIES_PART)
        return sidecar_path(path).is_file()
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def check_not_edited(results: Path, input_path: Path, command: str, provider: str) -> None:
    """Refuse to replace ``results`` when it holds changes bulk-tasks did not write, unless it is the input
    (and a results file bulk-tasks wrote)."""
    if not results.exists():
        return
    if _same_file(results, input_path):
        if written_by_bulk_tasks(results):
            return
        raise ResultsFileError(
            f"--results names the input itself ({input_path.name}), which is not a results file bulk-tasks wrote: "
            f"writing the results there would replace your own file (every other sheet and formula in it "
            f"included), so nothing was done. Leave --results out to write them beside it, or name a new file.")
    if unchanged_since_written(results):
        return
    doing = "validating" if command == "validate" else "running"
    raise ResultsFileError(
        f"{results} was changed after bulk-tasks wrote it (or was not written by bulk-tasks), and {doing} "
        f"{input_path} would replace it. To use the rows fixed in it, give it as the input: "
        f"bulk-tasks {command} {_shell(results)} --provider {provider}. To start again from {input_path.name}, "
        f"rename or delete {results.name} first, or write elsewhere with --results.")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _shell(path: Path) -> str:
    from ..console.shell import shell_quote

    return shell_quote(str(path))
