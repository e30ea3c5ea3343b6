"""``bulk-tasks`` in a real pseudo-terminal: stdin, stdout and stderr on it, and it the controlling terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time


#: Run in the child (a new session): make the pty its controlling terminal, as a shell would, so that
#: /dev/tty is the pty and a typed Ctrl-C is a SIGINT; then become ``python -m bulk_tasks`` (same pid).
#: Done after the fork by the child itself, not with ``preexec_fn``, which may deadlock beside threads.
_TAKE_THE_TERMINAL = ("import fcntl, os, sys, termios; fcntl.ioctl(1, termios.TIOCSCTTY, 0); "
                      "os.execv(sys.executable, [sys.executable, '-m', 'bulk_tasks', *sys.argv[1:]])")


class TerminalSession:
    """A ``python -m bulk_tasks`` process whose terminal this test types into and reads."""

    def __init__(self, arguments: list[str], env: dict[str, str], columns: int = 120,
                 stdin_is_terminal: bool = True) -> None:
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-c", _TAKE_THE_TERMINAL, *arguments],
            stdin=follower if stdin_is_terminal else subprocess.DEVNULL, stdout=follower, stderr=follower,
            env={**env, "COLUMNS": str(columns)}, start_new_session=True)
        os.close(follower)
        self.screen = ""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.leader], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.leader, 4096)
        except OSError:
            return False
        self.screen += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def expect(self, text: str, seconds: float = 60) -> None:
        """Read until ``text`` is on the screen (an event, with a generous deadline for a loaded machine)."""
        deadline = time.monotonic() + seconds
        while text not in self.screen:
            assert time.monotonic() < deadline, f"{text!r} never appeared; screen:\n{self.screen}"
            if not self._read(0.2):
                assert text in self.screen, f"{text!r} never appeared; screen:\n{self.screen}"

    def type(self, text: str) -> None:
        """Type ``text`` as a person would."""
        os.write(self.leader, text.encode())

    def finish(self, seconds: float = 120) -> int:
        """Read everything until the process ends; its exit code."""
        deadline = time.monotonic() + seconds
        while self._read(0.2):
            if self.process.poll() is not None and not select.select([self.leader], [], [], 0.2)[0]:
                break
            assert time.monotonic() < deadline, f"still running; screen:\n{self.screen}"
        code = self.process.wait(timeout=seconds)
        os.close(self.leader)
        return code


def run_on_a_terminal(arguments: list[str], env: dict[str, str] | None = None, columns: int = 120,
                      answers: str = "") -> tuple[int, str]:
    """Run to the end on a terminal, typing ``answers`` first; exit code and everything shown."""
    session = TerminalSession(arguments, env or dict(os.environ), columns)
    if answers:
        session.type(answers)
    code = session.finish()
    return code, session.screen
