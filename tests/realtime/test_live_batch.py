"""A batch followed live from upload to ZIP, through the real API, worker and realtime server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from core.events import PAYLOAD_TYPES, Event, EventType
from tests.fixtures import images as fx
from tests.realtime.harness import Client, Received, token_of
from tests.support.api import create_batch, upload, wait_for_batch

pytestmark = pytest.mark.slow
IMAGES = 6


def _validated(received: list[Received]) -> list[Event]:
    events = []
    for item in received:
        event = Event.model_validate(item.payload)
        assert item.name == event.type.value
        payload_type = PAYLOAD_TYPES[event.type]
        fields = {**event.data, "image_id": event.image_id} if "image_id" in payload_type.model_fields else event.data
        payload_type.model_validate(fields)
        events.append(event)
    return events


def _finished(batch_id: str) -> Callable[[list[Received]], bool]:
    return lambda received: any(
        r.name == "BATCH_COMPLETED" and r.payload["batch_id"] == batch_id and r.payload["data"]["download_ready"]
        for r in received
    )


def test_the_owner_follows_a_batch_live_and_nobody_else_sees_it(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    worker: object,
    new_client: Callable[..., Client],
) -> None:
    batch = create_batch(client, auth, name="Live", keywords=["red sneakers"])["id"]
    their_batch = create_batch(client, other_auth, name="Someone else's")["id"]
    owner = new_client().connect(token=token_of(auth))
    stranger = new_client().connect(token=token_of(other_auth))
    assert owner.join(batch)["seq"] == 0
    assert stranger.join(their_batch)["ok"] is True
    assert stranger.join(batch) == {"ok": False, "code": "not_found", "detail": "No such batch."}

    files = [(f"IMG_{n:04d}.jpg", fx.jpeg(seed=500 + n)) for n in range(IMAGES)]
    response = upload(client, auth, batch, files)
    assert response.status_code == 200 and response.json()["accepted"] == IMAGES, response.text
    image_ids = {r["image_id"] for r in response.json()["results"]}
    assert client.post(f"/batches/{batch}/start", headers=auth).status_code == 200
    owner.wait_for(_finished(batch), timeout=180, what="BATCH_COMPLETED with the ZIP ready")
    done = wait_for_batch(client, auth, batch, timeout=30)

    events = _validated(owner.events(batch))
    assert [e.seq for e in events] == list(range(1, len(events) + 1)), "seq goes up by one, no gap, no repeat"
    assert len(events) == 2 * IMAGES + 3
    kinds = [e.type for e in events]
    assert kinds.count(EventType.IMAGE_UPLOADED) == IMAGES
    assert kinds.count(EventType.IMAGE_PROCESSED) == IMAGES
    assert kinds.count(EventType.BATCH_PROCESSING_STARTED) == 1
    assert EventType.PROCESSING_ERROR not in kinds
    # Images are named while the upload is still going, so processing may start before
    # BATCH_PROCESSING_STARTED; everything else has a fixed order.
    last_upload = max(i for i, k in enumerate(kinds) if k == EventType.IMAGE_UPLOADED)
    assert kinds.index(EventType.BATCH_PROCESSING_STARTED) > last_upload
    assert kinds[-2:] == [EventType.BATCH_COMPLETED, EventType.BATCH_COMPLETED]
    assert [e.data["download_ready"] for e in events[-2:]] == [False, True]
    assert all(e.data["status"] == "COMPLETED" for e in events[-2:])

    uploaded = {e.image_id: i for i, e in enumerate(events) if e.type == EventType.IMAGE_UPLOADED}
    processed = [(i, e) for i, e in enumerate(events) if e.type == EventType.IMAGE_PROCESSED]
    assert {str(i) for i in uploaded} == image_ids
    for index, event in processed:
        assert uploaded[event.image_id] < index, "an image is processed after it was uploaded"
        assert event.data["proposed_name"].endswith(".jpg")
        assert event.data["final_name"] == event.data["proposed_name"]
        assert event.data["alt_text"]
        assert event.data["thumbnail_url"], "the review screen shows a thumbnail"
    assert [e.counts.processed for _, e in processed] == list(range(1, IMAGES + 1))
    assert events[-1].counts.model_dump() == {"total": IMAGES, "processed": IMAGES, "failed": 0}
    assert (done["status"], done["processed_images"], done["download_ready"]) == ("COMPLETED", IMAGES, True)
    assert all(e.batch_id == events[0].batch_id for e in events)
    assert len(owner.received) == len(events), "the owner's socket got each event once (batch and user room)"

    # The other user's socket, connected all along, got none of it: not through the
    # batch room it was refused, not through its user room.
    assert stranger.received == []
