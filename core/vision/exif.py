"""What the camera wrote down: capture time, camera, orientation and GPS position.

Read from Pillow's parsed `Image.Exif` (the header only; no pixels). Camera firmware
writes all kinds of junk ("0000:00:00 00:00:00", NUL-padded strings, 0/0 rationals,
a 0,0 position when there was no fix), so every field is validated and dropped rather
than guessed when it does not make sense.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from PIL import ExifTags, Image

# Words that make "NIKON CORPORATION NIKON D750" out of Make + Model; dropped from Make.
_COMPANY_WORDS = frozenset(
    {
        "corporation", "corp", "co", "company", "ltd", "limited", "inc", "ag", "gmbh", "llc", "sa",
        "imaging", "optical", "camera", "electronics", "digital", "technologies",
    }
)  # fmt: skip
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class PhotoMetadata:
    captured_at: datetime | None = None  # naive = the camera's local clock (EXIF has no zone unless OffsetTime*)
    camera: str | None = None
    orientation: int | None = None  # EXIF 1..8
    gps: tuple[float, float] | None = None  # (latitude, longitude) in decimal degrees


def read_metadata(exif: Image.Exif) -> PhotoMetadata:
    exif_ifd = _ifd(exif, ExifTags.IFD.Exif)
    return PhotoMetadata(
        captured_at=_captured_at(exif, exif_ifd),
        camera=camera_name(_text(exif.get(ExifTags.Base.Make)), _text(exif.get(ExifTags.Base.Model))),
        orientation=_orientation(exif.get(ExifTags.Base.Orientation)),
        gps=_gps(_ifd(exif, ExifTags.IFD.GPSInfo)),
    )


def _ifd(exif: Image.Exif, ifd: ExifTags.IFD) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(ifd))
    except Exception:  # a broken sub-IFD must not cost us the rest of the header
        return {}


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.replace("\x00", " ").split())
    return cleaned or None


def camera_name(make: str | None, model: str | None) -> str | None:
    """Make and Model as one name, without the brand twice or the company's legal form.

    "Canon" + "Canon EOS 5D Mark IV" -> "Canon EOS 5D Mark IV"; "NIKON CORPORATION" +
    "NIKON D750" -> "NIKON D750"; "Apple" + "iPhone 13" -> "Apple iPhone 13";
    "OLYMPUS IMAGING CORP." + "E-M10" -> "OLYMPUS E-M10".
    """
    brand_words = [
        word for word in re.split(r"[\s,]+", make or "") if word and word.lower().strip(".") not in _COMPANY_WORDS
    ]
    brand = " ".join(brand_words)
    if not model:
        return brand or None
    if not brand or any(re.search(rf"\b{re.escape(word)}\b", model, re.IGNORECASE) for word in brand_words):
        return model
    return f"{brand} {model}"


def _orientation(value: object) -> int | None:
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _captured_at(exif: Image.Exif, exif_ifd: dict[int, Any]) -> datetime | None:
    # DateTimeOriginal is when the shutter fired; DateTimeDigitized is the same for a
    # camera and the scan date for film. IFD0 DateTime is the last edit, so never used.
    pairs = (
        (ExifTags.Base.DateTimeOriginal, ExifTags.Base.OffsetTimeOriginal),
        (ExifTags.Base.DateTimeDigitized, ExifTags.Base.OffsetTimeDigitized),
    )
    for date_tag, offset_tag in pairs:
        raw = _text(exif_ifd.get(date_tag)) or _text(exif.get(date_tag))
        if raw is None:
            continue
        try:  # the standard colons, or the dashes some software writes
            moment = datetime.strptime(raw[:19].replace("-", ":", 2), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        offset = _OFFSET.match(_text(exif_ifd.get(offset_tag)) or "")
        if offset:
            sign = -1 if offset.group(1) == "-" else 1
            delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
            moment = moment.replace(tzinfo=timezone(sign * delta))
        return moment
    return None


def _degrees(value: object) -> float | None:
    """(degrees, minutes, seconds) rationals, or a single decimal value, to degrees."""
    try:
        parts = [float(part) for part in value] if isinstance(value, tuple | list) else [float(value)]  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or len(parts) > 3 or not all(math.isfinite(part) for part in parts):
        return None
    degrees: float = sum(part / 60**index for index, part in enumerate(parts))
    return degrees


def _gps(gps: dict[int, Any]) -> tuple[float, float] | None:
    latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude))
    longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude))
    if latitude is None or longitude is None:
        return None
    if (_text(gps.get(ExifTags.GPS.GPSLatitudeRef)) or "N").upper().startswith("S"):
        latitude = -latitude
    if (_text(gps.get(ExifTags.GPS.GPSLongitudeRef)) or "E").upper().startswith("W"):
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if latitude == 0 and longitude == 0:  # what many cameras write when they had no fix
        return None
    return latitude, longitude
