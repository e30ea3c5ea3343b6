"""How one text is written as a field of a CSV file (RFC 4180, as Excel reads it)."""

from __future__ import annotations


def needs_quotes(text: str) -> bool:
    """Whether ``text`` must be quoted: it holds a quote, a comma or a line break."""
    return '"' in text or "," in text or "\n" in text or "\r" in text


def csv_field(text: str) -> str:
    """``text`` as one CSV field: quoted, its quotes doubled, when it ``needs_quotes``."""
    return '"' + text.replace('"', '""') + '"' if needs_quotes(text) else text
