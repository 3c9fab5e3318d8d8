"""Operations metrics against the real services: dependency reachability, storage errors,
the age of the oldest queued message, and the ZIP build time."""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from core.config import get_settings
from core.errors import NotFound, ServiceUnavailable
from core.metrics import QueueDepthCollector, registry
from core.queue import producer
from core.redis import get_redis
from core.storage import ObjectStorage, get_storage
from scripts.stack import free_port
from tests.api.test_health_metrics import _samples, _value
from tests.fixtures import images as fx
from tests.support.api import create_batch, download_zip, upload, wait_for_batch
from tests.support.processes import ApiProcess, WorkerProcess


def test_dependencies_are_up_when_everything_answers(client: TestClient) -> None:
    samples = _samples(client.get("/metrics").text)
    for dependency in ("database", "redis", "storage", "clamd"):
        assert samples[("renamer_dependency_up", (("dependency", dependency),))] == 1.0, dependency
    # The API reports the queues too, so the backlog stays visible with every worker gone.
    assert ("renamer_queue_messages", (("queue", "images"),)) in samples
    assert ("renamer_queue_oldest_message_age_seconds", (("queue", "images"),)) in samples


def test_an_unreachable_clamd_is_reported_down_and_the_rest_up(services: None, tmp_path: Path) -> None:
    api = ApiProcess("clamd-down", tmp_path, {"RENAMER_CLAMD_SOCKET": str(tmp_path / "no-clamd.sock")}).start()
    try:
        started = time.monotonic()
        samples = _samples(httpx.get(f"{api.url}/metrics", timeout=15).text)
        assert time.monotonic() - started < 10, "a scrape must stay within Prometheus's timeout"
        ready = httpx.get(f"{api.url}/health/ready", timeout=15)
    finally:
        api.stop()
    dependencies = ("database", "redis", "storage", "clamd")
    up = {d: samples[("renamer_dependency_up", (("dependency", d),))] for d in dependencies}
    assert up == {"database": 1.0, "redis": 1.0, "storage": 1.0, "clamd": 0.0}
    assert ready.status_code == 503 and ready.json()["checks"]["clamd"] != "ok"


def _storage_errors(operation: str) -> float:
    return registry().get_sample_value("renamer_storage_errors_total", {"operation": operation}) or 0.0


def test_failed_storage_calls_are_counted_by_operation_and_missing_keys_are_not(services: None) -> None:
    settings = get_settings()
    key = f"metrics-test/{uuid.uuid4().hex}"
    puts, heads, gets = _storage_errors("put"), _storage_errors("head"), _storage_errors("get")

    # A real S3 that refuses us (wrong secret): an error answer, after botocore's retries.
    refused = ObjectStorage(settings.model_copy(update={"s3_secret_key": "not-the-secret"}))
    with pytest.raises(ServiceUnavailable):
        refused.put(key, io.BytesIO(fx.jpeg(seed=401)), content_type="image/jpeg")
    assert _storage_errors("put") == puts + 1

    # Nobody listening: no answer at all.
    unreachable = ObjectStorage(settings.model_copy(update={"s3_endpoint_url": f"http://127.0.0.1:{free_port()}"}))
    with pytest.raises(ServiceUnavailable):
        unreachable.ping()
    assert _storage_errors("head") == heads + 1

    # A key that does not exist is an answer callers expect, not a storage failure.
    storage = get_storage()
    assert storage.size(key) is None
    with pytest.raises(NotFound):
        storage.open(key)
    assert (_storage_errors("head"), _storage_errors("get")) == (heads + 1, gets)


def test_oldest_message_age_comes_from_the_publish_time(services: None) -> None:
    queue = f"metrics-probe-{uuid.uuid4().hex[:8]}"
    collector = QueueDepthCollector([queue])

    def figures() -> dict[str, float]:
        return {family.name: family.samples[0].value for family in collector.collect() if family.samples}

    assert figures() == {"renamer_queue_messages": 0.0, "renamer_queue_oldest_message_age_seconds": 0.0}
    try:
        producer().send_task("metrics.probe", kwargs={}, queue=queue)
        time.sleep(1.5)
        producer().send_task("metrics.probe", kwargs={}, queue=queue)
        time.sleep(0.5)
        found = figures()
        assert found["renamer_queue_messages"] == 2
        # The oldest of the two (sent 2 s ago), not the newest (0.5 s).
        assert 1.9 <= found["renamer_queue_oldest_message_age_seconds"] < 10
    finally:
        get_redis().delete(queue)


@pytest.mark.slow
def test_worker_reports_the_zip_build_time(
    client: TestClient, auth: dict[str, str], worker: WorkerProcess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    worker.stop()  # the measured worker must build this batch's ZIP
    port = free_port()
    measured = WorkerProcess("zip", tmp_path_factory.mktemp("zip"), env={"RENAMER_WORKER_METRICS_PORT": str(port)})
    measured.start()
    try:
        batch = create_batch(client, auth)
        upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=420 + n)) for n in range(3)])
        client.post(f"/batches/{batch['id']}/start", headers=auth)
        wait_for_batch(client, auth, batch["id"])
        assert len(download_zip(client, auth, batch["id"]).namelist()) == 4  # three images and the manifest
        samples = _samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
    finally:
        measured.stop()
        worker.start()
    assert _value(samples, "renamer_task_stage_duration_seconds_count", stage="zip") >= 1
    assert _value(samples, "renamer_task_stage_duration_seconds_sum", stage="zip") > 0
    assert ("renamer_queue_oldest_message_age_seconds", (("queue", "exports"),)) in samples
