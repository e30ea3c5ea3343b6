"""Text that Excel would run as a formula: recognising it, and undoing the CSV results' neutralizing.

Results CSV files put a ``'`` before such a value (``report/write.py``); a results file given back
as input has that ``'`` taken off again before its rows are read.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_PLAIN_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?"
#: A value Excel would read as a formula: ``=``, ``@``, or ``+``/``-`` not followed by a plain number.
DANGEROUS = re.compile(rf"^(?:[=@]|[+-](?!{_PLAIN_NUMBER}$))", re.DOTALL)


def is_dangerous(text: str) -> bool:
    """Whether Excel would read ``text`` as a formula (``=``, ``@``, or ``+``/``-`` not a number)."""
    return bool(DANGEROUS.match(text))


def restore_neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of the CSV neutralizing, for a CSV results file given back as input.

    Only the columns holding a value that starts with ``'`` are looked at (one pass finds them).
    """
    cells = frame.to_numpy(dtype=object)
    quoted = [frame.columns[i] for i in np.flatnonzero([any(isinstance(v, str) and v[:1] == "'" for v in column)
                                                         for column in cells.T])]
    if not quoted:
        return frame
    restored = frame.copy()
    for name in quoted:
        column = frame[name]
        text = column.where(column.notna(), "").astype(str)
        undo = text.str.startswith("'") & text.str.slice(1).str.match(DANGEROUS)
        restored[name] = column.where(~undo, text.str.slice(1))
    return restored
