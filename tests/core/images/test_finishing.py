"""Images of one batch finishing at the same moment: every name stays unique and every
sequence number ({n}) is given once, although names are drafted before the batch lock."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from core.config import get_settings
from core.db import get_sessionmaker, tenant_scope
from core.images import processing
from core.redis import get_redis
from core.storage import get_storage
from core.vision import chain
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, organization_id, upload

IMAGES = 12


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{keyword}-{n}", {f"summer-sale-{n}.jpg" for n in range(1, IMAGES + 1)}),
        ("{keyword}", {"summer-sale.jpg"} | {f"summer-sale-{n}.jpg" for n in range(2, IMAGES + 1)}),
    ],
    ids=["numbered", "same name for all"],
)
def test_images_finishing_together_get_unique_names(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch, template: str, expected: set[str]
) -> None:
    monkeypatch.setattr("core.images.flows.send", lambda *args, **kwargs: None)  # processed here, not by a worker
    batch = create_batch(client, auth, name_template=template)
    files = [(f"IMG_{n:04d}.jpg", fx.jpeg(320, 240, seed=300 + n)) for n in range(IMAGES)]
    response = upload(client, auth, batch["id"], files)
    assert response.status_code == 200, response.text
    image_ids = [uuid.UUID(result["image_id"]) for result in response.json()["results"]]
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    settings = get_settings()
    deps = processing.Dependencies(
        sessions=get_sessionmaker(),
        storage=get_storage(),
        guards=chain.Guards(settings=settings, redis=get_redis()),
        settings=settings,
    )
    tenant = organization_id(client, auth)

    def deliver(image_id: uuid.UUID) -> processing.Outcome:
        with tenant_scope(tenant):  # as the task wrapper does
            return processing.process(image_id, deps)

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(deliver, image_ids))
    assert outcomes == [processing.Outcome.NAMED] * IMAGES
    assert {image["final_name"] for image in all_images(client, auth, batch["id"])} == expected
    done = client.get(f"/batches/{batch['id']}", headers=auth).json()
    assert (done["status"], done["processed_images"]) == ("COMPLETED", IMAGES)
