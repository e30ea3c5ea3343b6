"""The results file's background writer: every chunk written in order, hashed, released to the disk."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest

from bulk_tasks.report import background_writer
from bulk_tasks.report.background_writer import BackgroundWriter


@pytest.mark.parametrize("release_bytes", [1, 7, 1 << 20])
def test_chunks_arrive_in_order_with_their_digest_whatever_the_release_step(tmp_path, monkeypatch, release_bytes):
    monkeypatch.setattr(background_writer, "RELEASE_BYTES", release_bytes)
    chunks = [f"chunk {n};".encode() * (n % 5 + 1) for n in range(200)]
    path = tmp_path / "out.bin"
    with path.open("wb") as handle, BackgroundWriter(handle) as writer:
        for chunk in chunks:
            writer.write(chunk)
    assert path.read_bytes() == b"".join(chunks)
    assert writer.digest == hashlib.sha256(b"".join(chunks)).hexdigest()


class BrokenDisk(io.BytesIO):
    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self.fail_after = fail_after

    def write(self, data) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.fail_after:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_failed_write_is_raised_to_the_caller_and_never_blocks_it():
    handle = BrokenDisk(fail_after=50)
    with pytest.raises(OSError, match="No space left"):
        with BackgroundWriter(handle) as writer:  # type: ignore[arg-type]
            for _ in range(100):  # more chunks than the queue holds: the writer keeps taking them
                writer.write(b"0123456789")
    assert handle.getvalue() == b"0123456789" * 5


def test_a_failure_handing_the_last_part_to_the_disk_is_raised_not_waited_on(tmp_path, monkeypatch):
    """The last release happens after the last chunk: its error must reach the caller, not leave the
    writer waiting for chunks that will never come."""
    def failing_sync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(background_writer.os, "fdatasync", failing_sync)
    raised: list[BaseException] = []

    def write_file() -> None:
        try:
            with (tmp_path / "out.bin").open("wb") as handle, BackgroundWriter(handle) as writer:
                writer.write(b"some bytes")
        except OSError as exc:
            raised.append(exc)

    worker = threading.Thread(target=write_file, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the writer waited for a chunk after the last one"
    if background_writer._RELEASES:
        assert [str(exc) for exc in raised] == ["[Errno 5] Input/output error"]
