"""Two realtime instances behind "a load balancer": events reach clients on either one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from core.events import Counts, Event, EventType, ImageUploaded, publish
from tests.realtime.harness import Client, RealtimeProcess, Received, token_of
from tests.support.api import create_batch


@pytest.fixture(scope="module")
def second_instance(realtime: RealtimeProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeProcess]:
    process = RealtimeProcess("b", tmp_path_factory.mktemp("realtime-b")).start()
    yield process
    process.stop()


def test_every_instance_fans_out_every_event(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    new_client: Callable[..., Client],
    realtime: RealtimeProcess,
    second_instance: RealtimeProcess,
) -> None:
    batch = create_batch(client, auth)["id"]
    on_a = new_client(realtime.url).connect(token=token_of(auth))
    on_b = new_client(second_instance.url).connect(token=token_of(auth))
    stranger_on_b = new_client(second_instance.url).connect(token=token_of(other_auth))
    assert on_a.join(batch)["ok"] and on_b.join(batch)["ok"]
    assert stranger_on_b.join(batch)["code"] == "not_found"

    for seq in (2, 1, 3):
        image_id = uuid.uuid4()
        publish(
            Event(
                type=EventType.IMAGE_UPLOADED,
                batch_id=uuid.UUID(batch),
                image_id=image_id,
                seq=seq,
                at=datetime.now(UTC),
                counts=Counts(total=seq, processed=0, failed=0),
                data=ImageUploaded(image_id=image_id, filename="a.jpg", mime_type="image/jpeg").model_dump(
                    mode="json", exclude={"image_id"}
                ),
            ),
        )

    def three(client: Client) -> Callable[[list[Received]], bool]:
        return lambda _: len(client.events(batch)) >= 3

    on_a.wait_for(three(on_a), timeout=10, what="events on instance A")
    on_b.wait_for(three(on_b), timeout=10, what="events on instance B")
    for socket in (on_a, on_b):
        assert [r.payload["seq"] for r in socket.events(batch)] == [1, 2, 3]
    assert stranger_on_b.received == []
    assert 'renamer_realtime_events_delivered_total{type="IMAGE_UPLOADED"}' in second_instance.metrics()
