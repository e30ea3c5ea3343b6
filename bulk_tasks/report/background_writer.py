"""Writing a large file from a second thread, while the caller builds the next chunk.

Hashing (SHA-256) and ``write`` both let go of the GIL, so they run beside the Python code that makes
the next chunk. Where the system has ``posix_fadvise`` (Linux), every ``RELEASE_BYTES`` written are
handed to the disk and dropped from the page cache, and the rest when the file is done: a results file
of a million rows (650 MB) then never fills 650 MB of cache with fresh pages, which on a machine whose
memory the host takes back cost more than building the file (BENCHMARKS.md, "B3: the machine's cost of
fresh memory"), and the file is on the disk before it replaces the old one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import threading
from typing import BinaryIO

#: Bytes written between two hand-overs to the disk.
RELEASE_BYTES = 64 << 20
_RELEASES = hasattr(os, "posix_fadvise") and hasattr(os, "fdatasync")
#: What a file system without ``fdatasync`` (some network and FUSE ones) answers: nothing to release.
_NOT_SUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


class BackgroundWriter:
    """``with BackgroundWriter(handle) as writer: writer.write(chunk) ...``; leaving the block waits for
    the last chunk and re-raises the error a write met (an ``OSError`` for a full disk); ``digest`` is then
    the hex SHA-256 of everything written."""

    def __init__(self, handle: BinaryIO) -> None:
        self.digest = ""
        self._handle = handle
        self._hash = hashlib.sha256()
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self._error: Exception | None = None
        self._written = self._released = 0
        self._thread = threading.Thread(target=self._drain, name="background-writer", daemon=True)

    def __enter__(self) -> BackgroundWriter:
        self._thread.start()
        return self

    def write(self, data: bytes) -> None:
        """Queue ``data``; raises the error an earlier chunk met."""
        if self._error is not None:
            raise self._error
        self._chunks.put(data)

    def __exit__(self, kind: object, *rest: object) -> None:
        self._chunks.put(None)
        self._thread.join()
        if kind is None and self._error is not None:
            raise self._error
        self.digest = self._hash.hexdigest()

    def _drain(self) -> None:
        finished = False
        try:
            while (data := self._chunks.get()) is not None:
                self._put(data)
            finished = True
            self._release()
        except Exception as exc:  # noqa: BLE001 - handed to the caller, who raises it
            self._error = exc
            while not finished and self._chunks.get() is not None:  # keep taking chunks: the caller never blocks
                pass

    def _put(self, data: bytes) -> None:
        self._hash.update(data)
        self._handle.write(data)
        self._written += len(data)
        if self._written - self._released >= RELEASE_BYTES:
            self._release()

    def _release(self) -> None:
        """Hand what is written to the disk and drop it from the page cache (where the system can)."""
        if not _RELEASES or self._written == self._released:
            return
        self._handle.flush()
        descriptor = self._handle.fileno()
        try:
            os.fdatasync(descriptor)
        except OSError as exc:
            if exc.errno not in _NOT_SUPPORTED:
                raise
            return
        try:
            os.posix_fadvise(descriptor, self._released, self._written - self._released, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass  # advice only
        self._released = self._written
