"""Deleting a batch, or an account with everything in it: rows and stored files really go."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import col

from core.accounts.models import User
from core.batches.models import Batch
from core.config import get_settings
from core.db import get_maintenance_sessionmaker, get_sessionmaker, maintenance_transaction, tenant_scope
from core.images import processing
from core.images.models import Image
from core.redis import get_redis
from core.retention import service as retention
from core.retention.models import StorageTombstone
from core.storage import ObjectStorage, get_storage
from core.vision import chain
from core.vision.models import AnalysisCacheEntry
from tests.fixtures import images as fx
from tests.support.api import create_batch, organization_id, upload, wait_for_batch

PASSWORD = "correct horse battery"  # what tests/conftest.py signs users up with


def _keys(prefix: str) -> list[str]:
    return get_storage().list_keys(prefix)


def _batch_prefix(client: TestClient, auth: dict[str, str], batch_id: str) -> str:
    return retention.batch_prefix(organization_id(client, auth), uuid.UUID(batch_id))


def _tombstones(prefix: str) -> list[StorageTombstone]:
    with maintenance_transaction() as session:
        query = select(StorageTombstone).where(StorageTombstone.prefix == prefix)
        return list(session.execute(query).scalars())


def _settle_now(prefix: str) -> None:
    """Stand in for the wait until in-flight writers are done: make the tombstone due."""
    past = func.now() - timedelta(seconds=1)
    with maintenance_transaction() as session:
        session.execute(
            update(StorageTombstone)
            .where(col(StorageTombstone.prefix) == prefix)
            .values(settle_at=past, next_attempt_at=past)
        )


def _sweep() -> retention.RetentionReport:
    return retention.sweep(sessions=get_maintenance_sessionmaker(), storage=get_storage(), settings=get_settings())


def _stage_presigned_upload(client: TestClient, auth: dict[str, str], batch_id: str) -> None:
    """A direct-to-S3 upload that was never completed: its staged object sits under incoming/."""
    data = fx.jpeg(seed=613)
    reply = client.post(
        f"/batches/{batch_id}/uploads", json={"files": [{"name": "later.jpg", "size": len(data)}]}, headers=auth
    )
    item = reply.json()["uploads"][0]
    sent = httpx.post(item["url"], data=item["fields"], files={"file": ("x", data)}, timeout=30)
    assert sent.status_code in (200, 204), sent.text


def _count(model: Any, *where: Any) -> int:
    with maintenance_transaction() as session:
        return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def test_deleting_a_batch_removes_its_rows_and_every_stored_object(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    batch = create_batch(client, auth, name="To be deleted")
    results = upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=600 + n)) for n in range(2)]).json()
    image_ids = [r["image_id"] for r in results["results"]]
    _stage_presigned_upload(client, auth, batch["id"])
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    wait_for_batch(client, auth, batch["id"])  # ZIP built
    kept = create_batch(client, auth, name="Kept")
    upload(client, auth, kept["id"], [("kept.jpg", fx.jpeg(seed=610))])
    prefix = _batch_prefix(client, auth, batch["id"])
    kinds = {key.removeprefix(prefix).split("/")[0] for key in _keys(prefix)}
    assert kinds == {"originals", "thumbnails", "exports", "incoming"}

    response = client.delete(f"/batches/{batch['id']}", headers=auth)

    assert response.status_code == 204, response.text
    assert _keys(prefix) == [], "every stored object of the batch is gone at once"
    assert client.get(f"/batches/{batch['id']}", headers=auth).status_code == 404
    assert client.get(f"/images/{image_ids[0]}", headers=auth).status_code == 404
    assert _count(Image, col(Image.batch_id) == uuid.UUID(batch["id"])) == 0
    assert [b["id"] for b in client.get("/batches", headers=auth).json()["items"]] == [kept["id"]]
    assert _keys(_batch_prefix(client, auth, kept["id"])), "the other batch keeps its files"
    assert client.delete(f"/batches/{batch['id']}", headers=auth).status_code == 404
    # Kept until in-flight writers are done; then the prefix is checked once more and the tombstone goes.
    (tombstone,) = _tombstones(prefix)
    assert tombstone.reason == "batch_deleted" and tombstone.last_error is None
    _settle_now(prefix)
    assert _sweep().prefixes_done >= 1
    assert _tombstones(prefix) == []


def test_another_users_batch_cannot_be_deleted(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    batch = create_batch(client, auth)
    upload(client, auth, batch["id"], [("mine.jpg", fx.jpeg(seed=620))])
    prefix = _batch_prefix(client, auth, batch["id"])

    response = client.delete(f"/batches/{batch['id']}", headers=other_auth)

    assert response.status_code == 404 and response.json()["error"] == "NotFound"
    assert client.get(f"/batches/{batch['id']}", headers=auth).json()["total_images"] == 1
    assert len(_keys(prefix)) == 1 and _tombstones(prefix) == []
    assert client.delete(f"/batches/{uuid.uuid4()}", headers=auth).status_code == 404


def test_a_task_finishing_after_its_batch_was_deleted_ends_quietly_and_its_thumbnail_goes(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race, made deterministic: the batch is deleted while its image is being analysed.
    The task still writes its thumbnail (it has the bytes), then finds no batch, removes the
    thumbnail itself and stops; the tombstone's check after the settle time is the backstop."""
    monkeypatch.setattr("core.images.flows.send", lambda *args, **kwargs: None)  # no worker takes it
    batch = create_batch(client, auth)
    image_id = upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(seed=630))]).json()["results"][0]["image_id"]
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    prefix = _batch_prefix(client, auth, batch["id"])
    real_analyze = chain.analyze

    def analyze_then_delete(*args: Any, **kwargs: Any) -> Any:
        result = real_analyze(*args, **kwargs)
        assert client.delete(f"/batches/{batch['id']}", headers=auth).status_code == 204
        return result

    monkeypatch.setattr(chain, "analyze", analyze_then_delete)
    settings = get_settings()
    deps = processing.Dependencies(
        sessions=get_sessionmaker(),
        storage=get_storage(),
        guards=chain.Guards(settings=settings, redis=get_redis()),
        settings=settings,
    )

    with tenant_scope(organization_id(client, auth)):  # as the task wrapper does
        outcome = processing.process(uuid.UUID(image_id), deps)
        assert outcome == processing.Outcome.SUPERSEDED
        assert _keys(prefix) == [], "the task removes the thumbnail it wrote after the deletion"
        assert processing.process(uuid.UUID(image_id), deps) == processing.Outcome.SKIPPED  # a redelivery
    _sweep()
    assert len(_tombstones(prefix)) == 1, "kept until the settle time"
    _settle_now(prefix)
    _sweep()
    assert _keys(prefix) == [] and _tombstones(prefix) == []


_TASK_LINE = re.compile(r"Task images\.process\[([0-9a-f-]+)\] (received|succeeded|failed|retry)")


def _wait_for_quiet_worker(log_path: Path, offset: int, *, timeout: float = 90.0) -> str:
    """Until every image task the worker received since `offset` has finished, and no new
    one has arrived for a second."""
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    seen = 0
    while time.monotonic() < deadline:
        log = log_path.read_bytes()[offset:].decode(errors="replace")
        events = _TASK_LINE.findall(log)
        received = {task for task, what in events if what == "received"}
        ended = {task for task, what in events if what in ("succeeded", "failed")}
        if len(events) != seen:
            seen, quiet_since = len(events), time.monotonic()
        if received and received <= ended and time.monotonic() - quiet_since > 1.0:
            return log
        time.sleep(0.2)
    raise TimeoutError(log_path.read_text(errors="replace")[-3000:])


def test_deleting_a_batch_while_the_worker_processes_it(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    """Renaming is under way when the batch is deleted: running tasks find no row and end
    quietly, queued ones skip, and whatever they wrote meanwhile (thumbnails) is removed by
    the tombstone's check after the settle time."""
    log_path: Path = worker.log_path  # type: ignore[attr-defined]
    offset = log_path.stat().st_size
    batch = create_batch(client, auth)
    prefix = _batch_prefix(client, auth, batch["id"])
    files = [(f"{n}.jpg", fx.jpeg(1600, 1200, seed=640 + n)) for n in range(16)]
    assert upload(client, auth, batch["id"], files).json()["accepted"] == len(files)
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    deadline = time.monotonic() + 60
    while (state := client.get(f"/batches/{batch['id']}", headers=auth).json())["processed_images"] < 1:
        assert time.monotonic() < deadline, "the first image was never named"
        time.sleep(0.05)

    assert client.delete(f"/batches/{batch['id']}", headers=auth).status_code == 204

    assert state["processed_images"] + state["failed_images"] < len(files), "deleted while work was in flight"
    log = _wait_for_quiet_worker(log_path, offset)
    assert "Traceback" not in log and "giving up" not in log and "retrying" not in log, log[-3000:]
    assert client.get(f"/batches/{batch['id']}", headers=auth).status_code == 404
    assert _count(Image, col(Image.batch_id) == uuid.UUID(batch["id"])) == 0
    _settle_now(prefix)
    _sweep()
    assert _keys(prefix) == [], "nothing an in-flight task or upload wrote is left behind"
    assert _tombstones(prefix) == []


def test_a_storage_failure_after_the_commit_is_finished_by_the_retention_sweep(
    client: TestClient, auth: dict[str, str]
) -> None:
    batch = create_batch(client, auth)
    upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=650 + n)) for n in range(2)])
    prefix = _batch_prefix(client, auth, batch["id"])
    # The real client against a port where nothing listens: S3 is down for this one request.
    broken = ObjectStorage(get_settings().model_copy(update={"s3_endpoint_url": "http://127.0.0.1:9"}))
    client.app.dependency_overrides[get_storage] = lambda: broken  # type: ignore[attr-defined]
    try:
        response = client.delete(f"/batches/{batch['id']}", headers=auth)
    finally:
        client.app.dependency_overrides.pop(get_storage)  # type: ignore[attr-defined]

    assert response.status_code == 204, "the deletion is committed; the files follow"
    assert client.get(f"/batches/{batch['id']}", headers=auth).status_code == 404
    assert sum("/originals/" in key for key in _keys(prefix)) == 2, "S3 was down: the files are still there"
    (tombstone,) = _tombstones(prefix)
    assert tombstone.attempts == 1 and tombstone.last_error and "EndpointConnectionError" in tombstone.last_error
    with maintenance_transaction() as session:
        due_later = session.execute(select(func.now() < tombstone.next_attempt_at)).scalar_one()
    assert due_later, "retried with backoff, not in a tight loop"

    _settle_now(prefix)  # the backoff has passed, and so has the settle time
    report = _sweep()

    assert report.prefixes_done >= 1
    assert _keys(prefix) == [] and _tombstones(prefix) == []


def _sign_up(client: TestClient) -> tuple[str, dict[str, str]]:
    email = f"leaver-{uuid.uuid4().hex[:12]}@example.com"
    reply = client.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    return email, {"Authorization": f"Bearer {reply.json()['access_token']}"}


def test_deleting_an_account_needs_the_password(client: TestClient) -> None:
    _, auth = _sign_up(client)
    for body, code in (
        (None, "password_required"),
        ({}, "password_required"),
        ({"password": "not it"}, "wrong_password"),
    ):
        response = client.request("DELETE", "/auth/me", json=body, headers=auth)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == code and "password" in response.json()["detail"]
    assert client.get("/me", headers=auth).status_code == 200, "nothing was deleted"
    assert client.request("DELETE", "/auth/me", json={"password": PASSWORD}).status_code == 401


def test_deleting_an_account_removes_all_data_and_revokes_every_token(
    client: TestClient, worker: object, other_auth: dict[str, str]
) -> None:
    email, auth = _sign_up(client)
    user_id = uuid.UUID(client.get("/me", headers=auth).json()["id"])
    personal = organization_id(client, auth)
    login = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    second_token = {"Authorization": f"Bearer {login.json()['access_token']}"}
    finished = create_batch(client, auth)
    upload(client, auth, finished["id"], [(f"{n}.jpg", fx.jpeg(seed=660 + n)) for n in range(2)])
    client.post(f"/batches/{finished['id']}/start", headers=auth)
    wait_for_batch(client, auth, finished["id"])
    open_batch = create_batch(client, auth)
    upload(client, auth, open_batch["id"], [("waiting.jpg", fx.jpeg(seed=670))])
    others = create_batch(client, other_auth)
    upload(client, other_auth, others["id"], [("theirs.jpg", fx.jpeg(seed=671))])
    with maintenance_transaction() as session:  # what a remote provider said about each picture, and about another's
        checksums = list(session.execute(select(Image.checksum).where(Image.owner_id == user_id)).scalars())
        foreign = session.execute(select(Image.checksum).where(Image.batch_id == uuid.UUID(others["id"]))).scalar_one()
        theirs = organization_id(client, other_auth)
        for tenant, checksum in [*((personal, c) for c in checksums), (theirs, foreign)]:
            session.add(
                AnalysisCacheEntry(
                    organization_id=tenant, checksum=checksum, provider="openai", prompt_key="v1:test", analysis={}
                )
            )
    assert _keys(retention.organization_prefix(personal))

    response = client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=auth)

    assert response.status_code == 204, response.text
    assert _keys(retention.organization_prefix(personal)) == [], "every stored object of the account is gone"
    assert _count(User, col(User.id) == user_id) == 0
    assert _count(Batch, col(Batch.organization_id) == personal) == 0
    assert _count(Image, col(Image.owner_id) == user_id) == 0
    assert _count(AnalysisCacheEntry, col(AnalysisCacheEntry.organization_id) == personal) == 0
    assert _count(AnalysisCacheEntry, col(AnalysisCacheEntry.checksum) == foreign) == 1
    for headers in (auth, second_token):
        for path in ("/me", "/batches", f"/batches/{finished['id']}"):
            rejected = client.get(path, headers=headers)
            assert rejected.status_code == 401 and rejected.json()["code"] == "invalid_token", (path, rejected.text)
    assert client.post("/auth/login", json={"email": email, "password": PASSWORD}).status_code == 401
    assert client.post("/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 201
    assert client.get(f"/batches/{others['id']}", headers=other_auth).json()["total_images"] == 1
    assert _keys(_batch_prefix(client, other_auth, others["id"])), "another account's files stay"
