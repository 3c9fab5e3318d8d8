"""Liveness, readiness and Prometheus metrics of the API and the worker."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from scripts.stack import free_port
from tests.fixtures import images as fx
from tests.support.api import create_batch, upload, wait_for_batch
from tests.support.processes import WorkerProcess


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, lbls), v in samples.items() if n == name and wanted <= set(lbls))


def test_liveness_and_readiness(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "storage": "ok", "clamd": "ok"}


def test_api_metrics_count_requests_uploads_and_viruses(client: TestClient, auth: dict[str, str]) -> None:
    before = _samples(client.get("/metrics").text)
    batch = create_batch(client, auth)
    upload(client, auth, batch["id"], [("ok.jpg", fx.jpeg(seed=301)), ("bad.jpg", fx.eicar_appended_to_jpeg())])
    client.get(f"/batches/{batch['id']}", headers=auth)
    after = _samples(client.get("/metrics").text)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("renamer_uploads_total", result="accepted") == 1
    assert delta("renamer_uploads_total", result="rejected", code="infected") == 1
    assert delta("renamer_virus_detections_total") == 1
    # Latency is labelled by route template, never by ids.
    assert delta("renamer_http_request_duration_seconds_count", route="/batches/{batch_id}", status="200") == 1
    assert not any(batch["id"] in str(labels) for (_, labels) in after)


@pytest.mark.slow
def test_worker_metrics_aggregate_prefork_children(
    client: TestClient, auth: dict[str, str], worker: WorkerProcess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    worker.stop()  # the measured worker must be the only consumer
    port = free_port()
    measured = WorkerProcess(
        "metrics", tmp_path_factory.mktemp("metrics"), env={"RENAMER_WORKER_METRICS_PORT": str(port)}
    ).start()
    try:
        batch = create_batch(client, auth)
        upload(client, auth, batch["id"], [(f"{n}.jpg", fx.jpeg(seed=310 + n)) for n in range(5)])
        client.post(f"/batches/{batch['id']}/start", headers=auth)
        wait_for_batch(client, auth, batch["id"])
        deadline = time.monotonic() + 20
        while True:
            samples = _samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
            if _value(samples, "renamer_images_finished_total", status="named") >= 5 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    finally:
        measured.stop()
        worker.start()
    # At least our five (earlier tests may leave images that this worker also picks up);
    # without multiprocess aggregation the children's samples would be missing entirely.
    named = _value(samples, "renamer_images_finished_total", status="named", provider="local")
    assert named >= 5
    for stage in ("download", "analysis", "thumbnail", "naming"):
        assert _value(samples, "renamer_task_stage_duration_seconds_count", stage=stage) == named, stage
        assert _value(samples, "renamer_task_stage_cpu_seconds_count", stage=stage) == named, stage
        # CPU time is never more than wall time (one thread), and analysis is not free.
        cpu = _value(samples, "renamer_task_stage_cpu_seconds_sum", stage=stage)
        assert cpu <= _value(samples, "renamer_task_stage_duration_seconds_sum", stage=stage) + 0.01, stage
    assert _value(samples, "renamer_task_stage_cpu_seconds_sum", stage="analysis") > 0
    assert ("renamer_queue_messages", (("queue", "images"),)) in samples
