"""Nothing accepted is left behind: lost jobs are re-sent, permanent failures are recorded."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from core.config import get_settings
from core.db import get_maintenance_sessionmaker, maintenance_transaction
from core.images.models import Image, ImageStatus
from core.images.sweep import sweep
from core.redis import get_redis
from core.storage import get_storage
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, download_zip, upload, wait_for_batch


def test_a_job_lost_between_commit_and_send_is_recovered_by_the_sweep(
    client: TestClient, auth: dict[str, str], worker: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("core.images.flows.send", lambda *args, **kwargs: None)  # the process "died" before sending
    batch = create_batch(client, auth)
    upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=400 + n)) for n in range(3)])
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    time.sleep(1.0)
    assert client.get(f"/batches/{batch['id']}", headers=auth).json()["processed_images"] == 0, "no job was sent"

    # Age the rows past the grace period instead of waiting for it.
    with maintenance_transaction() as session:
        session.execute(
            update(Image)
            .where(Image.batch_id == uuid.UUID(batch["id"]))
            .values(updated_at=Image.updated_at - get_settings().stuck_queued_after_seconds * 2 * timedelta(seconds=1))
        )
    report = sweep(
        sessions=get_maintenance_sessionmaker(), storage=get_storage(), cache=get_redis(), settings=get_settings()
    )
    assert report.images_requeued >= 3
    done = wait_for_batch(client, auth, batch["id"])
    assert (done["status"], done["processed_images"]) == ("COMPLETED", 3)


def test_a_permanent_failure_marks_the_image_and_the_batch_carries_on(
    client: TestClient, auth: dict[str, str], worker: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("core.images.flows.send", lambda *args, **kwargs: None)  # queue by hand below
    batch = create_batch(client, auth)
    results = upload(client, auth, batch["id"], [("good.jpg", fx.jpeg(seed=410)), ("gone.jpg", fx.jpeg(seed=411))])
    good_id, gone_id = (r["image_id"] for r in results.json()["results"])
    with maintenance_transaction() as session:
        gone = session.get_one(Image, uuid.UUID(gone_id))
        get_storage().delete(gone.storage_key)  # the original vanished from storage
    monkeypatch.undo()
    from core.queue import ProcessImage, TaskName, send

    for image_id in (good_id, gone_id):
        send(TaskName.PROCESS_IMAGE, ProcessImage(image_id=uuid.UUID(image_id)))
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    done = wait_for_batch(client, auth, batch["id"])
    assert (done["status"], done["processed_images"], done["failed_images"]) == ("PARTIAL", 1, 1)

    by_id = {i["id"]: i for i in all_images(client, auth, batch["id"])}
    assert by_id[gone_id]["status"] == ImageStatus.FAILED
    assert by_id[gone_id]["failure_code"] == "original_missing" and by_id[gone_id]["failure_reason"]
    archive = download_zip(client, auth, batch["id"])
    assert by_id[good_id]["final_name"] in archive.namelist()
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    failed = next(r for r in rows if r["original_name"] == "gone.jpg")
    assert failed["status"] == "failed" and failed["new_name"] == "" and "missing" in failed["reason"]


def test_an_image_whose_attempts_all_died_is_failed_not_resent_forever(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("core.images.flows.send", lambda *args, **kwargs: None)
    batch = create_batch(client, auth)
    image_id = upload(client, auth, batch["id"], [("crashy.jpg", fx.jpeg(seed=420))]).json()["results"][0]["image_id"]
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    settings = get_settings()
    with maintenance_transaction() as session:  # every claim so far died with its worker
        session.execute(
            update(Image)
            .where(Image.id == uuid.UUID(image_id))
            .values(
                status=ImageStatus.PROCESSING,
                attempts=settings.task_max_retries + 2,
                claimed_at=Image.updated_at - timedelta(hours=1),
            )
        )
    report = sweep(sessions=get_maintenance_sessionmaker(), storage=get_storage(), cache=get_redis(), settings=settings)
    assert report.images_failed >= 1
    done = wait_for_batch(client, auth, batch["id"], download=False)
    assert (done["status"], done["failed_images"]) == ("FAILED", 1)
    (image,) = all_images(client, auth, batch["id"])
    assert image["failure_code"] == "analysis_failed" and "regenerate" in image["failure_reason"]
