"""Remote providers end to end: API → queue "vision" → thread-pool worker → OpenAI SDK → fake server.

The worker is a real Celery worker with the threads pool, as `worker-io` in the Procfile;
OpenAI is the HTTP-level fake of tests/fakes/openai_server.py. Checks the routing, many
calls in flight, cost per image and batch, the cache, near-duplicates, the circuit breaker
falling back to the local analyzer, and the unsafe flag.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, upload, wait_for_batch
from tests.support.processes import WorkerProcess
from tests.support.providers import close_circuit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(latency=0.4) as fake:
        yield fake


@pytest.fixture(scope="module")
def io_worker(
    services: None, fake_openai: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    env = {
        "RENAMER_OPENAI_BASE_URL": fake_openai.base_url,
        "RENAMER_PROVIDER_RETRY_ATTEMPTS": "2",
        "RENAMER_PROVIDER_RETRY_BASE_SECONDS": "0.05",
        "RENAMER_PROVIDER_BREAKER_FAILURES": "3",
        "RENAMER_PROVIDER_BREAKER_RESET_SECONDS": "60",
        "RENAMER_VISION_IO_CONCURRENCY": "16",
    }
    process = WorkerProcess(
        "io", Path(tmp_path_factory.mktemp("io-worker")), beat=False, concurrency=16, pool="threads",
        queues="vision", env=env,
    ).start()  # fmt: skip
    yield process
    process.stop()


def _resized(data: bytes, scale: float) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        smaller = image.convert("RGB").resize((int(image.width * scale), int(image.height * scale)))
        out = io.BytesIO()
        smaller.save(out, "JPEG", quality=80)
        return out.getvalue()


def _run_batch(client: TestClient, auth: dict[str, str], files: list[tuple[str, bytes]], **options: object):  # type: ignore[no-untyped-def]
    batch = create_batch(client, auth, providers=["openai", "local"], keywords=["summer sale"], **options)
    response = upload(client, auth, batch["id"], files)
    assert response.status_code == 200 and response.json()["accepted"] == len(files), response.text
    assert client.post(f"/batches/{batch['id']}/start", headers=auth).status_code == 200
    done = wait_for_batch(client, auth, batch["id"], timeout=120)
    return done, {i["original_name"]: i for i in all_images(client, auth, batch["id"])}


def test_remote_provider_names_images_with_cost_cache_and_near_duplicates(
    client: TestClient, auth: dict[str, str], worker: object, io_worker: WorkerProcess, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reset()
    close_circuit()
    first = fx.jpeg(1600, 1200, seed=31)
    files = [("a.jpg", first), ("b.jpg", fx.jpeg(1600, 1200, seed=32)), ("a-small.jpg", _resized(first, 0.5))]
    files += [(f"extra-{i}.jpg", fx.jpeg(800, 600, seed=40 + i)) for i in range(9)]
    done, images = _run_batch(client, auth, files, brand="Acme")

    assert done["status"] == "COMPLETED", done
    calls = [r for r in fake_openai.requests if r.path.endswith("/chat/completions")]
    assert len(calls) >= 12, "every image went through the OpenAI provider"
    sent = calls[-1].body
    assert sent is not None and sent["model"] == "gpt-4o-mini"
    assert "summer sale" in calls[-1].text() and "Acme" in calls[-1].text()
    for image in images.values():
        assert image["provider"] == "openai", image
        assert image["cost_usd"] > 0
    assert done["cost_usd"] == pytest.approx(sum(i["cost_usd"] for i in images.values()), rel=1e-6)
    assert images["a-small.jpg"]["near_duplicate_of"] == images["a.jpg"]["id"]
    assert images["b.jpg"]["near_duplicate_of"] is None

    # The same bytes with the same keywords and brand again: served from the cache, nothing paid.
    before = len(fake_openai.requests)
    again, cached = _run_batch(client, auth, [("copy.jpg", first)], brand="Acme")
    assert again["status"] == "COMPLETED"
    assert len(fake_openai.requests) == before
    assert cached["copy.jpg"]["cost_usd"] == 0 and again["cost_usd"] == 0


def test_a_failing_provider_opens_its_circuit_and_the_local_analyzer_takes_over(
    client: TestClient, auth: dict[str, str], worker: object, io_worker: WorkerProcess, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reset()
    fake_openai.script(*[Behaviour.server_error(500) for _ in range(50)])
    files = [(f"down-{i}.jpg", fx.jpeg(800, 600, seed=70 + i)) for i in range(8)]
    done, images = _run_batch(client, auth, files)
    assert done["status"] == "COMPLETED", done
    assert {i["provider"] for i in images.values()} == {"local"}
    # 3 consecutive failures open the circuit (every worker thread shares it through Redis):
    # far fewer calls than 8 images × 2 tries.
    assert len(fake_openai.requests) < 8 * 2
    fake_openai.reset()


def _reply(**overrides: object) -> dict[str, object]:
    reply: dict[str, object] = {
        "subject": "woman on a beach",
        "objects": ["woman", "towel"],
        "attributes": ["sandy", "blue"],
        "setting": "beach",
        "visible_text": "",
        "brand": "",
        "filename_words": ["woman", "beach", "towel"],
        "alt_text": "Woman lying on a towel on a sandy beach",
        "confidence": 0.9,
        "content_warning": "none",
    }
    reply.update(overrides)
    return reply


def test_an_image_the_provider_flags_gets_a_neutral_name_unless_the_batch_allows_it(
    client: TestClient, auth: dict[str, str], worker: object, io_worker: WorkerProcess, fake_openai: FakeOpenAI
) -> None:
    fake_openai.reset()
    close_circuit()
    fake_openai.script(Behaviour.ok(_reply(content_warning="nudity")))
    done, images = _run_batch(client, auth, [("beach.jpg", fx.jpeg(900, 600, seed=91))])
    assert done["status"] == "COMPLETED", done
    image = images["beach.jpg"]
    assert image["unsafe"] is True
    words = image["final_name"].rsplit(".", 1)[0].split("-")
    assert not {"woman", "beach", "towel"} & set(words), image["final_name"]
    assert {"summer", "sale"} <= set(words)
    assert "woman" not in image["alt_text"].lower()

    fake_openai.script(Behaviour.ok(_reply(content_warning="nudity")))
    done, images = _run_batch(client, auth, [("beach.jpg", fx.jpeg(900, 600, seed=92))], allow_unsafe_names=True)
    image = images["beach.jpg"]
    assert image["unsafe"] is True
    assert "woman" in image["final_name"] or "beach" in image["final_name"], image["final_name"]
