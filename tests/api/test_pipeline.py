"""End to end through the HTTP API and a real worker: upload, name, review, edit, ZIP."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
import zipfile

from fastapi.testclient import TestClient

from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, download_zip, upload, wait_for_batch

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.(jpg|png|gif|webp|tiff|heic|heif|avif)$")
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "image/tiff": "tiff", "image/heic": "heic", "image/heif": "heif", "image/avif": "avif",
}  # fmt: skip


def _manifest(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_twenty_mixed_images_are_named_and_zipped(client: TestClient, auth: dict[str, str], worker: object) -> None:
    files = fx.mixed_set(20, seed=7)
    batch = create_batch(client, auth, name="Summer campaign", keywords=["summer sale", "sneakers"])

    response = upload(client, auth, batch["id"], files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 20 and body["rejected"] == 0
    originals = {r["image_id"]: data for r, (_, data) in zip(body["results"], files, strict=True)}

    started = client.post(f"/batches/{batch['id']}/start", headers=auth)
    assert started.status_code == 200 and started.json()["status"] in ("PROCESSING", "COMPLETED")
    done = wait_for_batch(client, auth, batch["id"])
    assert done["status"] == "COMPLETED"
    assert (done["total_images"], done["processed_images"], done["failed_images"]) == (20, 20, 0)

    images = all_images(client, auth, batch["id"])
    names = [i["final_name"] for i in images]
    assert len(set(n.lower() for n in names)) == 20, names
    for image in images:
        assert image["status"] == "NAMED"
        assert NAME.match(image["final_name"]), image["final_name"]
        assert image["final_name"].endswith("." + EXTENSIONS[image["mime_type"]])
        stem_words = image["final_name"].rsplit(".", 1)[0].split("-")
        assert len(image["final_name"].rsplit(".", 1)[0]) <= 60
        assert "summer" in stem_words or "sneakers" in stem_words, image["final_name"]
        assert image["alt_text"] and len(image["alt_text"]) <= 125
        assert not image["alt_text"].lower().startswith(("image of", "picture of"))
        assert image["thumbnail_url"], "review needs a thumbnail"

    archive = download_zip(client, auth, batch["id"])
    assert sorted(archive.namelist()) == sorted([*names, "manifest.csv"])
    by_name = {i["final_name"]: i for i in images}
    for name in names:
        member = archive.getinfo(name)
        data = archive.read(name)
        assert data == originals[by_name[name]["id"]], f"{name} differs from the original"
        if by_name[name]["mime_type"] == "image/jpeg":
            assert member.compress_type == zipfile.ZIP_STORED, "compressed formats are stored, not re-compressed"
    rows = _manifest(archive)
    assert [r["new_name"] for r in rows] and sorted(r["new_name"] for r in rows) == sorted(names)
    for row in rows:
        image = by_name[row["new_name"]]
        assert row["original_name"] == image["original_name"]
        assert row["alt_text"] == image["alt_text"]
        assert row["status"] == "named" and row["reason"] == ""


def test_edit_is_validated_and_rebuilds_the_zip(client: TestClient, auth: dict[str, str], worker: object) -> None:
    batch = create_batch(client, auth, keywords=["ceramic mug"])
    files = [(f"mug-{n}.jpg", fx.jpeg(seed=100 + n)) for n in range(3)]
    assert upload(client, auth, batch["id"], files).status_code == 200
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    wait_for_batch(client, auth, batch["id"])
    first, second, _ = all_images(client, auth, batch["id"])

    invalid = client.patch(f"/images/{first['id']}", json={"name": "   ...   "}, headers=auth)
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_name"
    assert invalid.json()["detail"]

    reserved = client.patch(f"/images/{first['id']}", json={"name": "CON.jpg"}, headers=auth)
    assert reserved.status_code == 422 and reserved.json()["code"] == "invalid_name"

    taken = client.patch(f"/images/{first['id']}", json={"name": second["final_name"]}, headers=auth)
    assert taken.status_code == 409 and taken.json()["code"] == "name_taken"
    assert "is free" in taken.json()["detail"]

    long_alt = client.patch(f"/images/{first['id']}", json={"alt_text": "word " * 40}, headers=auth)
    assert long_alt.status_code == 422 and long_alt.json()["code"] == "alt_text_too_long"

    edited = client.patch(
        f"/images/{first['id']}",
        json={"name": "Blue Ceramic Mug Café.JPG", "alt_text": "A blue mug on oak."},
        headers=auth,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["final_name"] == "blue-ceramic-mug-cafe.jpg"
    assert edited.json()["name_edited"] is True

    deadline = time.monotonic() + 60
    while True:
        link = client.get(f"/batches/{batch['id']}/download", headers=auth)
        if link.status_code == 200:
            break
        assert link.status_code == 409 and link.json()["code"] == "zip_not_ready", link.text
        assert time.monotonic() < deadline, "ZIP was not rebuilt after the edit"
        time.sleep(0.3)
    archive = download_zip(client, auth, batch["id"])
    assert "blue-ceramic-mug-cafe.jpg" in archive.namelist()
    assert first["final_name"] not in archive.namelist()
    row = next(r for r in _manifest(archive) if r["new_name"] == "blue-ceramic-mug-cafe.jpg")
    assert row["alt_text"] == "A blue mug on oak."


def test_regenerate_names_a_failed_or_named_image_again(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    batch = create_batch(client, auth, keywords=["desk lamp"])
    assert upload(client, auth, batch["id"], [("lamp.png", fx.png(seed=3))]).status_code == 200
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    wait_for_batch(client, auth, batch["id"])
    (image,) = all_images(client, auth, batch["id"])
    client.patch(f"/images/{image['id']}", json={"name": "my-own-name"}, headers=auth)

    again = client.post(f"/images/{image['id']}/regenerate", headers=auth)
    assert again.status_code == 202 and again.json()["status"] == "QUEUED"
    done = wait_for_batch(client, auth, batch["id"])
    assert done["processed_images"] == 1 and done["failed_images"] == 0
    (image,) = all_images(client, auth, batch["id"])
    assert image["status"] == "NAMED" and image["name_edited"] is False
    assert image["final_name"] == image["proposed_name"] != "my-own-name.png"


def test_presigned_upload_gets_the_same_checks(client: TestClient, auth: dict[str, str], worker: object) -> None:
    import httpx

    batch = create_batch(client, auth)
    good, bad = fx.jpeg(seed=11), fx.html_document()
    presigned = client.post(
        f"/batches/{batch['id']}/uploads",
        json={"files": [{"name": "shoe.jpg", "size": len(good)}, {"name": "page.jpg", "size": len(bad)},
                        {"name": "huge.jpg", "size": 10**10}]},
        headers=auth,
    )  # fmt: skip
    assert presigned.status_code == 200, presigned.text
    uploads = presigned.json()["uploads"]
    assert uploads[2]["code"] == "too_large" and uploads[2]["upload_id"] is None
    for item, data in zip(uploads[:2], (good, bad), strict=True):
        sent = httpx.post(item["url"], data=item["fields"], files={"file": ("x", data)}, timeout=30)
        assert sent.status_code in (200, 204), sent.text
    done = client.post(
        f"/batches/{batch['id']}/uploads/complete",
        json={"upload_ids": [u["upload_id"] for u in uploads[:2]]},
        headers=auth,
    )
    assert done.status_code == 200, done.text
    results = done.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["code"] == "unsupported_type"
    again = client.post(
        f"/batches/{batch['id']}/uploads/complete", json={"upload_ids": [uploads[0]["upload_id"]]}, headers=auth
    )
    assert again.status_code == 422 and again.json()["results"][0]["code"] == "unknown_upload"

    from core.storage import get_storage

    staged = [k for k in get_storage().list_keys("orgs/") if f"/batches/{batch['id']}/incoming/" in k]
    assert staged == [], "staged objects are removed after completion"
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    archive = download_zip(client, auth, wait_for_batch(client, auth, batch["id"])["id"])
    member = next(n for n in archive.namelist() if n.endswith(".jpg"))
    assert hashlib.sha256(archive.read(member)).digest() == hashlib.sha256(good).digest()


def test_overlapping_zip_builds_of_one_version_keep_a_downloadable_zip(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    """Two builds of the same content version (a rebuild requested twice) both finish;
    the recorded ZIP must survive the one that loses."""
    from concurrent.futures import ThreadPoolExecutor

    from core.db import get_sessionmaker, tenant_scope
    from core.exports.service import build_zip
    from core.storage import get_storage
    from tests.support.api import organization_id

    batch = create_batch(client, auth)
    upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(seed=501)), ("b.png", fx.png(seed=502))])
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    wait_for_batch(client, auth, batch["id"])
    first = all_images(client, auth, batch["id"])[0]
    assert client.patch(f"/images/{first['id']}", json={"alt_text": "Edited once."}, headers=auth).status_code == 200
    import uuid as _uuid

    tenant = organization_id(client, auth)

    def build(_: int) -> object:
        with tenant_scope(tenant):  # as the task wrapper does
            return build_zip(_uuid.UUID(batch["id"]), sessions=get_sessionmaker(), storage=get_storage())

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(build, range(3)))
    done = wait_for_batch(client, auth, batch["id"])
    assert done["download_ready"]
    archive = download_zip(client, auth, batch["id"])
    assert "manifest.csv" in archive.namelist() and "Edited once." in archive.read("manifest.csv").decode("utf-8-sig")
    # The losers clean up after themselves and the winner replaced the old one (the worker's
    # own build of this version may still be finishing: give it a moment).
    deadline = time.monotonic() + 15
    while True:
        exports = [k for k in get_storage().list_keys("orgs/") if f"/batches/{batch['id']}/exports/" in k]
        if len(exports) == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(exports) == 1, exports
