"""A task that raises in a real worker reaches Sentry with the request id of the request that
sent it, and the worker's JSON log lines carry the same id."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from core import logging as log_context
from core.queue import ROUTES, TaskName, send
from tests.fakes.sentry_server import FakeSentry
from tests.support.processes import WorkerProcess

EMAIL = "erin.customer@example.com"
TOKEN = "tok-worker-secret-5555"


class MalformedProcessImage(BaseModel):
    """What an old or buggy sender might put on the queue: an image id that is not a UUID."""

    image_id: str
    access_token: str


def _json_lines(path: Path) -> list[dict[str, object]]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_task_that_raises_arrives_tagged_with_the_senders_request_id_and_scrubbed(
    services: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A queue of its own: the session's shared worker (no DSN) listens on "images" too.
    monkeypatch.setitem(ROUTES, TaskName.PROCESS_IMAGE, SimpleNamespace(value="sentry-test"))
    with FakeSentry() as fake:
        worker = WorkerProcess(
            "sentry",
            tmp_path,
            beat=False,
            concurrency=1,
            queues="sentry-test",
            env={"RENAMER_SENTRY_DSN": fake.dsn, "RENAMER_RELEASE": "test-rev-w1", "RENAMER_LOG_FORMAT": "json"},
        ).start()
        try:
            log_context.new_context(request_id="req-sentry-worker-1", user_id="user-42", batch_id="not-sent")
            send(TaskName.PROCESS_IMAGE, MalformedProcessImage(image_id=EMAIL, access_token=TOKEN))
            envelope, event = fake.wait_for_event(lambda e: e.get("tags", {}).get("service") == "worker", timeout=60)
            deadline = time.monotonic() + 10  # Celery's own "raised unexpected" line follows the capture
            while time.monotonic() < deadline and "raised unexpected" not in worker.log_path.read_text():
                time.sleep(0.2)
        finally:
            worker.stop()

    assert event["environment"] == "test"
    assert event["release"] == "test-rev-w1"
    assert event["tags"]["request_id"] == "req-sentry-worker-1"
    assert event["tags"]["user_id"] == "user-42"
    assert "batch_id" not in event["tags"], "batch and image ids travel in payloads, not from the sender's context"
    assert event["tags"]["image_id"] == "[email]"
    assert any(v["type"] == "ValidationError" for v in event["exception"]["values"])
    raw = envelope.raw.decode("utf-8", errors="replace")
    assert TaskName.PROCESS_IMAGE.value in raw, "the event names the task"
    assert EMAIL not in raw and TOKEN not in raw

    lines = _json_lines(worker.log_path)
    assert any(line["message"].endswith("ready.") for line in lines), "Celery's own lines are JSON too"  # type: ignore[union-attr]
    failed = [line for line in lines if line["level"] == "ERROR" and line["request_id"] == "req-sentry-worker-1"]
    assert failed, worker.log_tail()
    assert failed[0]["user_id"] == "user-42" and "ValidationError" in str(failed[0].get("exception"))
