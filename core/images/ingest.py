"""Receiving files: bounded spooling with hashes computed on the way in.

Both upload paths (multipart through the API, presigned direct-to-S3 plus "complete")
produce `ReceivedFile`s and hand them to `core.images.flows.accept_files`, so every file
meets the same checks in the same order.
"""

from __future__ import annotations

import hashlib
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

    def close(self) -> None:
        self.spool.close()
