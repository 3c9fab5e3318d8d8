"""Review thumbnails: a reduced decode (JPEG draft), never a full-resolution one for JPEG."""

from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image, ImageOps

THUMBNAIL_SIZE = 320


def render_thumbnail(source: BinaryIO, *, size: int = THUMBNAIL_SIZE) -> tuple[bytes, Image.Image]:
    """The WebP thumbnail and the reduced image it was made from (for the perceptual hash)."""
    with Image.open(source) as opened:
        if opened.format == "JPEG":
            # DCT scaling to the smallest scale still >= size: 1/8 for a 12 MP photo.
            opened.draft("RGB", (size, size))
        opened.thumbnail((size * 2, size * 2), reducing_gap=2.0)
        img: Image.Image = ImageOps.exif_transpose(opened)
        img.thumbnail((size, size))
        if img.mode not in ("RGB", "RGBA"):
            img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
        out = io.BytesIO()
        img.save(out, "WEBP", quality=80, method=2)  # method 2: a fraction of method 4's time, same size here
        return out.getvalue(), img
