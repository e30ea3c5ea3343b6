"""Warnings about single rows that do not make them invalid: a phone extension the provider is not sent.

A row's notes go into its ``_error`` cell in the results (the one column a person reads for "what about
this row"), while its status stays what the run made it; the run's summary counts them once.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..providers import Kind, Provider
from .headers import ColumnMatch
from .values import ValueReader

EXTENSION_NOTE = ("warning: {header} = {text!r}: the extension {extension} was not sent ({provider} has no field for "
                  "it, only the number {number})")
EXTENSION_WARNING = ("{header}: {count} phone number{s} with an extension (such as {example!r}, row {row}): the "
                     "number is sent without it, as {provider} has no field for extensions; each row says so in "
                     "_error.")


def row_notes(frame: pd.DataFrame, match: ColumnMatch, provider: Provider, reader: ValueReader,
              invalid: set[int]) -> tuple[dict[int, list[str]], list[str]]:
    """Row → its notes, and the run's warnings about them, for the rows of ``frame`` not in ``invalid``.

    Only texts the reader already found an extension in are looked for (``ValueReader.extensions``).
    """
    notes: dict[int, list[str]] = defaultdict(list)
    warnings: list[str] = []
    if not reader.extensions:
        return {}, []
    name = provider.name.capitalize()
    for spec in provider.fields:
        header = match.header_of.get(spec.name)
        if spec.kind is not Kind.PHONE or header is None:
            continue
        column = frame[header]
        hits = column[column.isin(list(reader.extensions)) & ~column.index.isin(list(invalid))]
        for row, text in hits.items():
            notes[row].append(EXTENSION_NOTE.format(header=header, text=text, extension=reader.extensions[text],
                                                    provider=name, number=reader.phone(text)))
        if len(hits):
            warnings.append(EXTENSION_WARNING.format(header=header, count=len(hits), s="s" if len(hits) != 1 else "",
                                                     example=hits.iloc[0], row=hits.index[0], provider=name))
    return dict(notes), warnings
