"""Review thumbnails: a reduced decode (JPEG draft), never a full-resolution one for JPEG.

When a remote provider's preview of the same file was just made, or the local analyzer
decoded it reduced (core.vision.preview), the thumbnail is made from that rather than from
the original a second time."""

from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image, ImageOps

from core.vision.preview import draft_request, take_preview

THUMBNAIL_SIZE = 320


def render_thumbnail(source: BinaryIO, *, size: int = THUMBNAIL_SIZE) -> tuple[bytes, Image.Image]:
    """The WebP thumbnail and the reduced image it was made from (for the perceptual hash)."""
    kept = take_preview(source)
    if isinstance(kept, Image.Image):  # already reduced and upright; ours once taken
        kept.thumbnail((size, size), reducing_gap=2.0)
        return _encode(kept)
    with Image.open(io.BytesIO(kept) if kept is not None else source) as opened:
        if opened.format == "JPEG":
            # DCT scaling to the smallest scale whose long side still covers `size`: 1/8 for a
            # 12 MP photo, 1/4 for a 1600 px one (a square request would be bound by the short
            # side and decode that one at 1/2).
            opened.draft("RGB", draft_request(opened.size, size))
        # Reduced before the orientation is applied: a square box fits either way round.
        opened.thumbnail((size, size), reducing_gap=2.0)
        return _encode(ImageOps.exif_transpose(opened))


def _encode(img: Image.Image) -> tuple[bytes, Image.Image]:
    if img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
    out = io.BytesIO()
    img.save(out, "WEBP", quality=80, method=2)  # method 2: a fraction of method 4's time, same size here
    return out.getvalue(), img
