"""Review thumbnails: upright, at most 320 px, transparent where the picture is, whether made
from the original, from the preview a remote provider was just sent, or from the local
analyzer's reduced decode."""

from __future__ import annotations

import io
import weakref

import pytest
from PIL import Image

from core.images.thumbnails import THUMBNAIL_SIZE, render_thumbnail
from core.vision import preview
from core.vision.base import AnalysisContext
from core.vision.local import LocalAnalyzer
from core.vision.preview import make_preview, take_preview
from tests.fixtures import images as fx

ORIGINAL, PREVIEW, ANALYSIS = "from the original", "from the preview", "from the local analysis"


@pytest.fixture(scope="module")
def analyzer() -> LocalAnalyzer:
    analyzer = LocalAnalyzer(ocr_enabled=False)
    analyzer.load()
    return analyzer


def _thumbnail(data: bytes, *, after: str, analyzer: LocalAnalyzer | None = None) -> Image.Image:
    source = io.BytesIO(data)
    if after == PREVIEW:
        make_preview(source)
    elif after == ANALYSIS:
        assert analyzer is not None
        analyzer.analyze(source, context=AnalysisContext(keywords=[], language="en", original_name="x.jpg"))
    source.seek(0)
    webp, reduced = render_thumbnail(source)
    with Image.open(io.BytesIO(webp)) as decoded:
        assert decoded.format == "WEBP"
        assert decoded.size == reduced.size
        decoded.load()
        return decoded.copy()


@pytest.mark.parametrize("after", [ORIGINAL, PREVIEW, ANALYSIS])
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
def test_thumbnail_is_upright_and_fits_the_box(
    data: bytes, size: tuple[int, int], after: str, analyzer: LocalAnalyzer
) -> None:
    thumbnail = _thumbnail(data, after=after, analyzer=analyzer)
    assert thumbnail.size == size
    assert max(thumbnail.size) <= THUMBNAIL_SIZE


@pytest.mark.parametrize("after", [PREVIEW, ANALYSIS])
def test_a_kept_decode_and_the_original_give_the_same_picture(after: str, analyzer: LocalAnalyzer) -> None:
    data = fx.jpeg(1600, 1200, seed=8)
    direct = _thumbnail(data, after=ORIGINAL).convert("RGB")
    via_kept = _thumbnail(data, after=after, analyzer=analyzer).convert("RGB")
    difference = sum(abs(a - b) for a, b in zip(direct.tobytes(), via_kept.tobytes(), strict=True))
    assert difference / len(direct.tobytes()) < 4  # mean error in 8-bit levels: the same picture


def test_the_local_analysis_hands_its_decode_over_once() -> None:
    """Nothing kept by the analysis for a transparent picture (it is flattened for analysis)."""
    quiet = LocalAnalyzer(ocr_enabled=False, nudenet_enabled=False)
    context = AnalysisContext(keywords=[], language="en", original_name="x")
    opaque, transparent = io.BytesIO(fx.jpeg(1600, 1200, seed=11)), io.BytesIO(fx.png(800, 600, seed=9, alpha=True))
    quiet.analyze(opaque, context=context)
    quiet.analyze(transparent, context=context)
    kept = take_preview(opaque)
    assert isinstance(kept, Image.Image) and kept.size == (800, 600) and kept.mode == "RGB"  # DCT-scaled by 1/2
    assert take_preview(opaque) is None
    assert take_preview(transparent) is None


@pytest.mark.parametrize("payload", [fx.png(800, 600, seed=12), fx.jpeg(1600, 1200, seed=12)], ids=["png", "jpeg"])
def test_a_decode_nobody_takes_goes_with_its_source(payload: bytes) -> None:
    """An analysis whose thumbnail step never ran (it failed, or another caller) leaves nothing
    behind: a kept PNG once held its file, so the source and the picture stayed for good
    (3 MB for each 2000 x 1500 PNG a worker analysed)."""
    quiet = LocalAnalyzer(ocr_enabled=False, nudenet_enabled=False)
    source = io.BytesIO(payload)
    quiet.analyze(source, context=AnalysisContext(keywords=[], language="en", original_name="x"))
    gone = weakref.ref(source)
    del source
    assert gone() is None
    assert len(preview._kept) == 0


@pytest.mark.parametrize("after", [PREVIEW, ANALYSIS])
def test_a_transparent_png_keeps_its_transparency(after: str, analyzer: LocalAnalyzer) -> None:
    """The preview and the analysis flatten onto white; the thumbnail must not be."""
    thumbnail = _thumbnail(fx.png(800, 600, seed=9, alpha=True), after=after, analyzer=analyzer)
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
