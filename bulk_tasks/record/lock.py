"""One run at a time per results file: an exclusive lock held from reading the input to writing the results.

The lock is a small file beside the results (``<stem>.lock``) that says which process holds it. On
POSIX it is held with ``fcntl.flock`` and on Windows with ``msvcrt.locking``: the operating system
releases either when the process ends, however it ends, so a lock left by a killed run is simply
taken by the next one. Where neither exists, the file itself is the lock (created exclusively); one
naming a process that no longer runs on this machine is stale and taken over.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from ..errors import ResultsFileError, ResultsInUseError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt  # type: ignore[import-not-found]
except ImportError:
    msvcrt = None  # type: ignore[assignment]


def lock_path(results_path: Path) -> Path:
    """``<results stem>.lock`` beside the results file (the same for .csv and .xlsx)."""
    return results_path.with_name(f"{results_path.stem}.lock")


class RunLock:
    """The lock on one results path; ``acquire`` it, ``release`` it (or use ``with``)."""

    def __init__(self, results_path: Path, *, os_lock: bool = True) -> None:
        self.results_path = results_path
        self.path = lock_path(results_path)
        self._os_lock = os_lock and (fcntl is not None or msvcrt is not None)
        self._descriptor: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock, or raise ``ResultsInUseError`` naming the process that holds it."""
        for _ in range(20):
            if self._try_acquire():
                return self
        raise self._in_use(self._holder())

    def release(self) -> None:
        """Remove the lock file and let go of the lock (a no-op when not held)."""
        if self._descriptor is None:
            return
        descriptor, self._descriptor = self._descriptor, None
        try:
            self.path.unlink(missing_ok=True)
        except PermissionError:  # pragma: no cover - Windows removes no file that is open
            os.close(descriptor)
            _remove_quietly(self.path)
            return
        os.close(descriptor)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _try_acquire(self) -> bool:
        return self._try_os_lock() if self._os_lock else self._try_exclusive_file()

    def _try_os_lock(self) -> bool:
        descriptor = self._open(os.O_RDWR | os.O_CREAT)
        try:
            _lock(descriptor)
        except OSError:
            holder = self._holder()
            os.close(descriptor)
            raise self._in_use(holder) from None
        if not _same_file(descriptor, self.path):
            os.close(descriptor)
            return False
        os.ftruncate(descriptor, 0)
        self._claim(descriptor)
        return True

    def _try_exclusive_file(self) -> bool:
        try:
            descriptor = self._open(os.O_RDWR | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            holder = self._holder()
            if holder is None or _alive(holder):
                if holder is None and not _old(self.path):
                    time.sleep(0.05)
                    return False
                if holder is not None:
                    raise self._in_use(holder) from None
            self._take_over(holder)
            return False
        self._claim(descriptor)
        return True

    def _take_over(self, stale: dict[str, Any] | None) -> None:
        """Move a stale lock file aside, unless another process replaced it meanwhile."""
        aside = self.path.with_name(f"{self.path.name}.{os.getpid()}.stale")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        if _read_holder(aside) != stale:
            try:
                os.link(aside, self.path)
            except FileExistsError:
                pass
        aside.unlink(missing_ok=True)

    def _open(self, flags: int) -> int:
        try:
            return os.open(self.path, flags, 0o644)
        except FileExistsError:
            raise
        except OSError as exc:
            raise ResultsFileError(f"Cannot write the results file {self.results_path} ({exc.strerror}): choose "
                                   "a folder you can write to with --results.") from None

    def _claim(self, descriptor: int) -> None:
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.write(descriptor, json.dumps(record).encode())
        self._descriptor = descriptor

    def _holder(self) -> dict[str, Any] | None:
        return _read_holder(self.path)

    def _in_use(self, holder: dict[str, Any] | None) -> ResultsInUseError:
        who = "another bulk-tasks run"
        if holder is not None:
            who += f" (process {holder.get('pid')} on {holder.get('host')}, started {holder.get('since')})"
        return ResultsInUseError(
            f"{who} is already using {self.results_path.name}: wait for it to finish (or stop it), or give "
            f"this run another --results path. If no such run exists any more, delete {self.path}.")


def _lock(descriptor: int) -> None:
    if fcntl is not None:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:  # pragma: no cover - Windows
        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)


def _same_file(descriptor: int, path: Path) -> bool:
    """Whether ``path`` still names the file locked (a finishing run may have removed it meanwhile)."""
    try:
        named = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _read_holder(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_bytes() or b"null")
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _alive(holder: dict[str, Any]) -> bool:
    """Whether the holder may still run: on another machine it is assumed to."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _old(path: Path, seconds: float = 5.0) -> bool:
    """A lock file with no holder written after ``seconds`` was left by a run killed while creating it."""
    try:
        return time.time() - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return True


def _remove_quietly(path: Path) -> None:  # pragma: no cover - Windows
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
