"""Excel number formats that pad with zeros (``000000``, ``00000-0000``): the text Excel shows.

A number typed as ``123`` in a column formatted ``000000`` shows ``000123``: that is what the user
sees and means (an ID, a ZIP code), so it is what bulk-tasks reads. Only formats made of ``0``
placeholders and literal characters count; every other format keeps the plain number.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: A token of a padding format: a placeholder ``0`` or a literal string.
_TOKENS = re.compile(r'0|"([^"]*)"|\\(.)|([-/() :])')
PLACEHOLDER = None


def padding_format(code: str) -> tuple[str | None, ...] | None:
    """The tokens of ``code`` (``None`` for each ``0``, text for literals) when it is a zero-padding format
    with at least two placeholders; ``None`` for any other format."""
    tokens: list[str | None] = []
    at = 0
    while at < len(code):
        match = _TOKENS.match(code, at)
        if match is None:
            return None
        if match[0] == "0":
            tokens.append(PLACEHOLDER)
        else:
            tokens.append(next(group for group in match.groups() if group is not None))
        at = match.end()
    return tuple(tokens) if tokens.count(PLACEHOLDER) >= 2 else None


def render(tokens: tuple[str | None, ...], number: str) -> str | None:
    """The number (as stored in the sheet, ``123`` or ``1.23E+2``) shown with ``tokens``; ``None`` if not a number."""
    try:
        value = Decimal(number).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    places = tokens.count(PLACEHOLDER)
    digits = str(abs(int(value))).rjust(places, "0")
    overflow, digits = digits[:len(digits) - places], digits[len(digits) - places:]
    shown, used = ["-" if value < 0 else ""], 0
    for token in tokens:
        if token is PLACEHOLDER:
            shown.append((overflow if used == 0 else "") + digits[used])
            used += 1
        else:
            shown.append(token)
    return "".join(shown)
