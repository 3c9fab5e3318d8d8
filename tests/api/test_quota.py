"""Monthly quotas through the API: files past the plan's images are refused with a sentence
that says how many fit and nothing of them is stored; a declared drop that does not fit is
refused before its body is read; 50 parallel uploads never pass the limit by one image; a
failed image is refunded through the real worker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.billing.models import UsagePeriod
from core.db import maintenance_transaction
from core.images.models import Image
from core.metrics import registry
from core.storage import get_storage
from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, organization_id, upload, wait_for_batch
from tests.support.processes import ApiProcess, WorkerProcess
from tests.support.providers import close_circuit

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def _this_month() -> date:
    now = datetime.now(UTC)
    return date(now.year, now.month, 1)


def _resets_on() -> str:
    month = _this_month()
    first = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    text = f"{first.day} {MONTHS[first.month - 1]}"
    return text if first.year == month.year else f"{text} {first.year}"


def _set_used(org: uuid.UUID, used: int) -> None:
    with maintenance_transaction() as session:
        session.merge(UsagePeriod(organization_id=org, period_start=_this_month(), images_used=used))


def _used(org: uuid.UUID) -> int:
    with maintenance_transaction() as session:
        row = session.get(UsagePeriod, (org, _this_month()))
        return row.images_used if row is not None else 0


def _image_rows(org: uuid.UUID) -> int:
    with maintenance_transaction() as session:
        query = select(func.count()).select_from(Image).where(Image.organization_id == org)
        return int(session.execute(query).scalar_one())


def _originals(org: uuid.UUID) -> list[str]:
    return [key for key in get_storage().list_keys(f"orgs/{org}/") if "/originals/" in key]


def _refusals(plan: str = "BASIC") -> float:
    return registry().get_sample_value("renamer_quota_refusals_total", {"plan": plan}) or 0.0


def _files(n: int, seed: int) -> list[tuple[str, bytes]]:
    return [(f"photo-{seed + i}.jpg", fx.jpeg(160, 120, seed=seed + i)) for i in range(n)]


def test_files_past_the_quota_are_refused_with_how_many_fit_and_not_stored(
    client: TestClient, auth: dict[str, str]
) -> None:
    org = organization_id(client, auth)
    _set_used(org, 48)
    batch = create_batch(client, auth)
    before = _refusals()

    response = upload(client, auth, batch["id"], _files(3, seed=7000))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    refused = body["results"][2]
    assert refused["status"] == "rejected" and refused["code"] == "quota_exceeded"
    assert refused["detail"] == (
        "Your Basic plan includes 50 images a month; all 50 are used, so no more fit this month. "
        f"Upgrade in Billing or wait until {_resets_on()}."
    )
    assert _used(org) == 50
    assert _image_rows(org) == 2 and len(_originals(org)) == 2  # the refused file is nowhere
    assert _refusals() == before + 1

    # The next file alone: the whole response is the refusal (422, as when every file is refused).
    alone = upload(client, auth, batch["id"], _files(1, seed=7010))
    assert alone.status_code == 422 and alone.json()["code"] == "quota_exceeded"
    assert "all 50 are used" in alone.json()["detail"]

    usage = client.get("/billing", headers=auth).json()["usage"]
    assert usage == {
        "period_start": _this_month().isoformat(),
        "resets_on": usage["resets_on"],
        "used": 50,
        "limit": 50,
        "remaining": 0,
    }


def test_a_declared_drop_that_does_not_fit_is_refused_up_front(client: TestClient, auth: dict[str, str]) -> None:
    org = organization_id(client, auth)
    _set_used(org, 48)
    batch = create_batch(client, auth)
    expected = (
        "This upload has 5 images, but your Basic plan includes 50 images a month; 48 are used, so 2 more fit. "
        f"Upgrade in Billing or wait until {_resets_on()}."
    )

    # Multipart with X-Upload-Count: refused before a byte of the body is looked at.
    parts = [("files", (name, data, "image/jpeg")) for name, data in _files(5, seed=7100)]
    refused = client.post(f"/batches/{batch['id']}/images", files=parts, headers={**auth, "X-Upload-Count": "5"})
    assert refused.status_code == 402, refused.text
    body = refused.json()
    assert (body["error"], body["code"], body["detail"]) == ("QuotaExceeded", "quota_exceeded", expected)
    assert (body["plan"], body["limit"], body["used"], body["remaining"], body["requested"]) == ("BASIC", 50, 48, 2, 5)
    assert _image_rows(org) == 0 and _originals(org) == [] and _used(org) == 48

    # Presigned uploads list their files: the same refusal, and no upload URL is handed out.
    files = [{"name": f"big-{n}.jpg", "size": 1000} for n in range(5)]
    presign = client.post(f"/batches/{batch['id']}/uploads", json={"files": files}, headers=auth)
    assert presign.status_code == 402 and presign.json()["detail"] == expected
    assert not any(key.split("/")[-2] == "incoming" for key in get_storage().list_keys(f"orgs/{org}/"))

    # A drop that fits goes through, and a file too large to upload at all does not count.
    oversize = [{"name": "huge.jpg", "size": 10**12}]
    fits = client.post(f"/batches/{batch['id']}/uploads", json={"files": files[:2] + oversize}, headers=auth)
    assert fits.status_code == 200, fits.text
    assert [u["code"] for u in fits.json()["uploads"]] == [None, None, "too_large"]
    ok = client.post(f"/batches/{batch['id']}/images", files=parts[:2], headers={**auth, "X-Upload-Count": "2"})
    assert ok.status_code == 200 and ok.json()["accepted"] == 2
    assert _used(org) == 50

    bad = client.post(f"/batches/{batch['id']}/images", files=parts[:1], headers={**auth, "X-Upload-Count": "0"})
    assert bad.status_code == 422 and "X-Upload-Count" in bad.json()["detail"]


def test_presigned_files_are_counted_when_completed(client: TestClient, auth: dict[str, str]) -> None:
    org = organization_id(client, auth)
    batch = create_batch(client, auth)
    files = _files(2, seed=7150)
    presigned = client.post(
        f"/batches/{batch['id']}/uploads",
        json={"files": [{"name": name, "size": len(data)} for name, data in files]},
        headers=auth,
    )
    assert presigned.status_code == 200, presigned.text
    uploads = presigned.json()["uploads"]
    for item, (_, data) in zip(uploads, files, strict=True):
        sent = httpx.post(item["url"], data=item["fields"], files={"file": ("x", data)}, timeout=30)
        assert sent.status_code in (200, 204), sent.text
    _set_used(org, 49)  # meanwhile other uploads took all but one image

    done = client.post(
        f"/batches/{batch['id']}/uploads/complete", json={"upload_ids": [u["upload_id"] for u in uploads]}, headers=auth
    )
    assert done.status_code == 200, done.text
    results = done.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["code"] == "quota_exceeded" and "all 50 are used" in results[1]["detail"]
    assert _used(org) == 50 and _image_rows(org) == 1
    keys = get_storage().list_keys(f"orgs/{org}/")
    assert len([k for k in keys if "/originals/" in k]) == 1
    assert [k for k in keys if "/incoming/" in k] == []  # the staged copy of the refused file is gone too


# ----------------------------------------------------------------------- concurrency


@pytest.fixture(scope="module")
def live_api(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API as its own uvicorn process: requests race in its thread pool and the database."""
    api = ApiProcess(
        "quota", tmp_path_factory.mktemp("live-api"), env={"RENAMER_UPLOADS_PER_CALLER_PER_MINUTE": "100000"}
    ).start()
    try:
        yield api.url
    finally:
        api.stop()


def test_fifty_parallel_uploads_never_exceed_the_quota_by_one_image(live_api: str) -> None:
    with httpx.Client(base_url=live_api, timeout=120) as http:
        email = f"race-{uuid.uuid4().hex[:10]}@example.com"
        token = http.post("/auth/signup", json={"email": email, "password": "correct horse battery"}).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        org = uuid.UUID(http.get("/organizations/current", headers=auth).json()["id"])
        batch_id = http.post("/batches", json={"keywords": ["race"]}, headers=auth).json()["id"]
    _set_used(org, 43)  # 7 images left this month
    files = _files(50, seed=7200)

    def send(item: tuple[str, bytes]) -> dict[str, object]:
        name, data = item
        with httpx.Client(base_url=live_api, timeout=120) as http:
            response = http.post(
                f"/batches/{batch_id}/images", files=[("files", (name, data, "image/jpeg"))], headers=auth
            )
        assert response.status_code in (200, 422), response.text
        return dict(response.json()["results"][0])

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(send, files))

    accepted = [r for r in results if r["status"] == "accepted"]
    refused = [r for r in results if r["status"] == "rejected"]
    assert len(accepted) == 7, [r.get("code") for r in results]
    assert len(refused) == 43 and {r["code"] for r in refused} == {"quota_exceeded"}
    assert _used(org) == 50
    # Only the accepted files exist, in the database and in storage.
    assert _image_rows(org) == 7
    stored = {key.rsplit("/", 1)[-1].split(".")[0] for key in _originals(org)}
    assert stored == {str(r["image_id"]) for r in accepted}


# ----------------------------------------------------------------------- refunds, real worker


@pytest.fixture(scope="module")
def refusing_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(latency=0.05) as fake:
        yield fake


@pytest.fixture(scope="module")
def vision_worker(
    services: None, refusing_openai: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    env = {"RENAMER_OPENAI_BASE_URL": refusing_openai.base_url, "RENAMER_PROVIDER_RETRY_ATTEMPTS": "1"}
    process = WorkerProcess(
        "quota-io", Path(tmp_path_factory.mktemp("quota-worker")), beat=False, concurrency=4, pool="threads",
        queues="vision", env=env,
    ).start()  # fmt: skip
    yield process
    process.stop()


@pytest.mark.slow
def test_an_image_that_fails_processing_is_refunded_by_the_worker(
    client: TestClient, auth: dict[str, str], refusing_openai: FakeOpenAI, vision_worker: WorkerProcess
) -> None:
    close_circuit()
    refusing_openai.reset()
    refusing_openai.script(Behaviour.refused("I can't describe this image."))
    org = organization_id(client, auth)
    _set_used(org, 47)
    batch = create_batch(client, auth, providers=["openai"])
    response = upload(client, auth, batch["id"], _files(3, seed=7300))
    assert response.status_code == 200 and response.json()["accepted"] == 3, response.text
    assert _used(org) == 50
    assert client.post(f"/batches/{batch['id']}/start", headers=auth).status_code == 200
    done = wait_for_batch(client, auth, batch["id"], timeout=120, download=False)
    assert (done["processed_images"], done["failed_images"]) == (2, 1), done

    # The refused image went back to this month's quota, once, even as the worker acknowledged it.
    assert _used(org) == 49
    time.sleep(1.0)
    assert _used(org) == 49
    assert client.get("/billing", headers=auth).json()["usage"]["remaining"] == 1
    [failed] = [i for i in all_images(client, auth, batch["id"]) if i["status"] == "FAILED"]

    # Retrying it counts it again; with the month full, the retry is refused with the quota sentence.
    _set_used(org, 50)
    retry = client.post(f"/images/{failed['id']}/regenerate", headers=auth)
    assert retry.status_code == 402 and retry.json()["code"] == "quota_exceeded", retry.text
    assert retry.json()["detail"].startswith("Your Basic plan includes 50 images a month; all 50 are used")
    _set_used(org, 49)
    retry = client.post(f"/images/{failed['id']}/regenerate", headers=auth)
    assert retry.status_code == 202, retry.text
    assert _used(org) == 50
