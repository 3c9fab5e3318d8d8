"""Per-batch order: events published out of order reach clients in seq order; a gap holds
later events for at most the hold time."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from core.events import BatchProcessingStarted, Counts, Event, EventType, ImageUploaded, publish
from realtime.manager import REORDER_HOLD_SECONDS
from tests.realtime.harness import Client, RealtimeProcess, Received, token_of
from tests.support.api import create_batch

HOLD = REORDER_HOLD_SECONDS
SLACK = 1.5  # scheduling on a busy 2-core machine


def _event(batch_id: str, seq: int) -> Event:
    image_id = uuid.uuid4()
    payload = ImageUploaded(image_id=image_id, filename=f"img-{seq}.jpg", mime_type="image/jpeg")
    return Event(
        type=EventType.IMAGE_UPLOADED,
        batch_id=uuid.UUID(batch_id),
        image_id=image_id,
        seq=seq,
        at=datetime.now(UTC),
        counts=Counts(total=seq, processed=0, failed=0),
        data=payload.model_dump(mode="json", exclude={"image_id"}),
    )


def _seqs(received: list[Received]) -> list[int]:
    return [r.payload["seq"] for r in received]


def _count(client: Client, batch_id: str, n: int) -> Callable[[list[Received]], bool]:
    return lambda _: len(client.events(batch_id)) >= n


def test_events_published_out_of_order_arrive_in_order(
    client: TestClient, auth: dict[str, str], new_client: Callable[..., Client], realtime: RealtimeProcess
) -> None:
    batch = create_batch(client, auth)["id"]
    socket = new_client().connect(token=token_of(auth))
    assert socket.join(batch)["seq"] == 0

    published = time.time()
    for seq in (2, 1, 4, 3, 6, 5):
        publish(_event(batch, seq))
    socket.wait_for(_count(socket, batch, 6), timeout=10, what="six swapped events")
    received = socket.events(batch)
    assert _seqs(received) == [1, 2, 3, 4, 5, 6]
    # Every gap closed before its hold ran out: nothing waited for the timer.
    assert max(r.at for r in received) - published < HOLD + SLACK
    for item in received:
        event = Event.model_validate(item.payload)
        assert item.name == event.type.value == "IMAGE_UPLOADED"
        assert ImageUploaded.model_validate({**event.data, "image_id": event.image_id})

    # A duplicate is not delivered twice.
    publish(_event(batch, 6))
    publish(_event(batch, 7))
    socket.wait_for(_count(socket, batch, 7), timeout=10, what="seq 7")
    assert _seqs(socket.events(batch)) == [1, 2, 3, 4, 5, 6, 7]
    metrics = realtime.metrics()
    assert 'renamer_realtime_reorder_total{outcome="held"}' in metrics
    assert 'renamer_realtime_events_delivered_total{type="IMAGE_UPLOADED"}' in metrics


def test_a_missing_event_holds_later_ones_only_briefly(
    client: TestClient, auth: dict[str, str], new_client: Callable[..., Client]
) -> None:
    gappy, other = create_batch(client, auth)["id"], create_batch(client, auth)["id"]
    socket = new_client().connect(token=token_of(auth))
    socket.join(gappy)
    socket.join(other)

    publish(_event(gappy, 1))
    socket.wait_for(_count(socket, gappy, 1), timeout=10, what="seq 1")

    sent = time.time()
    publish(_event(gappy, 3))  # 2 is missing
    publish(_event(gappy, 4))
    publish(_event(other, 1))  # another batch does not wait for that gap
    socket.wait_for(_count(socket, gappy, 3), timeout=10, what="seq 3 and 4 after the hold")
    got = socket.events(gappy)
    assert _seqs(got) == [1, 3, 4]
    waited = got[1].at - sent
    assert HOLD - 0.05 <= waited < HOLD + SLACK, f"held {waited:.3f} s for a hold of {HOLD} s"
    (first_of_other,) = socket.events(other)
    assert first_of_other.at < got[1].at, "the other batch was held behind this batch's gap"

    # The missing event turns up after its gap was skipped: dropped, so the order holds.
    publish(_event(gappy, 2))
    publish(_event(gappy, 5))
    socket.wait_for(_count(socket, gappy, 4), timeout=10, what="seq 5")
    assert _seqs(socket.events(gappy)) == [1, 3, 4, 5]

    # A batch's first events may race too: a stream nobody has seen starts at seq 1.
    fresh = create_batch(client, auth)["id"]
    socket.join(fresh)
    started = Event(
        type=EventType.BATCH_PROCESSING_STARTED,
        batch_id=uuid.UUID(fresh),
        seq=2,
        at=datetime.now(UTC),
        counts=Counts(total=1, processed=0, failed=0),
        data=BatchProcessingStarted().model_dump(mode="json"),
    )
    publish(started)
    publish(_event(fresh, 1))
    socket.wait_for(_count(socket, fresh, 2), timeout=10, what="the first two events of a new batch")
    assert [(r.name, r.payload["seq"]) for r in socket.events(fresh)] == [
        ("IMAGE_UPLOADED", 1),
        ("BATCH_PROCESSING_STARTED", 2),
    ]
