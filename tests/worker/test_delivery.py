"""At-least-once delivery, exactly-once effect."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.batches.models import Batch
from core.config import get_settings
from core.db import get_sessionmaker, maintenance_transaction, tenant_scope
from core.images import processing
from core.images.models import Image
from core.queue import ProcessImage, TaskName, send
from core.redis import get_redis
from core.storage import get_storage
from core.vision import chain
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, download_zip, organization_id, upload, wait_for_batch
from tests.support.processes import WorkerProcess


def _deps() -> processing.Dependencies:
    settings = get_settings()
    return processing.Dependencies(
        sessions=get_sessionmaker(),
        storage=get_storage(),
        guards=chain.Guards(settings=settings, redis=get_redis()),
        settings=settings,
    )


def _batch_row(batch_id: str) -> Batch:
    with maintenance_transaction() as session:
        return session.get_one(Batch, uuid.UUID(batch_id))


def test_the_same_job_run_twice_at_once_gives_one_result(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two deliveries of one job race in-process; one names, one skips. The upload sends
    no job here, so that a running worker cannot take it first."""
    monkeypatch.setattr("core.images.flows.send", lambda *args, **kwargs: None)
    batch = create_batch(client, auth)
    image_id = upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(seed=81))]).json()["results"][0]["image_id"]
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    deps = _deps()
    tenant = organization_id(client, auth)

    def deliver(_: int) -> processing.Outcome:
        with tenant_scope(tenant):  # as the task wrapper does
            return processing.process(uuid.UUID(image_id), deps)

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(deliver, range(2)))
    assert outcomes == sorted([processing.Outcome.NAMED, processing.Outcome.SKIPPED])
    third = deliver(3)
    assert third == processing.Outcome.SKIPPED
    row = _batch_row(batch["id"])
    assert (row.processed_images, row.failed_images, row.status) == (1, 0, "COMPLETED")


def test_a_task_delivered_twice_through_the_broker_is_done_once(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    batch = create_batch(client, auth)
    results = upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=90 + n)) for n in range(4)]).json()[
        "results"
    ]
    for result in results:  # every job sent a second time, as a redelivery would
        send(TaskName.PROCESS_IMAGE, ProcessImage(image_id=result["image_id"]))
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    done = wait_for_batch(client, auth, batch["id"])
    assert (done["processed_images"], done["failed_images"]) == (4, 0)
    with maintenance_transaction() as session:
        attempts = (
            session.execute(select(Image.attempts).where(Image.batch_id == uuid.UUID(batch["id"]))).scalars().all()
        )
    assert sorted(attempts) == [1, 1, 1, 1], "a duplicate delivery must not claim finished work"
    time.sleep(1.0)  # duplicates still in flight must not change anything
    assert wait_for_batch(client, auth, batch["id"])["processed_images"] == 4


@pytest.mark.slow
def test_worker_killed_mid_batch_still_completes_every_image_once(
    client: TestClient, auth: dict[str, str], tmp_path_factory: pytest.TempPathFactory, worker: WorkerProcess
) -> None:
    # The shared worker is stopped so that the victim is the only consumer.
    worker.stop()
    logs = tmp_path_factory.mktemp("crash")
    victim = WorkerProcess("victim", logs, concurrency=2).start()
    try:
        batch = create_batch(client, auth, keywords=["garden chair"])
        files = [(f"chair-{n}.jpg", fx.jpeg(1600, 1200, seed=200 + n)) for n in range(24)]
        assert upload(client, auth, batch["id"], files).json()["accepted"] == 24
        client.post(f"/batches/{batch['id']}/start", headers=auth)
        deadline = time.monotonic() + 60
        while _batch_row(batch["id"]).processed_images < 3:
            assert time.monotonic() < deadline, victim.log_tail()
            time.sleep(0.05)
        victim.kill()
    finally:
        victim.kill()
    assert _batch_row(batch["id"]).status == "PROCESSING", "the kill must land mid-batch"

    rescuer = WorkerProcess("rescuer", logs, concurrency=2).start()
    try:
        done = wait_for_batch(client, auth, batch["id"], timeout=180)
    finally:
        rescuer.stop()
        worker.start()
    assert (done["status"], done["processed_images"], done["failed_images"]) == ("COMPLETED", 24, 0)
    images = all_images(client, auth, batch["id"])
    assert all(i["status"] == "NAMED" for i in images)
    names = [i["final_name"] for i in images]
    assert len(set(names)) == 24
    archive = download_zip(client, auth, batch["id"])
    assert sorted(archive.namelist()) == sorted([*names, "manifest.csv"])
