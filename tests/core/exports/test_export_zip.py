"""The batch ZIP end to end: real API, worker, PostgreSQL and S3; members read back with exiftool."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image as PILImage

from core.batches import service as batch_service
from core.batches.models import Batch
from core.db import maintenance_transaction
from core.exports.service import MANIFEST_COLUMNS
from core.images.models import Image
from tests.core.exports.test_metadata import as_list, exiftool, gps_tags
from tests.fixtures import images as fx
from tests.support.api import all_images, create_batch, download_zip, upload, wait_for_batch

CAMERA = {"Make": "Canon", "Model": "EOS R6", "DateTimeOriginal": "2024:05:01 14:03:12"}
MUNICH = (48.137154, 11.576124)
SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}


def _set_batch(batch_id: str, **values: Any) -> None:
    with maintenance_transaction() as session:
        batch = session.get_one(Batch, uuid.UUID(batch_id))
        for name, value in values.items():
            setattr(batch, name, value)


def _update_images_and_rebuild(batch_id: str, changes: dict[str, dict[str, Any]]) -> None:
    """Edit rows as the pipeline would have, then ask for a new ZIP the way an edit does."""
    with maintenance_transaction() as session:
        for image_id, values in changes.items():
            image = session.get_one(Image, uuid.UUID(image_id))
            for name, value in values.items():
                setattr(image, name, value)
        batch_service.content_changed(session, session.get_one(Batch, uuid.UUID(batch_id)))


def _manifest(archive: zipfile.ZipFile) -> tuple[list[str], dict[str, dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    header = rows[0]
    return header, {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def _run_batch(
    client: TestClient, auth: dict[str, str], files: list[tuple[str, bytes]], **options: Any
) -> tuple[str, dict[str, dict[str, Any]]]:
    batch = create_batch(client, auth, keywords=["ceramic mug", "Frühstück"])
    if options:
        _set_batch(batch["id"], **options)
    response = upload(client, auth, batch["id"], files)
    assert response.status_code == 200 and response.json()["accepted"] == len(files), response.text
    client.post(f"/batches/{batch['id']}/start", headers=auth)
    done = wait_for_batch(client, auth, batch["id"])
    assert done["status"] == "COMPLETED", done
    return batch["id"], {image["original_name"]: image for image in all_images(client, auth, batch["id"])}


def test_zip_members_carry_alt_text_and_keywords_without_gps(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    photo = fx.jpeg(800, 600, seed=41, exif=CAMERA, gps=MUNICH)
    smaller = io.BytesIO()
    PILImage.open(io.BytesIO(photo)).resize((400, 300)).save(smaller, "JPEG", quality=70)
    files = [
        ("mug.jpg", photo),
        ("mug-small.jpg", smaller.getvalue()),
        ("mug.png", fx.png(seed=42)),
        ("spinner.gif", fx.gif(seed=43)),
    ]
    originals = dict(files)
    batch_id, images = _run_batch(client, auth, files, write_metadata=True, strip_gps=True, brand="Keramikhaus Müller")
    jpeg, small, png, gif = (images[name] for name, _ in files)
    injected_alt = '=HYPERLINK("http://example.com") Tasse für Frühstück'
    _update_images_and_rebuild(
        batch_id,
        {
            # The pipeline links near-duplicates in the order it finishes them; pin the link for the assertions.
            jpeg["id"]: {"alt_text": injected_alt, "provider": "openai", "near_duplicate_of": None, "unsafe": False},
            small["id"]: {"near_duplicate_of": uuid.UUID(jpeg["id"]), "unsafe": True},
        },
    )
    wait_for_batch(client, auth, batch_id)
    archive = download_zip(client, auth, batch_id)
    assert archive.testzip() is None, "every member's stored CRC matches its rewritten bytes"

    keywords = ["ceramic mug", "Frühstück", "Keramikhaus Müller"]
    for image in (jpeg, small, png):
        data = archive.read(image["final_name"])
        assert data != originals[image["original_name"]]
        info = archive.getinfo(image["final_name"])
        assert info.compress_type == zipfile.ZIP_STORED and info.file_size == len(data)
        tags = exiftool(data, SUFFIX[image["mime_type"]])
        alt_text = injected_alt if image is jpeg else image["alt_text"]
        assert tags["XMP-dc:Description"] == alt_text, "the raw alt text goes into the file; only CSV cells are guarded"
        stem_words = image["final_name"].rsplit(".", 1)[0].replace("-", " ")
        assert tags["XMP-dc:Title"] == stem_words
        assert as_list(tags["XMP-dc:Subject"]) == keywords
        assert gps_tags(tags) == {}
        assert PILImage.open(io.BytesIO(data)).size == PILImage.open(io.BytesIO(originals[image["original_name"]])).size
    jpeg_tags = exiftool(archive.read(jpeg["final_name"]), ".jpg")
    assert jpeg_tags["IPTC:Caption-Abstract"] == injected_alt
    assert as_list(jpeg_tags["IPTC:Keywords"]) == keywords
    assert jpeg_tags["IFD0:ImageDescription"] == injected_alt
    assert (jpeg_tags["IFD0:Make"], jpeg_tags["IFD0:Model"]) == ("Canon", "EOS R6")
    assert jpeg_tags["ExifIFD:DateTimeOriginal"] == "2024:05:01 14:03:12"
    assert archive.read(gif["final_name"]) == originals["spinner.gif"], "GIF cannot be written: delivered as is"

    header, rows = _manifest(archive)
    assert tuple(header) == MANIFEST_COLUMNS
    assert header[:5] == ["original_name", "new_name", "alt_text", "status", "reason"]
    assert rows["mug.jpg"]["alt_text"] == "'" + injected_alt, "spreadsheet formulas are defused"
    assert rows["mug.jpg"]["provider"] == "openai"
    assert rows["mug-small.jpg"]["near_duplicate_of"] == jpeg["final_name"]
    assert rows["mug-small.jpg"]["unsafe"] == "yes" and rows["mug.jpg"]["unsafe"] == ""
    assert rows["mug.jpg"]["near_duplicate_of"] == ""
    assert {rows[name]["metadata"] for name in ("mug.jpg", "mug-small.jpg", "mug.png")} == {"written"}
    assert rows["spinner.gif"]["metadata"] == "not written: GIF files are not supported"


def test_strip_gps_alone_removes_the_position_and_writes_no_text(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    photo = fx.jpeg(seed=51, exif=CAMERA, gps=MUNICH)
    batch_id, images = _run_batch(client, auth, [("street.jpg", photo)], strip_gps=True)
    archive = download_zip(client, auth, batch_id)
    data = archive.read(images["street.jpg"]["final_name"])
    tags = exiftool(data, ".jpg")
    assert gps_tags(tags) == {} and tags["IFD0:Make"] == "Canon"
    assert not [key for key in tags if key.startswith(("XMP-dc:", "IPTC:"))]
    assert _manifest(archive)[1]["street.jpg"]["metadata"] == "written"


def test_without_the_options_members_are_the_original_bytes(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    files = [("street.jpg", fx.jpeg(seed=61, exif=CAMERA, gps=MUNICH)), ("logo.png", fx.png(seed=62))]
    batch_id, images = _run_batch(client, auth, files)
    archive = download_zip(client, auth, batch_id)
    for name, data in files:
        assert archive.read(images[name]["final_name"]) == data
    assert exiftool(archive.read(images["street.jpg"]["final_name"]), ".jpg")["GPS:GPSLatitude"] > 48
    header, rows = _manifest(archive)
    assert tuple(header) == MANIFEST_COLUMNS
    assert {row["metadata"] for row in rows.values()} == {""}, "nothing asked, nothing reported"
