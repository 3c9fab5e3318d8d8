"""Alt text and keywords written into files, read back by an independent reader (Debian's exiftool)."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyexiv2
import pytest
from PIL import ExifTags, Image, ImageCms

from core.exports.metadata import rewrite_metadata
from tests.fixtures import images as fx

TITLE = "Blaue Keramiktasse auf Eiche"
ALT = "Blaue Keramiktasse mit Schaumkrone auf einem Eichentisch, Café in Zürich – 東京スタイル"
KEYWORDS = ["Keramik", "Frühstück", "咖啡杯"]
BERLIN = (52.520008, 13.404954)


def exiftool(data: bytes, suffix: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(data)
        file.flush()
        result = subprocess.run(
            ["exiftool", "-j", "-G1", "-a", "-n", file.name], capture_output=True, text=True, check=True, timeout=60
        )
    tags: dict[str, Any] = json.loads(result.stdout)[0]
    return tags


def as_list(value: Any) -> list[str]:
    """exiftool prints a one-item list as a plain value."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def gps_tags(tags: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in tags.items() if k.startswith("GPS:") or k.startswith("XMP-exif:GPS") or "GPS" in k}


def camera_exif(*, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R6"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Copyright] = "(c) Studio Mueller"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:05:01 14:03:12"
    if gps:
        ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        ifd[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
        ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        ifd[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.03)
        ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        ifd[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 17.83)
    return exif


def with_xmp_gps(data: bytes) -> bytes:
    """Cameras and Lightroom repeat the position in XMP; add it the way they store it."""
    image = pyexiv2.ImageData(data)
    try:
        image.modify_xmp({"Xmp.exif.GPSLatitude": "52,31.2005N", "Xmp.exif.GPSLongitude": "13,24.2972E"})
        return bytes(image.get_bytes())
    finally:
        image.close()


def encode(fmt: str, *, gps: bool = True, **params: Any) -> bytes:
    picture = Image.open(io.BytesIO(fx.jpeg(320, 240, seed=7)))
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    picture.save(buffer, fmt, exif=camera_exif(gps=gps).tobytes(), icc_profile=icc, **params)
    return with_xmp_gps(buffer.getvalue()) if gps else buffer.getvalue()


def assert_camera_metadata_kept(tags: dict[str, Any]) -> None:
    assert tags["IFD0:Make"] == "Canon" and tags["IFD0:Model"] == "EOS R6"
    assert tags["ExifIFD:DateTimeOriginal"] == "2024:05:01 14:03:12"
    assert tags["IFD0:Orientation"] == 6
    assert tags["ICC_Profile:ProfileDescription"] == "sRGB built-in"


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).tobytes()


def test_jpeg_gets_xmp_iptc_and_exif_and_keeps_camera_metadata() -> None:
    original = encode("JPEG", quality=90)
    result = rewrite_metadata(
        original, "image/jpeg", title=TITLE, description=ALT, keywords=[*KEYWORDS, "keramik "], strip_gps=False
    )
    assert result.written and result.reason is None and result.data != original
    tags = exiftool(result.data, ".jpg")
    assert tags["XMP-dc:Title"] == TITLE
    assert tags["XMP-dc:Description"] == ALT
    assert as_list(tags["XMP-dc:Subject"]) == KEYWORDS, "keywords are deduplicated case-insensitively"
    assert tags["IPTC:Caption-Abstract"] == ALT
    assert tags["IPTC:ObjectName"] == TITLE
    assert as_list(tags["IPTC:Keywords"]) == KEYWORDS
    assert tags["IPTC:CodedCharacterSet"] == "\x1b%G", "IPTC declares UTF-8 so readers do not assume Latin-1"
    assert tags["IFD0:ImageDescription"] == ALT
    assert tags["IFD0:XPTitle"] == TITLE
    assert tags["IFD0:XPKeywords"] == ";".join(KEYWORDS)
    assert tags["IFD0:Copyright"] == "(c) Studio Mueller"
    assert_camera_metadata_kept(tags)
    assert tags["GPS:GPSLatitude"] == pytest.approx(52.52001, abs=1e-4), "GPS stays unless asked to strip it"
    assert tags["XMP-exif:GPSLatitude"] == pytest.approx(52.52001, abs=1e-4)
    assert pixels(result.data) == pixels(original), "the picture itself is not re-encoded"


def test_dc_subject_is_an_unordered_bag() -> None:
    result = rewrite_metadata(
        fx.jpeg(seed=1), "image/jpeg", title=None, description=None, keywords=KEYWORDS, strip_gps=False
    )
    image = pyexiv2.ImageData(result.data)
    try:
        packet = image.read_raw_xmp()
    finally:
        image.close()
    subject = packet[packet.index("<dc:subject>") : packet.index("</dc:subject>")]
    assert "<rdf:Bag>" in subject and all(k in subject for k in KEYWORDS)


def test_strip_gps_removes_exif_and_xmp_positions_and_keeps_the_rest() -> None:
    original = encode("JPEG", quality=90)
    assert gps_tags(exiftool(original, ".jpg")), "the test image must carry a position"
    result = rewrite_metadata(original, "image/jpeg", title=TITLE, description=ALT, keywords=KEYWORDS, strip_gps=True)
    tags = exiftool(result.data, ".jpg")
    assert result.written
    assert gps_tags(tags) == {}
    assert tags["XMP-dc:Title"] == TITLE and tags["IPTC:Caption-Abstract"] == ALT
    assert_camera_metadata_kept(tags)


def test_strip_gps_alone_writes_no_text() -> None:
    result = rewrite_metadata(
        encode("JPEG", quality=90), "image/jpeg", title=None, description=None, keywords=[], strip_gps=True
    )
    tags = exiftool(result.data, ".jpg")
    assert result.written and gps_tags(tags) == {}
    assert not [k for k in tags if k.startswith(("IPTC:", "XMP-dc:")) or k == "IFD0:ImageDescription"]
    assert_camera_metadata_kept(tags)


@pytest.mark.parametrize(
    ("fmt", "mime_type", "suffix"), [("PNG", "image/png", ".png"), ("WEBP", "image/webp", ".webp")]
)
def test_png_and_webp_get_xmp_and_lose_gps(fmt: str, mime_type: str, suffix: str) -> None:
    original = encode(fmt, **({"quality": 90} if fmt == "WEBP" else {}))
    before = exiftool(original, suffix)
    assert before["GPS:GPSLatitude"] and before["XMP-exif:GPSLatitude"]
    result = rewrite_metadata(original, mime_type, title=TITLE, description=ALT, keywords=KEYWORDS, strip_gps=True)
    tags = exiftool(result.data, suffix)
    assert result.written
    assert tags["XMP-dc:Title"] == TITLE and tags["XMP-dc:Description"] == ALT
    assert as_list(tags["XMP-dc:Subject"]) == KEYWORDS
    assert gps_tags(tags) == {}
    assert tags["IFD0:Make"] == "Canon" and tags["IFD0:Orientation"] == 6
    assert tags["ExifIFD:DateTimeOriginal"] == "2024:05:01 14:03:12"
    assert tags["ICC_Profile:ProfileDescription"] == "sRGB built-in"
    if fmt == "PNG":
        assert tags["PNG:Description"] == ALT, "PNG viewers read the Description text chunk"
    assert pixels(result.data) == pixels(original)


def test_gps_is_kept_in_png_when_not_asked() -> None:
    result = rewrite_metadata(encode("PNG"), "image/png", title=TITLE, description=ALT, keywords=[], strip_gps=False)
    tags = exiftool(result.data, ".png")
    assert tags["GPS:GPSLatitude"] == pytest.approx(52.52001, abs=1e-4)
    assert "XMP-dc:Subject" not in tags, "no keywords, no empty bag"


def test_tiff_is_written_like_jpeg() -> None:
    result = rewrite_metadata(
        fx.tiff(seed=2), "image/tiff", title=TITLE, description=ALT, keywords=KEYWORDS, strip_gps=True
    )
    tags = exiftool(result.data, ".tiff")
    assert result.written
    assert tags["XMP-dc:Description"] == ALT and tags["IPTC:Caption-Abstract"] == ALT
    assert tags["IFD0:ImageDescription"] == ALT


@pytest.mark.parametrize(
    ("data", "mime_type", "strip_gps", "reason"),
    [
        (fx.gif(seed=3), "image/gif", True, "GIF files are not supported"),
        (fx.heic(seed=3), "image/heic", False, "HEIC files are not supported"),
        (fx.heic(seed=3), "image/heic", True, "HEIC files are not supported; a GPS position in it was not removed"),
        (fx.avif(seed=3), "image/avif", True, "AVIF files are not supported; a GPS position in it was not removed"),
    ],
)
def test_formats_exiv2_cannot_write_come_back_unchanged(
    data: bytes, mime_type: str, strip_gps: bool, reason: str
) -> None:
    result = rewrite_metadata(data, mime_type, title=TITLE, description=ALT, keywords=KEYWORDS, strip_gps=strip_gps)
    assert result.data is data and not result.written
    assert result.reason == reason


@pytest.mark.parametrize(
    "data",
    [fx.random_bytes(4096, seed=9), fx.png(seed=4)[:500], fx.jpeg(seed=5, exif={"Make": "Canon"})[:200]],
    ids=["random bytes", "truncated PNG", "JPEG cut inside its EXIF"],
)
def test_a_file_exiv2_cannot_parse_comes_back_unchanged_with_a_reason(data: bytes) -> None:
    result = rewrite_metadata(data, "image/jpeg", title=TITLE, description=ALT, keywords=KEYWORDS, strip_gps=True)
    assert result.data == data and not result.written
    assert result.reason and "could not be" in result.reason
    # The failure leaves nothing behind that breaks the next file.
    assert rewrite_metadata(
        fx.jpeg(seed=6), "image/jpeg", title=TITLE, description=None, keywords=[], strip_gps=False
    ).written


def test_rewrites_in_parallel_threads_each_get_their_own_text() -> None:
    sources = [fx.jpeg(160, 120, seed=seed) for seed in range(8)]

    def rewrite(index: int) -> bytes:
        bad = index % 3 == 0  # failures interleaved with successes must stay with their own file
        data = sources[index][:150] if bad else sources[index]
        return rewrite_metadata(
            data, "image/jpeg", title=f"Titel {index} ä", description=None, keywords=[], strip_gps=False
        ).data

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(rewrite, range(len(sources))))
    for index, data in enumerate(results):
        if index % 3 == 0:
            assert data == sources[index][:150]
        else:
            assert exiftool(data, ".jpg")["XMP-dc:Title"] == f"Titel {index} ä"
