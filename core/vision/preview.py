"""The reduced copy a remote provider sees: displayed orientation, long side at most 1024 px, JPEG.

Cloud providers bill and answer by what they receive, not by the original's size; a
1024 px JPEG carries everything a vision model reads from a product photo, and a 12 MP
original never crosses the network. JPEG originals are reduced by the decoder (DCT
scaling via `draft()`), so the full-resolution bitmap is never built.

The preview's bytes are also kept, tied to the source they were made from, for
`take_preview()`: the review thumbnail (core.images.thumbnails) is decoded from that small
JPEG instead of from the original a second time (for a 12 MP JPEG the entropy decoding alone
costs ~20 ms at any scale, the preview's under 1 ms). The local analyzer hands over its own
reduced decode the same way (`keep_reduced`). They go when taken or with the source.
"""

from __future__ import annotations

import io
import threading
import weakref
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps

from core.errors import PermanentError
from core.vision.exif import PhotoMetadata, read_metadata

PREVIEW_MAX_SIDE = 1024
# The decoder may stop at any DCT scale that keeps the long side at least this: a 1600 px
# photo is sent at 800 px instead of being fully decoded and resampled to 1024 (OpenAI's
# "low" detail looks at 512 px; labels and text read the same at 768-1024).
PREVIEW_MIN_SIDE = 768
PREVIEW_QUALITY = 85

# source -> (the position it was read from, the preview JPEG or a reduced decode), for
# pictures without transparency
_kept: weakref.WeakKeyDictionary[BinaryIO, tuple[int, bytes | Image.Image]] = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def draft_request(size: tuple[int, int], min_side: int) -> tuple[int, int]:
    """The size to ask `draft()` for so the scaled long side stays >= min_side."""
    width, height = size
    ratio = min(1.0, min_side / max(width, height))
    return max(1, int(width * ratio + 0.999)), max(1, int(height * ratio + 0.999))


@dataclass(frozen=True)
class Preview:
    jpeg: bytes  # what is sent to the provider
    width: int  # the preview's size
    height: int
    original_width: int  # the original's size as displayed (EXIF orientation applied)
    original_height: int
    metadata: PhotoMetadata  # EXIF capture time, camera and GPS of the original


def make_preview(source: BinaryIO, *, max_side: int = PREVIEW_MAX_SIDE, quality: int = PREVIEW_QUALITY) -> Preview:
    """Decode `source` reduced and re-encode it as an RGB JPEG; `source` is left where it started.

    Raises PermanentError(code="undecodable") for a file no decoder can read.
    """
    start = source.tell()
    try:
        with Image.open(source) as opened:
            exif = opened.getexif() if opened.format != "PNG" or "exif" in opened.info else Image.Exif()
            metadata = read_metadata(exif)
            width, height = opened.size
            opened.draft("RGB", draft_request(opened.size, min(PREVIEW_MIN_SIDE, max_side)))
            opened.thumbnail((max_side, max_side), Image.Resampling.BICUBIC, reducing_gap=2.0)
            image: Image.Image = ImageOps.exif_transpose(opened)
            if metadata.orientation in (5, 6, 7, 8):
                width, height = height, width
            opaque = image.mode not in ("RGBA", "LA", "PA", "La", "RGBa") and "transparency" not in image.info
            if image.mode != "RGB":
                image = _flatten(image)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=False)
    except PermanentError:
        raise
    except Exception as exc:  # decoders raise anything (OSError, SyntaxError, ValueError ...)
        raise PermanentError(
            "The file could not be decoded as an image; it may be truncated or corrupt.",
            code="undecodable",
            extra={"reason": f"{type(exc).__name__}: {exc}"},
        ) from exc
    finally:
        source.seek(start)
    jpeg = out.getvalue()
    if opaque:  # flattened onto white, it would not stand in for a transparent picture
        with _kept_lock:
            _kept[source] = (start, jpeg)
    return Preview(jpeg, image.width, image.height, width, height, metadata)


def keep_reduced(source: BinaryIO, position: int, image: Image.Image) -> None:
    """Hand a reduced decode of `source` (read from `position`: displayed orientation, opaque,
    RGB or L, long side at least the thumbnail's unless the original is smaller) to
    `take_preview()`. The caller must not change `image` afterwards."""
    if any(value is source for value in vars(image).values()):
        # Still holding its file (Pillow keeps a PNG's, for APNG frames): kept as it is, the
        # value would hold its own key alive, and a decode nobody takes would never go.
        image = image.copy()
    with _kept_lock:
        _kept[source] = (position, image)


def take_preview(source: BinaryIO) -> bytes | Image.Image | None:
    """What was kept for `source` at its current position, or None; forgotten once taken.

    Either the preview JPEG `make_preview` made (orientation applied, long side at least
    PREVIEW_MIN_SIDE unless the original is smaller) or a reduced decode from `keep_reduced`.
    """
    with _kept_lock:
        kept = _kept.pop(source, None)
    if kept is None or kept[0] != source.tell():
        return None
    return kept[1]


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency would turn black in a JPEG."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I", "I;16", "I;16L", "I;16B", "F"):
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")
