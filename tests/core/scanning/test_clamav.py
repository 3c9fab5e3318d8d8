"""The clamd client against the real clamd that `scripts/services.sh up` starts."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import get_settings
from core.errors import FileRejected, ServiceUnavailable
from core.scanning.clamav import ClamdScanner, ScanResult

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _jpeg_like(size: int = 64 * 1024) -> bytes:
    """JPEG markers around varied bytes: what a photo looks like to a scanner."""
    header = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = bytes((i * 7 + i // 251) % 256 for i in range(size))
    return header + body + b"\xff\xd9"


class _CountingReader(io.RawIOBase):
    """A stream of `total` bytes made on demand, recording the largest read it served."""

    def __init__(self, total: int) -> None:
        self.remaining = total
        self.largest_read = 0
        self._block = _jpeg_like(1024 * 1024 - 22)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.remaining, len(self._block))
        buffer[:n] = self._block[:n]
        self.remaining -= n
        self.largest_read = max(self.largest_read, n)
        return n


@pytest.fixture(scope="module")
def scanner() -> ClamdScanner:
    return ClamdScanner.from_settings(get_settings())


def _assert_infected(result: ScanResult) -> None:
    assert not result.clean
    assert result.signature and "eicar" in result.signature.lower(), result


def test_ping(scanner: ClamdScanner) -> None:
    scanner.ping()


def test_clean_jpeg_is_clean(scanner: ClamdScanner) -> None:
    assert scanner.scan(io.BytesIO(_jpeg_like())) == ScanResult(clean=True, signature=None)


def test_eicar_is_infected_with_a_signature_name(scanner: ClamdScanner) -> None:
    _assert_infected(scanner.scan(io.BytesIO(EICAR)))


def test_eicar_appended_to_a_jpeg_is_infected(scanner: ClamdScanner) -> None:
    _assert_infected(scanner.scan(io.BytesIO(_jpeg_like() + EICAR)))


def test_eicar_inside_a_zip_is_infected(scanner: ClamdScanner) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("photos/cover.jpg", _jpeg_like())
        zf.writestr("photos/readme.txt", b"nothing to see " + EICAR + b" here")
    archive.seek(0)
    _assert_infected(scanner.scan(archive))


def test_scan_reads_from_the_current_position(scanner: ClamdScanner) -> None:
    source = io.BytesIO(EICAR + _jpeg_like())
    source.seek(len(EICAR))
    assert scanner.scan(source).clean


def test_30_mb_clean_stream_is_clean_and_read_chunk_by_chunk(scanner: ClamdScanner) -> None:
    total = 30 * 1024 * 1024
    reader = _CountingReader(total)
    with io.BufferedReader(reader, buffer_size=64 * 1024) as source:
        assert scanner.scan(source).clean
    assert reader.remaining == 0
    assert reader.largest_read <= scanner.chunk_size


def test_nonexistent_socket_is_service_unavailable(tmp_path: Path) -> None:
    gone = ClamdScanner(socket_path=tmp_path / "no-clamd.sock", timeout=2)
    with pytest.raises(ServiceUnavailable) as scan_error:
        gone.scan(io.BytesIO(_jpeg_like()))
    assert scan_error.value.code == "scanner_unavailable"
    assert scan_error.value.status_code == 503
    assert "Try again" in scan_error.value.detail
    with pytest.raises(ServiceUnavailable) as ping_error:
        gone.ping()
    assert ping_error.value.code == "scanner_unavailable"


@pytest.fixture
def _hang_up_server(tmp_path: Path) -> Iterator[Path]:
    """A unix socket that accepts and closes at once: a clamd that dies mid-scan."""
    path = tmp_path / "hangup.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join()
    server.close()


def test_connection_dropped_mid_scan_is_never_clean(_hang_up_server: Path) -> None:
    dropped = ClamdScanner(socket_path=_hang_up_server, timeout=2)
    with pytest.raises(ServiceUnavailable):
        dropped.scan(io.BytesIO(_jpeg_like(4 * 1024 * 1024)))


def test_stream_over_clamds_limit_is_rejected_not_clean(scanner: ClamdScanner) -> None:
    reader = _CountingReader(80 * 1024 * 1024)  # clamd.conf.in: StreamMaxLength 64M
    with io.BufferedReader(reader, buffer_size=64 * 1024) as source, pytest.raises(FileRejected) as rejected:
        scanner.scan(source)
    assert rejected.value.code == "scan_failed"
    assert rejected.value.detail.endswith(".")
