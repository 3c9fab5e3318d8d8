"""What this machine can do for each ingest and analysis step on its own, measured in the same run.

clamd's figure comes from bench/clamd_throughput.py (synthetic streams, the app's chunk
size, unix socket). clamd treats those as unknown data, while a JPEG or PNG gets parsed
and fuzzy-hashed, so the same scanner is also timed on unseen copies of the corpus files
with as many clients as the ingest benchmark uses: that is the ceiling ingest really has.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bench.corpus import CorpusFile, salted

if TYPE_CHECKING:
    from core.scanning.clamav import ClamdScanner

MIB = 1024 * 1024


@dataclass(frozen=True)
class Standalone:
    clamd_synthetic_mb_s: float  # clamd_throughput.clamd_instream_rate, median
    clamd_chunk_size: int
    clamd_files_images_s: float  # unseen corpus files, `clients` concurrent connections
    clamd_files_mb_s: float
    clamd_files_jpeg_ms: float  # median per-file verdict time (one client at a time)
    clamd_files_png_ms: float
    clamd_cached_ms: float  # rescanning a file clamd has already seen
    clients: int
    sha256_mb_s: float
    s3_put_mb_s: float  # one multipart upload stream (as the ZIP build writes), through core.storage
    s3_get_mb_s: float  # one streaming read (as the ZIP build reads each original)
    draft_decode_images_s: float  # one core, the corpus's 12 MP JPEG
    analysis_images_s: float  # LocalAnalyzer without OCR, one core, same file, in-process
    analysis_without_safety_images_s: float  # the same with the NudeNet safety model off
    analysis_stages_ms: dict[str, float]


def _progress(message: str) -> None:
    print(f"[standalone] {message}", file=sys.stderr, flush=True)


def clamd_synthetic_rate(chunk_size: int, repeats: int = 3) -> float:
    from bench.clamd_throughput import STREAM_BYTES, clamd_instream_rate

    return statistics.median(
        clamd_instream_rate(total_bytes=2 * STREAM_BYTES, chunk_size=chunk_size, transport="unix")
        for _ in range(repeats)
    )


def _scanner() -> ClamdScanner:
    from core.config import get_settings
    from core.scanning.clamav import ClamdScanner

    return ClamdScanner.from_settings(get_settings())


def _scan(scanner: ClamdScanner, data: bytes) -> float:
    started = time.perf_counter()
    result = scanner.scan(io.BytesIO(data))
    elapsed = time.perf_counter() - started
    if not result.clean:
        raise RuntimeError(f"benchmark photo reported infected: {result.signature}")
    return elapsed


def clamd_file_rates(files: list[CorpusFile], *, run_id: str, clients: int) -> tuple[float, float, float, float, float]:
    """(images/s, MB/s with `clients` connections, median JPEG ms, median PNG ms, cached rescan ms)."""
    scanner = _scanner()
    scanner.ping()
    payloads = [(f.mime_type, salted(f.read(), f.mime_type, f"{run_id}-clamd-{i}")) for i, f in enumerate(files)]

    # One at a time: what one file costs clamd.
    singles: dict[str, list[float]] = {"image/jpeg": [], "image/png": []}
    for mime, data in payloads[: len(payloads) // 2]:
        singles[mime].append(_scan(scanner, data))
    cached = statistics.median(_scan(scanner, payloads[0][1]) for _ in range(3))

    # `clients` at once over the other half: what ingest's concurrency can get out of clamd.
    rest = payloads[len(payloads) // 2 :]
    queue = list(rest)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client() -> None:
        try:
            own = _scanner()
            while True:
                with lock:
                    if not queue:
                        return
                    _, data = queue.pop()
                _scan(own, data)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    total = sum(len(data) for _, data in rest)

    def median_ms(values: list[float]) -> float:
        return statistics.median(values) * 1000 if values else float("nan")

    return (
        len(rest) / elapsed,
        total / elapsed / 1e6,
        median_ms(singles["image/jpeg"]),
        median_ms(singles["image/png"]),
        cached * 1000,
    )


def sha256_rate(total_bytes: int = 512 * MIB, chunk: int = MIB) -> float:
    """MB/s of hashlib's SHA-256 on one core, fed the way ingest feeds it (chunk by chunk)."""
    block = bytes(range(256)) * (chunk // 256)
    digest = hashlib.sha256()
    digest.update(block)  # warm up
    started = time.perf_counter()
    for _ in range(total_bytes // chunk):
        digest.update(block)
    return total_bytes / (time.perf_counter() - started) / 1e6


T = TypeVar("T")


def _retrying_if_clamd_restarts(measurement: Callable[[], T]) -> T:
    """Measure again once clamd is back if it went away mid-measurement (a shared machine)."""
    from bench.environment import wait_for_clamd
    from core.errors import ServiceUnavailable

    for _ in range(2):
        try:
            return measurement()
        except ServiceUnavailable:
            _progress("clamd stopped answering; measuring again once it is back")
            wait_for_clamd()
    return measurement()


def s3_rates(total_bytes: int = 128 * MIB) -> tuple[float, float]:
    """(PUT, GET) MB/s of one stream through core.storage against the benchmark bucket."""
    from core.storage import get_storage

    storage = get_storage()
    block = bytes(range(256)) * (MIB // 256)
    key = "bench/s3-probe"
    started = time.perf_counter()
    storage.upload_chunks(key, (block for _ in range(total_bytes // MIB)), content_type="application/octet-stream")
    put = total_bytes / (time.perf_counter() - started) / 1e6
    started = time.perf_counter()
    received = sum(len(chunk) for chunk in storage.iter_object(key))
    get = received / (time.perf_counter() - started) / 1e6
    storage.delete(key)
    return put, get


def measure(files: list[CorpusFile], *, run_id: str, clients: int) -> Standalone:
    from bench import analysis_rates
    from core.config import get_settings

    chunk_size = get_settings().clamd_chunk_size
    _progress(f"clamd INSTREAM, synthetic streams, {chunk_size // 1024} KiB chunks ...")
    synthetic = _retrying_if_clamd_restarts(lambda: clamd_synthetic_rate(chunk_size))

    jpegs = [f for f in files if f.mime_type == "image/jpeg"]
    pngs = [f for f in files if f.mime_type == "image/png"]
    # Same mix as the corpus (10 JPEG : 1 PNG), 44 files: a few seconds.
    sample = jpegs[:40] + pngs[:4]
    sample = sample[0::2] + sample[1::2]  # each half (serial / concurrent) gets both kinds
    _progress(f"clamd INSTREAM, {len(sample)} unseen corpus files, 1 then {clients} clients ...")
    files_rate, files_mb_s, jpeg_ms, png_ms, cached_ms = _retrying_if_clamd_restarts(
        lambda: clamd_file_rates(sample, run_id=f"{run_id}-{time.monotonic_ns()}", clients=clients)
    )

    _progress("SHA-256 ...")
    sha = sha256_rate()
    _progress("S3 (SeaweedFS) one stream, PUT and GET ...")
    s3_put, s3_get = s3_rates()

    _progress("draft decode and analysis of a 12 MP JPEG, one core ...")
    photo = jpegs[0].read()
    decode_rates, analysis_rates_seen, without_safety = [], [], []
    for _ in range(3):  # interleaved, best round kept, as bench/analysis_rates.py does
        decode_rates.append(analysis_rates.draft_decode_rate(photo, seconds=1.5))
        analysis_rates_seen.append(analysis_rates.analysis_rate(photo, ocr=False, seconds=1.5))
        without_safety.append(analysis_rates.analysis_rate(photo, ocr=False, seconds=1.5, safety=False))
    stages = analysis_rates.stage_timings(photo, ocr=False)

    return Standalone(
        clamd_synthetic_mb_s=synthetic,
        clamd_chunk_size=chunk_size,
        clamd_files_images_s=files_rate,
        clamd_files_mb_s=files_mb_s,
        clamd_files_jpeg_ms=jpeg_ms,
        clamd_files_png_ms=png_ms,
        clamd_cached_ms=cached_ms,
        clients=clients,
        sha256_mb_s=sha,
        s3_put_mb_s=s3_put,
        s3_get_mb_s=s3_get,
        draft_decode_images_s=max(decode_rates),
        analysis_images_s=max(analysis_rates_seen),
        analysis_without_safety_images_s=max(without_safety),
        analysis_stages_ms=stages,
    )
