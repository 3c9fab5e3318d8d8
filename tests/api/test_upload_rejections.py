"""Bad input: each file refused with the right code and a reason, nothing stored anywhere."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.config import PROJECT_ROOT, get_settings
from core.db import maintenance_transaction
from core.images.models import Image
from core.storage import get_storage
from tests.fixtures import images as fx
from tests.support.api import create_batch, upload

BAD_INPUTS: list[tuple[str, str, Callable[[], bytes], str]] = [
    ("eicar", "eicar.jpg", lambda: fx.EICAR, "unsupported_type"),
    ("eicar-appended-to-jpeg", "holiday.jpg", fx.eicar_appended_to_jpeg, "infected"),
    ("eicar-in-zip-named-jpg", "archive.jpg", fx.eicar_in_zip, "unsupported_type"),
    ("truncated-jpeg", "cut.jpg", fx.truncated_jpeg, "corrupt_image"),
    ("20000x20000-png", "bomb.png", fx.huge_png, "too_many_pixels"),
    ("svg-with-script", "logo.svg", fx.svg_with_script, "unsupported_type"),
    ("empty-file", "nothing.jpg", fx.empty, "empty_file"),
    ("html-named-jpg", "page.jpg", fx.html_document, "unsupported_type"),
]


def _stored_keys(batch_id: str, folder: str = "") -> list[str]:
    """Keys under the batch (all of them, or one folder such as "originals")."""
    return [k for k in get_storage().list_keys("orgs/") if f"/batches/{batch_id}/{folder}" in k]


def _image_rows(batch_id: str) -> int:
    with maintenance_transaction() as session:
        return int(
            session.execute(
                select(func.count()).select_from(Image).where(Image.batch_id == uuid.UUID(batch_id))
            ).scalar_one()
        )


def _assert_nothing_stored(client: TestClient, auth: dict[str, str], batch_id: str) -> None:
    assert _stored_keys(batch_id) == []
    assert _image_rows(batch_id) == 0
    batch = client.get(f"/batches/{batch_id}", headers=auth).json()
    assert batch["total_images"] == 0 and batch["status"] == "PENDING"


@pytest.mark.parametrize(("filename", "factory", "code"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_file_is_refused_and_nothing_is_stored(
    client: TestClient, auth: dict[str, str], filename: str, factory: Callable[[], bytes], code: str
) -> None:
    batch = create_batch(client, auth)
    response = upload(client, auth, batch["id"], [(filename, factory())])
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "FileRejected" and body["code"] == code
    (result,) = body["results"]
    assert result["status"] == "rejected" and result["code"] == code
    assert len(result["detail"]) > 20, "a sentence a person can act on"
    _assert_nothing_stored(client, auth, batch["id"])


def test_eicar_named_as_image_inside_a_batch_is_reported_per_file(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth)
    files = [("good.jpg", fx.jpeg(seed=1)), ("bad.jpg", fx.eicar_appended_to_jpeg()), ("good.png", fx.png(seed=2))]
    response = upload(client, auth, batch["id"], files)
    assert response.status_code == 200
    statuses = [(r["filename"], r["status"], r["code"]) for r in response.json()["results"]]
    assert statuses == [
        ("good.jpg", "accepted", None),
        ("bad.jpg", "rejected", "infected"),
        ("good.png", "accepted", None),
    ]
    assert len(_stored_keys(batch["id"], "originals/")) == 2 and _image_rows(batch["id"]) == 2


def test_file_over_the_size_limit(client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_file_bytes", 200_000)
    batch = create_batch(client, auth)
    big = fx.jpeg(1600, 1200, seed=5, quality=95)
    assert len(big) > 200_000
    response = upload(client, auth, batch["id"], [("big.jpg", big)])
    assert response.status_code == 422 and response.json()["code"] == "too_large"
    assert "limit" in response.json()["results"][0]["detail"]
    _assert_nothing_stored(client, auth, batch["id"])


def test_file_count_limit_per_batch(client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_files_per_batch", 2)
    batch = create_batch(client, auth)
    response = upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=40 + n)) for n in range(3)])
    assert [r["code"] for r in response.json()["results"]] == [None, None, "too_many_files"]


def test_hostile_filenames_are_sanitized_and_never_in_keys(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth)
    long_name = "Ünïcödé-" * 40 + ".jpg"  # 320 characters
    files = [("../../etc/\x00pass\x1bwd\r\n.jpg", fx.jpeg(seed=21)), (long_name, fx.jpeg(seed=22))]
    response = upload(client, auth, batch["id"], files)
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert "/" not in first["filename"] and ".." not in first["filename"]
    assert not any(ord(c) < 32 for c in first["filename"])
    assert len(second["filename"]) <= 255 and second["filename"].endswith(".jpg")
    for key in _stored_keys(batch["id"], "originals/"):
        assert re.fullmatch(r"orgs/[0-9a-f-]{36}/batches/[0-9a-f-]{36}/originals/[0-9a-f-]{36}\.jpg", key), key


def test_duplicate_in_batch_is_reported_and_skipped(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth)
    data = fx.jpeg(seed=31)
    first = upload(client, auth, batch["id"], [("a.jpg", data), ("b.jpg", data)])
    assert [r["code"] for r in first.json()["results"]] == [None, "duplicate"]
    again = upload(client, auth, batch["id"], [("c.jpg", data)])
    assert again.status_code == 422 and again.json()["code"] == "duplicate"
    assert "a.jpg" in again.json()["detail"]
    assert _image_rows(batch["id"]) == 1


def test_extension_that_disagrees_with_content_is_corrected(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth)
    response = upload(client, auth, batch["id"], [("photo.png", fx.jpeg(seed=51))])
    assert response.json()["results"][0]["mime_type"] == "image/jpeg"
    (key,) = _stored_keys(batch["id"], "originals/")
    assert key.endswith(".jpg")


def test_not_multipart_and_no_files(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth)
    raw = client.post(
        f"/batches/{batch['id']}/images", content=b"hello", headers={**auth, "content-type": "image/jpeg"}
    )
    assert raw.status_code == 400 and raw.json()["code"] == "not_multipart"
    empty = client.post(f"/batches/{batch['id']}/images", data={"note": "x"}, files={"x": ("", b"")}, headers=auth)
    assert empty.status_code in (400, 422)


def _clamd_pid() -> int | None:
    pidfile = get_settings().data_dir / "clamd" / "clamd.pid"
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def test_clamd_stopped_refuses_upload_with_503_and_stores_nothing(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth)
    pid = _clamd_pid()
    assert pid is not None, "clamd is started by scripts/services.sh"
    os.kill(pid, 15)
    try:
        deadline = time.monotonic() + 20
        while get_settings().effective_clamd_socket.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        response = upload(client, auth, batch["id"], [("fine.jpg", fx.jpeg(seed=61))])
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "scanner_unavailable"
        _assert_nothing_stored(client, auth, batch["id"])
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["clamd"] != "ok"
    finally:
        subprocess.run([str(PROJECT_ROOT / "scripts/services.sh"), "up"], check=True, capture_output=True)
    assert client.get("/health/ready").json()["checks"]["clamd"] == "ok"
