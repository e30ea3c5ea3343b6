"""What the command line prints: every line shown safely, and an output that cannot be written noticed.

A terminal runs the escape codes it is sent, so control characters in a file name or a cell are
shown as ``\\x1b``, never sent raw. A stream that cannot encode a character (a cp1252 or ASCII
console and an emoji) gets ``\\U0001f600`` instead of a ``UnicodeEncodeError``. An output that
cannot be written (a pipe closed early by ``head``, a full disk) is remembered, not raised, so the
command still finishes its work and ends with one sentence on stderr.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TextIO

from .shell import printable


def output_problem(exc: OSError) -> str:
    """The sentence for an output that could not be written."""
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        why = "the program reading it (such as head or more) stopped before the end"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk it goes to is full"
    else:
        why = exc.strerror or str(exc)
    return (f"Error: the output of bulk-tasks could not be written ({why}); the results file says what happened "
            "to each row. Run the command again with its output going somewhere that takes all of it.")


class Output:
    """Where the command prints; ``failed`` holds the first error writing to stdout."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.failed: OSError | None = None
        for stream in (self.out, self.err):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                try:
                    reconfigure(errors="backslashreplace")
                except (ValueError, OSError):
                    pass

    def say(self, line: str = "", *, err: bool = False, end: str = "\n") -> None:
        """Print ``line`` with its control characters escaped; a failure to write stdout is kept, not raised."""
        stream = self.err if err else self.out
        if not err and self.failed is not None:
            return
        try:
            stream.write(printable(line) + end)
            if err:
                stream.flush()
        except OSError as exc:
            if not err:
                self._broken(exc)

    def flush(self) -> None:
        """Write out what stdout still holds; a failure is kept in ``failed``."""
        if self.failed is None:
            try:
                self.out.flush()
            except OSError as exc:
                self._broken(exc)

    def _broken(self, exc: OSError) -> None:
        self.failed = exc
        try:  # what is left in the buffer would fail again when Python exits
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.out.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass
