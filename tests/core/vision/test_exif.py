"""EXIF fields as cameras really write them, junk included."""

from __future__ import annotations

from datetime import datetime

import pytest
from PIL import ExifTags, Image, TiffImagePlugin

from core.vision.exif import camera_name, read_metadata


@pytest.mark.parametrize(
    ("make", "model", "expected"),
    [
        ("Canon", "Canon EOS 5D Mark IV", "Canon EOS 5D Mark IV"),
        ("NIKON CORPORATION", "NIKON D750", "NIKON D750"),
        ("Apple", "iPhone 13", "Apple iPhone 13"),
        ("OLYMPUS IMAGING CORP.", "E-M10", "OLYMPUS E-M10"),
        ("HUAWEI TECHNOLOGIES CO., LTD.", "ELE-L29", "HUAWEI ELE-L29"),
        ("LEICA CAMERA AG", "LEICA Q2", "LEICA Q2"),
        ("SONY", "ILCE-7M3", "SONY ILCE-7M3"),
        (None, "X100V", "X100V"),
        ("FUJIFILM", None, "FUJIFILM"),
        (None, None, None),
    ],
)
def test_camera_names_are_deduplicated(make: str | None, model: str | None, expected: str | None) -> None:
    assert camera_name(make, model) == expected


def _gps(lat: object, lat_ref: str, lon: object, lon_ref: str) -> Image.Exif:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = lat_ref, lat
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = lon_ref, lon
    return _reparsed(exif)


def _reparsed(exif: Image.Exif) -> Image.Exif:
    """What a decoder hands us: the EXIF block serialised and parsed again."""
    parsed = Image.Exif()
    parsed.load(exif.tobytes())
    return parsed


def test_degrees_minutes_seconds_with_hemispheres() -> None:
    metadata = read_metadata(_gps((33.0, 52.0, 7.68), "S", (151.0, 12.0, 33.48), "E"))
    assert metadata.gps == pytest.approx((-33.8688, 151.2093), abs=1e-4)
    metadata = read_metadata(_gps((40.0, 42.0, 46.08), "N", (74.0, 0.0, 21.6), "W"))
    assert metadata.gps == pytest.approx((40.7128, -74.006), abs=1e-4)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)),  # no fix
        ((95.0, 0.0, 0.0), (10.0, 0.0, 0.0)),  # not on Earth
        ((TiffImagePlugin.IFDRational(1, 0), 0.0, 0.0), (10.0, 0.0, 0.0)),  # 1/0
    ],
)
def test_impossible_positions_are_dropped(lat: tuple[object, ...], lon: tuple[object, ...]) -> None:
    assert read_metadata(_gps(lat, "N", lon, "E")).gps is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023:07:14 21:45:03", datetime(2023, 7, 14, 21, 45, 3)),
        ("2023-07-14 21:45:03", datetime(2023, 7, 14, 21, 45, 3)),
        ("2023:07:14 21:45:03.250", datetime(2023, 7, 14, 21, 45, 3)),
        ("0000:00:00 00:00:00", None),
        ("    :  :     :  :  ", None),
    ],
)
def test_capture_dates(raw: str, expected: datetime | None) -> None:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = raw
    assert read_metadata(_reparsed(exif)).captured_at == expected


def test_the_edit_date_is_not_the_capture_date() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = "2024:01:01 10:00:00"  # when it was last saved
    assert read_metadata(_reparsed(exif)).captured_at is None


def test_orientation_outside_1_to_8_is_ignored() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 9
    assert read_metadata(_reparsed(exif)).orientation is None
