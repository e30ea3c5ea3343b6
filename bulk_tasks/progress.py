"""The progress bar on stderr (tqdm): rows done of total, created / failed / uncertain, current rate."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from typing import TextIO

from tqdm import tqdm

from .statuses import Outcome, RowStatus

_SHOWN = (RowStatus.CREATED, RowStatus.FAILED, RowStatus.UNCERTAIN)


class ProgressBar:
    """A ``running.Progress`` drawn with tqdm."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._bar: tqdm | None = None
        self._counts: Counter[str] = Counter()

    def start(self, total: int) -> None:
        """Open the bar for ``total`` rows."""
        size = shutil.get_terminal_size((100, 20))
        self._bar = tqdm(total=total, unit="row", file=self._stream, ncols=size.columns, nrows=size.lines,
                         leave=True, smoothing=0.1, desc="Sending")

    def advance(self, outcome: Outcome) -> None:
        """Count one finished row."""
        self._counts[outcome.status.value] += 1
        if self._bar is not None:
            self._bar.set_postfix({status.value: self._counts[status.value] for status in _SHOWN}, refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        """Close the bar (leave its last state on screen)."""
        if self._bar is not None:
            self._bar.close()


def wants_bar(quiet: bool, stream: TextIO | None = None) -> bool:
    """A bar only when not ``--quiet`` and the stream is a terminal."""
    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()
