"""The results file's background writer: every chunk written in order, hashed, released to the disk."""

from __future__ import annotations

import hashlib
import io

import pytest

from bulk_tasks import background_writer
from bulk_tasks.background_writer import BackgroundWriter


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
