"""Writing alt text and keywords into a delivered file's own metadata, and removing its GPS position.

Everything happens in memory with exiv2 (pyexiv2.ImageData): the picture data is never
re-encoded, and every tag we do not own (camera, capture time, copyright, ICC profile,
orientation ...) stays as it was. What we write:

- JPEG and TIFF: EXIF ImageDescription, XPTitle, XPKeywords, XPComment (what Windows shows);
  IPTC Caption-Abstract, ObjectName, Keywords (declared UTF-8); XMP dc:title, dc:description, dc:subject.
- PNG: XMP dc:*, plus the Description text chunk (exiv2 writes the PNG comment there).
- WebP: XMP dc:* (WebP has no IPTC and no comment).

A file exiv2 cannot write (GIF, HEIC and AVIF with the bundled exiv2 0.28) or cannot parse is
returned unchanged with the reason, so the export can still deliver it and say so.

Memory: exiv2 copies the file into its own buffer and writes a new one, so a 50 MB file costs
about four times that while it is rewritten; the caller rewrites one file at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyexiv2

# pyexiv2 keeps exiv2's error messages in one process-wide buffer that the next call turns
# into an exception, and exiv2's XMP toolkit is not thread-safe: one rewrite at a time per
# process, so an export in a thread pool never sees another file's error (or corrupts XMP).
_EXIV2_LOCK = threading.Lock()

# exiv2 reads an XMP text value that starts with "type=" as an array declaration.
_XMP_TYPE_PREFIX = "type="
# ISO 2022 escape for UTF-8: without it, IPTC readers assume Latin-1 and garble umlauts.
_IPTC_UTF8 = "\x1b%G"
_IPTC_CAPTION_LIMIT = 2000  # IIM 2:120
_IPTC_TITLE_LIMIT = 64  # IIM 2:05
_IPTC_KEYWORD_LIMIT = 64  # IIM 2:25

_FULL_METADATA = frozenset({"image/jpeg", "image/tiff"})
_FORMAT_LABELS = {"image/gif": "GIF", "image/heic": "HEIC", "image/heif": "HEIF", "image/avif": "AVIF"}
# Phones store the position in HEIC/AVIF EXIF: the manifest must not let "strip GPS" look done.
_MAY_CARRY_GPS = frozenset({"image/heic", "image/heif", "image/avif"})


@dataclass(frozen=True)
class MetadataResult:
    data: bytes
    written: bool
    reason: str | None = None  # why nothing was written, in words for the manifest


def _format_label(mime_type: str) -> str:
    return _FORMAT_LABELS.get(mime_type, mime_type.removeprefix("image/").upper())


def _unchanged(data: bytes, reason: str) -> MetadataResult:
    return MetadataResult(data=data, written=False, reason=reason)


def _clip_utf8(text: str, limit: int) -> str:
    """IPTC limits count bytes; cut at a character boundary."""
    return text.encode()[:limit].decode(errors="ignore")


def _unique(words: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for word in (w.strip() for w in words):
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            result.append(word)
    return result


def _xmp_changes(
    existing: dict[str, Any], *, title: str | None, description: str | None, keywords: list[str], strip_gps: bool
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if title:
        changes["Xmp.dc.title"] = {'lang="x-default"': title}
    if description:
        changes["Xmp.dc.description"] = {'lang="x-default"': description}
    if keywords:
        # pyexiv2 writes a list as rdf:Seq; dc:subject is an unordered rdf:Bag. Declaring the
        # bag and adding indexed items makes exiv2 write a Bag.
        for key in existing:
            if key == "Xmp.dc.subject" or key.startswith("Xmp.dc.subject["):
                changes[key] = None
        changes["Xmp.dc.subject"] = "type=Bag"
        items = [k for k in keywords if not k.startswith(_XMP_TYPE_PREFIX)]
        changes.update({f"Xmp.dc.subject[{n}]": keyword for n, keyword in enumerate(items, start=1)})
    if strip_gps:
        changes.update({key: None for key in existing if key.startswith("Xmp.exif.GPS")})
    return changes


def _exif_changes(
    existing: dict[str, Any],
    *,
    title: str | None,
    description: str | None,
    keywords: list[str],
    strip_gps: bool,
    full: bool,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if full:
        if description:
            # EXIF says ASCII; UTF-8 is what exiftool, Lightroom and the MWG guidelines read there.
            changes["Exif.Image.ImageDescription"] = description
            changes["Exif.Image.XPComment"] = description
        if title:
            changes["Exif.Image.XPTitle"] = title
        if keywords:
            changes["Exif.Image.XPKeywords"] = ";".join(keywords)  # Windows' separator
    if strip_gps:
        # Removing every GPS tag makes exiv2 drop the GPS IFD and its pointer too.
        changes.update({key: None for key in existing if key.startswith("Exif.GPSInfo.")})
        if "Exif.Image.GPSTag" in existing:
            changes["Exif.Image.GPSTag"] = None
    return changes


def _iptc_changes(*, title: str | None, description: str | None, keywords: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if description:
        changes["Iptc.Application2.Caption"] = _clip_utf8(description, _IPTC_CAPTION_LIMIT)
    if title:
        changes["Iptc.Application2.ObjectName"] = _clip_utf8(title, _IPTC_TITLE_LIMIT)
    if keywords:
        changes["Iptc.Application2.Keywords"] = [_clip_utf8(k, _IPTC_KEYWORD_LIMIT) for k in keywords]
    if changes:
        changes["Iptc.Envelope.CharacterSet"] = _IPTC_UTF8
    return changes


def _can_write(access: str | None) -> bool:
    return access is not None and "write" in access


def _rewrite(
    image: pyexiv2.ImageData,
    mime_type: str,
    *,
    title: str | None,
    description: str | None,
    keywords: list[str],
    strip_gps: bool,
) -> bool:
    """Apply the changes to the open image; False when nothing needed changing."""
    access = image.get_access_mode()
    full = mime_type in _FULL_METADATA
    changed = False
    if _can_write(access.get("exif")):
        exif = _exif_changes(
            image.read_exif(),
            title=title,
            description=description,
            keywords=keywords,
            strip_gps=strip_gps,
            full=full,
        )
        if exif:
            image.modify_exif(exif)
            changed = True
    if full and _can_write(access.get("iptc")):
        iptc = _iptc_changes(title=title, description=description, keywords=keywords)
        if iptc:
            image.modify_iptc(iptc)
            changed = True
    xmp = _xmp_changes(image.read_xmp(), title=title, description=description, keywords=keywords, strip_gps=strip_gps)
    if xmp:
        image.modify_xmp(xmp)
        changed = True
    if mime_type == "image/png" and description and _can_write(access.get("comment")):
        image.modify_comment(description)  # exiv2 stores it as PNG's "Description" text chunk
        changed = True
    return changed


def rewrite_metadata(
    data: bytes,
    mime_type: str,
    *,
    title: str | None,
    description: str | None,
    keywords: list[str],
    strip_gps: bool,
) -> MetadataResult:
    """The file with title, description and keywords written into its metadata (and, with
    strip_gps, every GPS tag removed). Never raises for a file it cannot handle: the original
    bytes come back with written=False and a reason a person can read."""
    keywords = _unique(keywords)
    title = (title or "").strip() or None
    description = (description or "").strip() or None
    with _EXIV2_LOCK:
        try:
            image = pyexiv2.ImageData(data)
        except (RuntimeError, ValueError) as exc:
            return _unchanged(data, f"the file could not be read ({exc})".strip())
        try:
            if not _can_write(image.get_access_mode().get("xmp")):
                gps_left = strip_gps and mime_type in _MAY_CARRY_GPS
                reason = f"{_format_label(mime_type)} files are not supported" + (
                    "; a GPS position in it was not removed" if gps_left else ""
                )
                return _unchanged(data, reason)
            if not _rewrite(
                image, mime_type, title=title, description=description, keywords=keywords, strip_gps=strip_gps
            ):
                return MetadataResult(data=data, written=True)
            rewritten: bytes = image.get_bytes()
        except (RuntimeError, ValueError) as exc:
            return _unchanged(data, f"the file's metadata could not be rewritten ({exc})")
        finally:
            image.close()
    return MetadataResult(data=rewritten, written=True)
