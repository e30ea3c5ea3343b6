"""The progress bar on stderr (tqdm): rows done of total, created / failed / uncertain, current rate.

Rows that end ``not_sent`` (a Ctrl-C, a run stopped by the provider) are not counted as done, so an
interrupted run's bar stays where the work stopped. Narrow terminals get fewer fields, so the
counters stay readable at 80 columns and below.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from typing import TextIO

from tqdm import tqdm

from ..statuses import Outcome, RowStatus

_SHOWN = (RowStatus.CREATED, RowStatus.FAILED, RowStatus.UNCERTAIN)
#: Columns a bar needs besides its labels: tqdm's full line (elapsed, remaining, rate) and the shorter one.
_FULL_LINE = 54
_SHORT_LINE = 29
_SHORT_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{postfix}"
_NARROW_FORMAT = "{n_fmt}/{total_fmt}{postfix}"


class ProgressBar:
    """A ``send.run.Progress`` drawn with tqdm."""

    def __init__(self, stream: TextIO | None = None, columns: int | None = None, *, label: str = "Sending",
                 shown: tuple[RowStatus, ...] = _SHOWN) -> None:
        self._stream = stream or sys.stderr
        self._columns = columns
        self._label = label
        self._shown = shown
        self._bar: tqdm | None = None
        self._counts: Counter[str] = Counter()
        self._stopped = False

    def start(self, total: int) -> None:
        """Open the bar for ``total`` rows (none when there is nothing to send); a bar already open is closed
        (``run --update`` sends the changes after the creates)."""
        if self._bar is not None:
            self._bar.close()
            self._bar, self._stopped = None, False
            self._counts.clear()
        if total == 0:
            return
        size = shutil.get_terminal_size((100, 20))
        columns = self._columns or size.columns
        fmt, postfix = self._layout(columns, total)
        self._bar = tqdm(total=total, unit="row", file=self._stream, ncols=columns, nrows=size.lines,
                         leave=True, smoothing=0.1, desc=self._label, bar_format=fmt, postfix=postfix)

    def advance(self, outcome: Outcome) -> None:
        """Count one finished row; a row not sent is not progress."""
        self._counts[outcome.status.value] += 1
        bar = self._bar
        if bar is None:
            return
        if outcome.status is RowStatus.NOT_SENT:
            if not self._stopped:
                self._stopped = True
                bar.set_description_str("Stopped", refresh=False)
                bar.refresh()
            return
        bar.bar_format, postfix = self._layout(bar.ncols, bar.total)
        if isinstance(postfix, dict):
            bar.set_postfix(postfix, refresh=False)
        else:
            bar.set_postfix_str(postfix, refresh=False)
        bar.update(1)

    def _layout(self, columns: int, total: int) -> tuple[str | None, dict[str, int] | str]:
        """The richest line that fits: tqdm's full one, a shorter one, or rows and non-zero counters."""
        counts = self._counts
        digits = 2 * len(str(total))
        shown = self._shown
        full = ", ".join(f"{status.value}={counts[status.value]}" for status in shown)
        if columns >= _FULL_LINE + digits + len(full):
            return None, {status.value: counts[status.value] for status in shown}
        short = full.replace(",", "")
        if columns >= _SHORT_LINE + digits + len(short):
            return _SHORT_FORMAT, short
        return _NARROW_FORMAT, " ".join(f"{status.value}={counts[status.value]}" for status in shown
                                        if status is shown[0] or counts[status.value])

    def waiting(self, seconds: float) -> None:
        """Say that every request waits ``seconds`` for the provider's rate limit (a 429)."""
        if self._bar is not None:
            self._bar.set_postfix_str(f"waiting {seconds:.0f} s (rate limit)", refresh=True)

    def close(self) -> None:
        """Close the bar (leave its last state on screen)."""
        if self._bar is not None:
            self._bar.close()


def wants_bar(quiet: bool, stream: TextIO | None = None) -> bool:
    """A bar only when not ``--quiet`` and the stream is a terminal."""
    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


class LookupProgress:
    """``verify``'s bar on stderr: pages (or tasks) of the provider read so far, of how many."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        """``done`` of ``total`` requests answered."""
        if self._bar is None:
            self._bar = tqdm(total=total, unit="request", file=self._stream, leave=True, desc="Looking up")
        self._bar.total = max(total, done)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Close the bar (leave its last state on screen)."""
        if self._bar is not None:
            self._bar.close()
