"""Retention: originals, thumbnails and ZIPs go a set number of days after a batch finishes;
the batch, its names, alt text and manifest stay, and the download says why it is gone."""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlmodel import col

import core.all_models
from core.batches.models import Batch, BatchStatus
from core.config import get_settings
from core.db import get_maintenance_engine, get_maintenance_sessionmaker, maintenance_transaction
from core.queue import RetentionSweep, TaskName, send
from core.retention import service as retention
from core.retention.models import StorageTombstone
from core.storage import get_storage
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, organization_id, upload, wait_for_batch


def _sweep() -> retention.RetentionReport:
    return retention.sweep(sessions=get_maintenance_sessionmaker(), storage=get_storage(), settings=get_settings())


def _finished_days_ago(batch_id: uuid.UUID, days: float) -> None:
    with maintenance_transaction() as session:
        session.execute(
            update(Batch).where(col(Batch.id) == batch_id).values(completed_at=datetime.now(UTC) - timedelta(days=days))
        )


def _row(batch_id: uuid.UUID) -> Batch:
    with maintenance_transaction() as session:
        return session.get_one(Batch, batch_id)


def _user_id(client: TestClient, auth: dict[str, str]) -> uuid.UUID:
    return uuid.UUID(client.get("/me", headers=auth).json()["id"])


def _tenant(client: TestClient, auth: dict[str, str]) -> uuid.UUID:
    return organization_id(client, auth)


def _tombstone_count(prefix: str) -> int:
    with maintenance_transaction() as session:
        return len(session.execute(select(StorageTombstone.id).where(StorageTombstone.prefix == prefix)).all())


def test_files_go_after_the_retention_period_and_the_batch_stays(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    old = create_batch(client, auth, name="Spring shoot")
    upload(client, auth, old["id"], [(f"{n}.jpg", fx.jpeg(seed=700 + n)) for n in range(2)])
    recent = create_batch(client, auth, name="Recent")
    upload(client, auth, recent["id"], [("r.jpg", fx.jpeg(seed=710))])
    for batch in (old, recent):
        client.post(f"/batches/{batch['id']}/start", headers=auth)
        wait_for_batch(client, auth, batch["id"])
    names_before = {i["id"]: (i["final_name"], i["alt_text"]) for i in all_images(client, auth, old["id"])}
    tenant = _tenant(client, auth)
    old_id, recent_id = uuid.UUID(old["id"]), uuid.UUID(recent["id"])
    old_prefix, recent_prefix = retention.batch_prefix(tenant, old_id), retention.batch_prefix(tenant, recent_id)
    kinds = {key.removeprefix(old_prefix).split("/")[0] for key in get_storage().list_keys(old_prefix)}
    assert kinds == {"originals", "thumbnails", "exports"}
    days = get_settings().retention_days
    _finished_days_ago(old_id, days + 0.1)
    _finished_days_ago(recent_id, days - 0.1)

    _sweep()

    assert _row(old_id).purged_at is not None
    assert get_storage().list_keys(old_prefix) == [], "originals, thumbnails and the ZIP are deleted"
    assert len(get_storage().list_keys(recent_prefix)) >= 3, "a batch inside the period keeps its files"
    assert _row(recent_id).purged_at is None
    kept = client.get(f"/batches/{old['id']}", headers=auth).json()
    assert (kept["name"], kept["status"], kept["download_ready"]) == ("Spring shoot", "COMPLETED", False)
    images = all_images(client, auth, old["id"])
    assert {i["id"]: (i["final_name"], i["alt_text"]) for i in images} == names_before
    assert all(i["thumbnail_url"] is None for i in images), "no links to deleted thumbnails"
    gone = client.get(f"/batches/{old['id']}/download", headers=auth)
    assert gone.status_code == 410 and gone.json()["code"] == "files_deleted"
    assert f"{days} days" in gone.json()["detail"] and "new batch" in gone.json()["detail"]
    manifest = client.get(f"/batches/{old['id']}/manifest.csv", headers=auth)
    rows = list(csv.DictReader(io.StringIO(manifest.content.decode("utf-8-sig"))))
    assert sorted(r["new_name"] for r in rows) == sorted(name for name, _ in names_before.values())

    # A name can still be edited (it shows in the manifest); no ZIP build is asked for.
    purged = _row(old_id)
    edited = client.patch(f"/images/{images[0]['id']}", json={"name": "blue canvas sneaker"}, headers=auth)
    assert edited.status_code == 200, edited.text
    after = _row(old_id)
    assert (after.content_version, after.zip_version, after.zip_key) == (
        purged.content_version,
        purged.content_version,
        None,
    )
    assert client.get(f"/batches/{old['id']}/download", headers=auth).status_code == 410

    # Idempotent: a second run leaves the purged batch as it was.
    _sweep()
    assert _row(old_id).purged_at == purged.purged_at


@pytest.fixture
def expired_batches(client: TestClient, auth: dict[str, str]) -> Iterator[list[tuple[uuid.UUID, str]]]:
    """Five batches that finished long ago, each with one stored object, made directly (no
    worker needed); (batch id, storage prefix)."""
    owner, tenant = _user_id(client, auth), _tenant(client, auth)
    made: list[tuple[uuid.UUID, str]] = []
    long_ago = datetime.now(UTC) - timedelta(days=get_settings().retention_days + 30)
    with maintenance_transaction() as session:
        for n in range(5):
            batch = Batch(
                owner_id=owner,
                organization_id=tenant,
                name=f"old {n}",
                status=BatchStatus.COMPLETED,
                completed_at=long_ago,
            )
            session.add(batch)
            session.flush()
            made.append((batch.id, retention.batch_prefix(tenant, batch.id)))
    for _, prefix in made:
        get_storage().put(f"{prefix}originals/x.jpg", io.BytesIO(b"bytes"), content_type="image/jpeg")
    yield made


def test_each_run_is_bounded_and_two_sweeps_at_once_purge_each_batch_once(
    expired_batches: list[tuple[uuid.UUID, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "PURGE_LIMIT", 2)
    mine = {batch_id for batch_id, _ in expired_batches}

    first = _sweep()

    assert first.batches_purged == 2
    assert sum(_row(batch_id).purged_at is not None for batch_id in mine) == 2

    with ThreadPoolExecutor(2) as pool:  # two beat schedulers by mistake
        reports = list(pool.map(lambda _: _sweep(), range(2)))

    assert first.batches_purged + sum(r.batches_purged for r in reports) == 5
    for batch_id, prefix in expired_batches:
        assert _row(batch_id).purged_at is not None
        assert _tombstone_count(prefix) == 1, "purged once, so one tombstone"
        assert get_storage().list_keys(prefix) == []


def test_a_batch_another_transaction_holds_is_skipped_not_waited_for(
    expired_batches: list[tuple[uuid.UUID, str]],
) -> None:
    held_id, held_prefix = expired_batches[0]
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:  # another sweep (or an edit) working on this row
        with maintenance_transaction() as session:
            session.execute(select(Batch).where(Batch.id == held_id).with_for_update())
            locked.set()
            release.wait(30)

    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(hold)
        assert locked.wait(10)
        started = time.monotonic()
        _sweep()
        elapsed = time.monotonic() - started
        assert _row(held_id).purged_at is None and get_storage().list_keys(held_prefix)
        release.set()
        holder.result()
    assert elapsed < 10, "the sweep did not wait for the lock"
    assert all(_row(batch_id).purged_at is not None for batch_id, _ in expired_batches[1:])

    _sweep()

    assert _row(held_id).purged_at is not None and get_storage().list_keys(held_prefix) == []


def test_the_beat_task_runs_in_the_worker(expired_batches: list[tuple[uuid.UUID, str]], worker: object) -> None:
    from worker.app import app

    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"] == TaskName.RETENTION_SWEEP.value]
    assert entry["schedule"] == get_settings().retention_sweep_interval_seconds
    assert entry["options"]["queue"] == "maintenance"

    send(TaskName.RETENTION_SWEEP, RetentionSweep())

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_row(b).purged_at is None for b, _ in expired_batches):
        time.sleep(0.2)
    for batch_id, prefix in expired_batches:
        assert _row(batch_id).purged_at is not None
        assert get_storage().list_keys(prefix) == []


def test_the_model_and_the_migration_agree(services: None) -> None:
    with get_maintenance_engine().connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), core.all_models.metadata)
    mine = [
        d
        for d in map(repr, diffs)
        if "storage_tombstones" in d or "purged_at" in d or "ix_batches_completed_at_unpurged" in d
    ]
    assert mine == []
