"""Receiving files: bounded spooling with hashes computed on the way in.

Both upload paths (multipart through the API, presigned direct-to-S3 plus "complete")
produce `ReceivedFile`s and hand them to `core.images.flows.accept_files`, so every file
meets the same checks in the same order.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

from core.errors import FileRejected

# Small in-memory head, then disk: a request with hundreds of files stays within a few MB.
SPOOL_MEMORY_BYTES = 256 * 1024


@dataclass
class ReceivedFile:
    """One file as received: spooled to a temporary file, never whole in memory."""

    filename: str  # as the client sent it (sanitised later)
    max_bytes: int
    spool: BinaryIO = field(
        default_factory=lambda: cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES))  # noqa: SIM115
    )
    size: int = 0
    too_large: bool = False
    source_key: str | None = None  # set when the bytes already sit in object storage (presigned upload)
    rejection: FileRejected | None = None  # decided while receiving (e.g. the staged object is missing)
    _sha256: Any = field(default_factory=hashlib.sha256)
    _crc32: int = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk; past max_bytes stop keeping data (the file will be refused)."""
        if self.too_large:
            self.size += len(chunk)
            return
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.too_large = True
            self.spool.truncate(0)
            return
        self.spool.write(chunk)
        self._sha256.update(chunk)
        self._crc32 = zlib.crc32(chunk, self._crc32)

    def finish(self) -> None:
        self.spool.seek(0)

    @property
    def sha256(self) -> str:
        return str(self._sha256.hexdigest())

    @property
    def crc32(self) -> int:
        return self._crc32

    def reader(self) -> BinaryIO:
        """Another reader of the received bytes, with a position of its own, so that two checks
        can read the file at once (the virus scan alongside the decode check). Close it after use.

        Call it between reads of `spool`: a small file is copied out of the in-memory spool."""
        if self.size <= SPOOL_MEMORY_BYTES:  # still in memory (the spool moves to disk past that)
            position = self.spool.tell()
            self.spool.seek(0)
            data = self.spool.read()
            self.spool.seek(position)
            return io.BytesIO(data)
        return cast(BinaryIO, io.BufferedReader(_PositionalReader(self.spool.fileno()), buffer_size=1024 * 1024))

    def close(self) -> None:
        self.spool.close()


class _PositionalReader(io.RawIOBase):
    """Reads a file by offset (pread) through a descriptor of its own: the spool's position is
    untouched, and closing the spool does not pull the file from under this reader."""

    def __init__(self, fd: int) -> None:
        self._fd = os.dup(fd)
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = os.preadv(self._fd, [buffer], self._position)
        self._position += count
        return count

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()
