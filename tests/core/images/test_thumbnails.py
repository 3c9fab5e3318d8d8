"""Review thumbnails: upright, at most 320 px, transparent where the picture is, whether made
from the original or from the preview a remote provider was just sent."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.images.thumbnails import THUMBNAIL_SIZE, render_thumbnail
from core.vision.preview import make_preview, take_preview
from tests.fixtures import images as fx


def _thumbnail(data: bytes, *, after_preview: bool) -> Image.Image:
    source = io.BytesIO(data)
    if after_preview:
        make_preview(source)
        source.seek(0)
    webp, reduced = render_thumbnail(source)
    with Image.open(io.BytesIO(webp)) as decoded:
        assert decoded.format == "WEBP"
        assert decoded.size == reduced.size
        decoded.load()
        return decoded.copy()


@pytest.mark.parametrize("after_preview", [False, True], ids=["from the original", "from the preview"])
@pytest.mark.parametrize(
    ("data", "size"),
    [
        (fx.jpeg(1600, 1200, seed=3), (320, 240)),
        (fx.jpeg(4000, 3000, seed=4), (320, 240)),
        (fx.jpeg(1600, 1200, seed=5, exif={"Orientation": 6}), (240, 320)),  # stored on its side
        (fx.png(2000, 1500, seed=6), (320, 240)),
        (fx.jpeg(200, 150, seed=7), (200, 150)),  # smaller than a thumbnail: never enlarged
    ],
    ids=["1600px", "12MP", "rotated by EXIF", "png", "small"],
)
def test_thumbnail_is_upright_and_fits_the_box(data: bytes, size: tuple[int, int], after_preview: bool) -> None:
    thumbnail = _thumbnail(data, after_preview=after_preview)
    assert thumbnail.size == size
    assert max(thumbnail.size) <= THUMBNAIL_SIZE


def test_preview_and_original_give_the_same_picture() -> None:
    data = fx.jpeg(1600, 1200, seed=8)
    direct = _thumbnail(data, after_preview=False).convert("RGB")
    via_preview = _thumbnail(data, after_preview=True).convert("RGB")
    difference = sum(abs(a - b) for a, b in zip(direct.tobytes(), via_preview.tobytes(), strict=True))
    assert difference / len(direct.tobytes()) < 4  # mean error in 8-bit levels: the same picture


def test_a_transparent_png_keeps_its_transparency_after_a_preview() -> None:
    """The preview is flattened onto white for the provider; the thumbnail must not be."""
    thumbnail = _thumbnail(fx.png(800, 600, seed=9, alpha=True), after_preview=True)
    assert thumbnail.mode == "RGBA"
    assert thumbnail.getpixel((0, 0))[3] == 0  # the corners are see-through
    assert thumbnail.getpixel((160, 120))[3] == 255


def test_a_preview_is_handed_over_once_and_only_for_its_own_file() -> None:
    data = fx.jpeg(1600, 1200, seed=10)
    source, other = io.BytesIO(data), io.BytesIO(data)
    make_preview(source)
    assert take_preview(other) is None
    source.seek(5)
    assert take_preview(source) is None  # kept for the position it was read from
    make_preview(source)
    assert take_preview(source) is not None
    assert take_preview(source) is None
