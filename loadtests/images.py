"""Small, distinct pictures made once in memory, so the upload mix measures the platform
(validation, clamd, S3, the queue, naming) and not the disk or the picture generator."""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 320, 240


def _picture(seed: int) -> Image.Image:
    rng = random.Random(seed)
    top = tuple(rng.randrange(20, 236) for _ in range(3))
    bottom = tuple(rng.randrange(20, 236) for _ in range(3))
    picture = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(picture)
    for y in range(HEIGHT):  # a vertical gradient: compresses and decodes like a photo's sky
        mix = y / (HEIGHT - 1)
        draw.line(
            [(0, y), (WIDTH, y)], fill=tuple(round(a * (1 - mix) + b * mix) for a, b in zip(top, bottom, strict=True))
        )
    for _ in range(rng.randrange(3, 7)):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        size = rng.randrange(20, 90)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + size, y + size], fill=colour)
        else:
            draw.rectangle([x, y, x + size, y + size // 2], fill=colour)
    return picture


@lru_cache(maxsize=1)
def image_set(count: int = 50) -> tuple[tuple[str, bytes, str], ...]:
    """`count` distinct files as (filename, bytes, content type): four JPEGs to one PNG,
    each a few kilobytes, named the way cameras and shops name them."""
    files: list[tuple[str, bytes, str]] = []
    for n in range(count):
        picture = _picture(seed=1000 + n)
        buffer = io.BytesIO()
        if n % 5 == 4:
            picture.save(buffer, "PNG", optimize=False)
            files.append((f"product-shot-{n:03d}.png", buffer.getvalue(), "image/png"))
        else:
            picture.save(buffer, "JPEG", quality=82)
            files.append((f"IMG_{4100 + n:04d}.jpg", buffer.getvalue(), "image/jpeg"))
    return tuple(files)
