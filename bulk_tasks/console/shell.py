"""Words a person can paste into their shell without running anything, and text safe for a terminal.

A path in a printed command is quoted for the shell the person types into: POSIX single quotes
(nothing inside expands), PowerShell's single quotes on Windows. A word holding control characters
is written with escapes instead (``$'…\\x1b…'`` in a POSIX shell, ``"…$([char]0x1b)…"`` in
PowerShell), so that the command both pastes as the same word and shows nothing raw on the screen.
"""

from __future__ import annotations

import os
import re

POSIX = "posix"
POWERSHELL = "powershell"

#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that reorder text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_WORD = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_POSIX_SAFE = re.compile(r"[\w@%+=:,./-]+")
_POWERSHELL_SAFE = re.compile(r"[\w%+=:./\\-]+")
#: PowerShell reads these as quotes too.
_POWERSHELL_SINGLE = "'\u2018\u2019\u201a\u201b"
_POWERSHELL_DOUBLE = '"\u201c\u201d\u201e'


def current_shell() -> str:
    """The shell a person most likely pastes into here: PowerShell on Windows, else a POSIX shell."""
    return POWERSHELL if os.name == "nt" else POSIX


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character (tab and newline aside) shown as an escape like ``\\x1b``."""
    return _CONTROL.sub(lambda match: _escape(match[0]), text) if _CONTROL.search(text) else text


def shell_quote(word: str, shell: str | None = None) -> str:
    """``word`` as one argument that pastes safely into ``shell`` (default: ``current_shell()``)."""
    shell = shell or current_shell()
    if shell == POWERSHELL:
        return _powershell(word)
    if _POSIX_SAFE.fullmatch(word) and not word.startswith("="):
        return word
    if _CONTROL_IN_WORD.search(word):
        return "$'" + "".join("\\" + char if char in "\\'" else _escape(char) if _CONTROL_IN_WORD.match(char)
                              else char for char in word) + "'"
    return "'" + word.replace("'", "'\\''") + "'"


def _powershell(word: str) -> str:
    if _POWERSHELL_SAFE.fullmatch(word):
        return word
    if _CONTROL_IN_WORD.search(word):
        return '"' + "".join(f"$([char]0x{ord(char):x})" if _CONTROL_IN_WORD.match(char)
                             else "`" + char if char in "`$" + _POWERSHELL_DOUBLE else char
                             for char in word) + '"'
    return "'" + "".join(char * 2 if char in _POWERSHELL_SINGLE else char for char in word) + "'"


def command_line(program: str, words: tuple[str, ...] | list[str], shell: str | None = None) -> str:
    """``program`` (already quoted) and ``words`` (each quoted) as one line to paste into ``shell``."""
    shell = shell or current_shell()
    call = f"& {program}" if shell == POWERSHELL and program[:1] in ("'", '"') else program
    return " ".join([call, *(shell_quote(word, shell) for word in words)])
