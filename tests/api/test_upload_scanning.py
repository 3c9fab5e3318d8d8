"""The virus scan runs alongside the decode check, and still fails closed.

clamd here is a stand-in on a unix socket speaking clamd's protocol, so that it can vanish at
a chosen moment: after answering the request's PING and before the file's INSTREAM.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import maintenance_transaction
from core.images.models import Image
from core.scanning.clamav import ClamdScanner
from core.storage import get_storage
from tests.fixtures import images as fx
from tests.support.api import create_batch, upload


class _ClamdThatVanishes:
    """Answers one PING with PONG, then stops listening and removes its socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            command = b""
            while not command.endswith(b"\0"):
                data = conn.recv(64)
                if not data:
                    break
                command += data
            if command == b"zPING\0":
                conn.sendall(b"PONG\0")
        self.server.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.server.close()
        self.path.unlink(missing_ok=True)


@pytest.fixture
def vanishing_clamd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_ClamdThatVanishes]:
    clamd = _ClamdThatVanishes(tmp_path / "clamd.sock")
    monkeypatch.setattr(
        ClamdScanner, "from_settings", classmethod(lambda cls, _settings: cls(socket_path=clamd.path, timeout=5))
    )
    yield clamd
    clamd.close()


def _stored_keys(batch_id: str) -> list[str]:
    return [key for key in get_storage().list_keys("") if f"/batches/{batch_id}/" in key]


def _image_rows(batch_id: str) -> int:
    with maintenance_transaction() as session:
        query = select(func.count()).select_from(Image).where(Image.batch_id == uuid.UUID(batch_id))
        return int(session.execute(query).scalar_one())


def test_clamd_gone_between_the_check_and_the_scan_refuses_with_503_and_stores_nothing(
    client: TestClient, auth: dict[str, str], vanishing_clamd: _ClamdThatVanishes
) -> None:
    batch = create_batch(client, auth)
    response = upload(client, auth, batch["id"], [("one.jpg", fx.jpeg(seed=71)), ("two.jpg", fx.jpeg(seed=72))])
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "scanner_unavailable"
    assert _stored_keys(batch["id"]) == []
    assert _image_rows(batch["id"]) == 0
    assert client.get(f"/batches/{batch['id']}", headers=auth).json()["total_images"] == 0


def test_a_damaged_image_is_refused_for_its_damage_even_when_clamd_is_gone(
    client: TestClient, auth: dict[str, str], vanishing_clamd: _ClamdThatVanishes
) -> None:
    """The checks keep their order: a file that does not decode is refused as corrupt, whatever
    its scan (started alongside the decode) ran into."""
    batch = create_batch(client, auth)
    response = upload(client, auth, batch["id"], [("cut.jpg", fx.truncated_jpeg())])
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "corrupt_image"
    assert _stored_keys(batch["id"]) == []
