"""``--env-file``: credentials from a ``.env`` file, read only (never written, never printed).

The format is the usual one: ``NAME=value`` lines, ``#`` comments, blank lines, an optional
``export`` in front, values optionally in single or double quotes. Files saved by Notepad as UTF-8
with a BOM or as "Unicode" (UTF-16) are read too.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import UsageError

_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*")


def read_env_file(path: str | Path) -> dict[str, str]:
    """The variables set in ``path``.

    A ``UsageError`` naming the line (never its content) if one is not ``NAME=value``.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise UsageError(f"The --env-file {path} is not a regular file (it is a folder, a pipe or a device): save the "
                         "credentials in a text file of NAME=value lines and give that file's path.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"The --env-file {path} does not exist: check the path, or leave --env-file out "
                         "to use the environment.") from None
    except OSError as exc:
        raise UsageError(f"The --env-file {path} cannot be read ({exc.strerror}).") from None
    values: dict[str, str] = {}
    for number, line in enumerate(_decode(data, path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise UsageError(f"Line {number} of the --env-file {path} is not NAME=value (for example "
                             "QUO_API_KEY=your-key): fix that line and run again.")
        values[match[1]] = _unquoted(match[2])
    return values


def _decode(data: bytes, path: Path) -> str:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode("utf-16" if utf16 else "utf-8-sig", errors="replace").count("\n") + 1
        kind = "Unicode (UTF-16) text that is damaged" if utf16 else "not a text file in UTF-8"
        raise UsageError(f"Line {line} of the --env-file {path} is {kind}: save the file again as UTF-8 text "
                         "(in Notepad: File > Save as, Encoding UTF-8).") from None


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return re.sub(r"\s+#.*$", "", value)
