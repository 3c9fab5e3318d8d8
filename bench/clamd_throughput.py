"""How fast clamd takes an upload over INSTREAM, by chunk size and transport.

Runs our own client (core.scanning.clamav.ClamdScanner) against the clamd that
`scripts/services.sh up` starts, so the figure is what an upload pays end to end:
sending, clamd spooling the stream to disk, and scanning it.

    uv run python -m bench.clamd_throughput

MB/s here are 10^6 bytes per second of file data.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from typing import BinaryIO, Literal, cast

from core.config import get_settings
from core.scanning.clamav import ClamdScanner

KIB = 1024
MIB = 1024 * KIB
# Each scan stays under clamd's StreamMaxLength (64M in ops/clamav/clamd.conf.in).
STREAM_BYTES = 48 * MIB


class _SyntheticUpload(io.RawIOBase):
    """`size` bytes sliced out of one reusable block, so the reader costs next to nothing.

    Each stream starts at a random offset into the block: clamd caches the hashes of
    clean files and would skip scanning a stream it has already seen.
    """

    _block = bytes((i * 7 + i // 251) % 256 for i in range(MIB))
    _doubled = _block * 2

    def __init__(self, size: int) -> None:
        self._position = random.randrange(MIB)
        self._end = self._position + size
        self.drained_at: float | None = None  # when the scanner asked past the end: all chunks sent

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = min(MIB if size < 0 else size, MIB, self._end - self._position)
        if n == 0 and self.drained_at is None:
            self.drained_at = time.perf_counter()
        offset = self._position % MIB
        self._position += n
        return self._doubled[offset : offset + n]


def clamd_instream_rate(
    total_bytes: int = 4 * STREAM_BYTES,
    chunk_size: int = MIB,
    transport: Literal["unix", "tcp"] = "unix",
    measure: Literal["verdict", "upload"] = "verdict",
) -> float:
    """Scan `total_bytes` of clean data (in streams of at most 48 MiB); return MB/s.

    `verdict` times each scan to clamd's answer; `upload` only to the last chunk sent,
    the part the chunk size and transport decide (clamd scans after the stream ends).
    """
    settings = get_settings()
    if transport == "unix":
        scanner = ClamdScanner(socket_path=settings.effective_clamd_socket, chunk_size=chunk_size, timeout=120)
    else:
        host = settings.clamd_host or "127.0.0.1"
        scanner = ClamdScanner(host=host, port=settings.clamd_port, chunk_size=chunk_size, timeout=120)
    scanner.ping()
    remaining = total_bytes
    elapsed = 0.0
    while remaining > 0:
        size = min(remaining, STREAM_BYTES)
        upload = _SyntheticUpload(size)
        started = time.perf_counter()
        result = scanner.scan(cast(BinaryIO, upload))
        finished = time.perf_counter()
        if not result.clean:
            raise RuntimeError(f"clean benchmark data reported infected: {result.signature}")
        assert upload.drained_at is not None
        elapsed += (upload.drained_at if measure == "upload" else finished) - started
        remaining -= size
    return total_bytes / elapsed / 1e6


def main() -> None:
    repeats = 3
    chunk_sizes = [("1 KiB", KIB), ("64 KiB", 64 * KIB), ("1 MiB", MIB)]
    total = 4 * STREAM_BYTES
    print(f"clamd INSTREAM throughput in MB/s, median of {repeats} runs of {total // MIB} MiB")
    print("upload: until the last chunk is sent; verdict: until clamd has answered")
    print(f"{'chunk':>8}  {'unix upload':>11}  {'unix verdict':>12}  {'tcp upload':>10}  {'tcp verdict':>11}")
    for label, chunk_size in chunk_sizes:
        row = []
        for transport in ("unix", "tcp"):
            verdicts, uploads = [], []
            for _ in range(repeats):
                verdicts.append(clamd_instream_rate(total, chunk_size, transport))
                uploads.append(clamd_instream_rate(total, chunk_size, transport, measure="upload"))
            row += [statistics.median(uploads), statistics.median(verdicts)]
        print(f"{label:>8}  {row[0]:11.0f}  {row[1]:12.0f}  {row[2]:10.0f}  {row[3]:11.0f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
