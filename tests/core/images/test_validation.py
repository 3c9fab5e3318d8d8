from __future__ import annotations

import contextlib
import io
import json
import os
import random
import subprocess
import sys
import textwrap
import time
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from core.errors import FileRejected
from core.images import validation
from core.images.validation import (
    ACCEPTED_FORMATS_SENTENCE,
    ALLOWED_FORMATS,
    ImageInfo,
    describe_content,
    inspect_image,
    sanitize_filename,
)
from tests.fixtures import images

PROJECT_ROOT = Path(__file__).resolve().parents[3]
LIMIT = 160_000_000  # the default max_image_pixels


def inspect(data: bytes, *, max_pixels: int = LIMIT) -> ImageInfo:
    return inspect_image(io.BytesIO(data), max_pixels=max_pixels)


def rejection(data: bytes, *, max_pixels: int = LIMIT) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        inspect(data, max_pixels=max_pixels)
    return caught.value


def assert_sentence(detail: str) -> None:
    assert detail[:1].isupper() and detail.endswith("."), detail
    assert len(detail.split()) >= 6, detail


def bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, "BMP")
    return buffer.getvalue()


# --------------------------------------------------------------------------- accepted formats

ACCEPTED = [
    pytest.param(lambda: images.jpeg(321, 237), "JPEG", "image/jpeg", id="jpeg"),
    pytest.param(lambda: images.jpeg(321, 237, progressive=True), "JPEG", "image/jpeg", id="jpeg-progressive"),
    pytest.param(lambda: images.png(321, 237), "PNG", "image/png", id="png"),
    pytest.param(lambda: images.png(321, 237, alpha=True), "PNG", "image/png", id="png-alpha"),
    pytest.param(lambda: images.gif(321, 237), "GIF", "image/gif", id="gif"),
    pytest.param(lambda: images.gif(321, 237, frames=4), "GIF", "image/gif", id="gif-animated"),
    pytest.param(lambda: images.webp(321, 237), "WEBP", "image/webp", id="webp"),
    pytest.param(lambda: images.webp(321, 237, lossless=True), "WEBP", "image/webp", id="webp-lossless"),
    pytest.param(lambda: images.webp(321, 237, frames=3), "WEBP", "image/webp", id="webp-animated"),
    pytest.param(lambda: images.tiff(321, 237), "TIFF", "image/tiff", id="tiff-lzw"),
    pytest.param(lambda: images.tiff(321, 237, compression=None, pages=3), "TIFF", "image/tiff", id="tiff-pages"),
    pytest.param(lambda: images.heic(321, 237), "HEIF", "image/heic", id="heic"),
    pytest.param(lambda: images.avif(321, 237), "AVIF", "image/avif", id="avif"),
]


@pytest.mark.parametrize(("make", "fmt", "mime_type"), ACCEPTED)
def test_accepts_every_allowed_format_with_its_type_and_size(
    make: Callable[[], bytes], fmt: str, mime_type: str
) -> None:
    assert inspect(make()) == ImageInfo(format=fmt, mime_type=mime_type, width=321, height=237)


def test_the_seven_accepted_formats_are_exactly_the_allowed_ones() -> None:
    assert {param.values[1] for param in ACCEPTED} == ALLOWED_FORMATS


def test_type_comes_from_the_bytes_whatever_the_file_was_called() -> None:
    # The upload is "red-sneakers.png" with Content-Type image/png; inspect_image never sees either.
    info = inspect(images.jpeg(200, 100))
    assert (info.format, info.mime_type) == ("JPEG", "image/jpeg")


def test_heic_with_the_generic_mif1_brand_is_still_heic() -> None:
    # Some encoders write "mif1" as the major brand; the AVIF decoder is tried first and must let go.
    data = images.heic(64, 48)
    assert data[8:12] == b"heic"
    info = inspect(data[:8] + b"mif1" + data[12:])
    assert (info.format, info.width, info.height) == ("HEIF", 64, 48)


def _reencode(fmt: str, mode: str, **params: object) -> bytes:
    picture = Image.open(io.BytesIO(images.png(200, 150))).convert(mode)
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **params)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_reencode("MPO", "RGB", save_all=True, append_images=[Image.new("RGB", (200, 150))]), id="mpo"),
        pytest.param(_reencode("JPEG", "CMYK"), id="cmyk"),
        pytest.param(_reencode("JPEG", "L"), id="grayscale"),
    ],
)
def test_jpeg_variants_are_reported_as_jpeg(data: bytes) -> None:
    # Pillow opens multi-picture files (phone depth maps, 3D cameras) as "MPO"; to us they are JPEGs.
    assert inspect(data) == ImageInfo("JPEG", "image/jpeg", 200, 150)


def test_animated_gif_reports_canvas_size() -> None:
    info = inspect(images.gif(120, 90, frames=6))
    assert (info.format, info.width, info.height) == ("GIF", 120, 90)


def test_dimensions_are_as_stored_before_exif_rotation() -> None:
    info = inspect(images.jpeg(400, 300, exif={"Orientation": 6}))
    assert (info.width, info.height) == (400, 300)


def test_jpeg_with_eicar_appended_still_decodes_the_scanner_must_catch_it() -> None:
    assert inspect(images.eicar_appended_to_jpeg()).format == "JPEG"


def test_mixed_set_is_all_accepted_with_formats_matching_the_names() -> None:
    extensions = {
        "JPEG": (".jpg", ".jpeg"),
        "PNG": (".png",),
        "GIF": (".gif",),
        "WEBP": (".webp",),
        "TIFF": (".tif", ".tiff"),
        "HEIF": (".heic",),
        "AVIF": (".avif",),
    }
    files = images.mixed_set(14, seed=3)
    assert len({data for _, data in files}) == 14
    assert len({name for name, _ in files}) == 14
    for name, data in files:
        info = inspect(data)
        assert name.lower().endswith(extensions[info.format]), (name, info)
    assert {inspect(data).format for _, data in files} == ALLOWED_FORMATS


# --------------------------------------------------------------------------- refused files

REFUSED = [
    pytest.param(images.empty, "empty_file", "empty", id="empty"),
    pytest.param(images.svg_with_script, "unsupported_type", "SVG", id="svg-with-script"),
    pytest.param(images.html_document, "unsupported_type", "HTML document", id="html"),
    pytest.param(images.pdf_document, "unsupported_type", "PDF document", id="pdf"),
    pytest.param(images.eicar_in_zip, "unsupported_type", "ZIP archive", id="zip-named-jpg"),
    pytest.param(lambda: images.EICAR, "unsupported_type", "text file", id="eicar-plain"),
    pytest.param(lambda: b"red sneakers, size 42\n", "unsupported_type", "text file", id="text"),
    pytest.param(images.random_bytes, "unsupported_type", "not in an image format we recognise", id="random-bytes"),
    pytest.param(bmp, "unsupported_type", "BMP image", id="bmp"),
    pytest.param(images.truncated_jpeg, "corrupt_image", "ends before", id="truncated-jpeg"),
    pytest.param(
        lambda: images.truncated_jpeg(progressive=True), "corrupt_image", "ends before", id="truncated-jpeg-progressive"
    ),
    pytest.param(lambda: images.jpeg()[:200], "corrupt_image", "damaged", id="jpeg-headers-only"),
    pytest.param(images.png_with_bad_idat_crc, "corrupt_image", "checksum", id="png-bad-idat-crc"),
    pytest.param(images.png_with_truncated_idat, "corrupt_image", "ends before", id="png-truncated-zlib"),
    pytest.param(lambda: images.png()[:5000], "corrupt_image", "damaged", id="png-cut-short"),
    pytest.param(lambda: images.gif()[:5000], "corrupt_image", "damaged", id="gif-cut-short"),
    pytest.param(lambda: images.webp()[:3000], "corrupt_image", "damaged", id="webp-cut-short"),
    pytest.param(lambda: images.tiff()[:5000], "corrupt_image", "damaged", id="tiff-cut-short"),
    pytest.param(lambda: images.heic()[:5000], "corrupt_image", "damaged", id="heic-cut-short"),
    pytest.param(lambda: images.avif()[:3000], "corrupt_image", "damaged", id="avif-cut-short"),
    pytest.param(images.huge_png, "too_many_pixels", "20,000 × 20,000", id="huge-png"),
    pytest.param(images.webp_bomb, "too_many_pixels", "16,383 × 16,383", id="webp-bomb"),
    pytest.param(images.gif_with_oversized_frame, "too_many_pixels", "20,000 × 20,000", id="gif-oversized-frame"),
    pytest.param(images.tiff_with_huge_page, "too_many_pixels", "20,000 × 20,000", id="tiff-huge-second-page"),
    pytest.param(
        lambda: images.jpeg_claiming(65000, 65000), "too_many_pixels", "65,000 × 65,000", id="jpeg-header-65000px"
    ),
]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning", "ignore:Corrupt EXIF data:UserWarning")
@pytest.mark.parametrize(("make", "code", "phrase"), REFUSED)
def test_refuses_with_code_and_a_sentence_a_person_can_act_on(
    make: Callable[[], bytes], code: str, phrase: str
) -> None:
    error = rejection(make())
    assert error.code == code
    assert_sentence(error.detail)
    assert phrase in error.detail
    if code in ("empty_file", "unsupported_type"):
        assert error.detail.endswith(ACCEPTED_FORMATS_SENTENCE)
    if code == "too_many_pixels":
        assert "the limit is 160 megapixels" in error.detail
    if code == "corrupt_image":
        assert "re-export it and upload again" in error.detail


@pytest.fixture(scope="module")
def jpeg_12mp() -> bytes:
    return images.jpeg_of_megapixels(12)


@pytest.fixture(scope="module")
def jpeg_12mp_progressive() -> bytes:
    return images.jpeg(4000, 3000, progressive=True)


@pytest.mark.parametrize("keep", [0.6, 0.95, 0.999], ids=["60pct", "95pct", "99.9pct"])
@pytest.mark.parametrize("variant", ["baseline", "progressive"])
def test_truncated_12mp_jpeg_is_caught_by_the_scaled_decode(
    variant: str, keep: float, jpeg_12mp: bytes, jpeg_12mp_progressive: bytes
) -> None:
    data = jpeg_12mp if variant == "baseline" else jpeg_12mp_progressive
    assert inspect(data) == ImageInfo("JPEG", "image/jpeg", 4000, 3000)
    assert rejection(data[: int(len(data) * keep)]).code == "corrupt_image"


def test_jpeg_missing_only_the_last_100_bytes_is_caught(jpeg_12mp: bytes) -> None:
    assert rejection(jpeg_12mp[:-100]).code == "corrupt_image"


# --------------------------------------------------------------------------- pixel limit


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(images.jpeg, id="jpeg"),
        pytest.param(images.png, id="png"),
        pytest.param(images.gif, id="gif"),
        pytest.param(images.webp, id="webp"),
        pytest.param(images.tiff, id="tiff"),
        pytest.param(images.heic, id="heic"),
        pytest.param(images.avif, id="avif"),
    ],
)
def test_pixel_limit_is_inclusive_and_applies_to_every_format(make: Callable[..., bytes]) -> None:
    data = make(100, 50)
    assert inspect(data, max_pixels=5000).width == 100
    error = rejection(data, max_pixels=4999)
    assert error.code == "too_many_pixels"
    assert "100 × 50 pixels" in error.detail
    assert "the limit is 0 megapixels" not in error.detail  # rounding must not hide the limit entirely


def test_limit_message_gives_megapixels() -> None:
    error = rejection(images.png(400, 300), max_pixels=100_000)
    assert error.detail == (
        "This image is 400 × 300 pixels (0.12 megapixels); the limit is 0.1 megapixels. Resize it and upload again."
    )


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(images.huge_png, id="huge-png"),
        pytest.param(images.webp_bomb, id="webp-bomb"),
        pytest.param(images.gif_with_oversized_frame, id="gif-oversized-frame"),
        pytest.param(images.tiff_with_huge_page, id="tiff-huge-page"),
        pytest.param(lambda: images.jpeg_claiming(14000, 14000), id="jpeg-header-196mp"),
    ],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bombs_are_refused_from_the_header_without_decoding(
    make: Callable[[], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = make()
    decodes: list[str] = []
    real_load = ImageFile.ImageFile.load

    def spy_load(self: ImageFile.ImageFile) -> object:
        decodes.append(str(self.format))
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy_load)
    started = time.perf_counter()
    assert rejection(data).code == "too_many_pixels"
    assert time.perf_counter() - started < 0.5
    assert decodes == []


def test_huge_png_refusal_keeps_peak_memory_small() -> None:
    # A fresh interpreter, so its peak RSS is not hidden by what earlier tests allocated.
    script = textwrap.dedent(
        """
        import io, json, resource, time
        from core.errors import FileRejected
        from core.images.validation import inspect_image
        from tests.fixtures.images import huge_png, png

        data = huge_png(20000, 20000)  # Pillow keeps 1-bit pixels in a byte each: 400 MB if decoded
        inspect_image(io.BytesIO(png(64, 48)), max_pixels=160_000_000)  # warm up
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            inspect_image(io.BytesIO(data), max_pixels=160_000_000)
            code = None
        except FileRejected as error:
            code = error.code
        seconds = time.perf_counter() - started
        growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(json.dumps({"code": code, "seconds": seconds, "growth_kb": growth_kb}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONWARNINGS": "ignore"}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["code"] == "too_many_pixels"
    assert result["seconds"] < 0.1
    assert result["growth_kb"] < 20 * 1024


def test_pillow_bomb_guard_never_refuses_what_our_limit_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; 60 × 60 would trip both.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert inspect(images.png(60, 60), max_pixels=5000).width == 60
    assert Image.MAX_IMAGE_PIXELS == 5000


def test_pillow_bomb_guard_is_never_lowered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10**9)
    inspect(images.png(60, 60), max_pixels=5000)
    assert Image.MAX_IMAGE_PIXELS == 10**9


# --------------------------------------------------------------------------- frame counts


def test_gif_with_more_frames_than_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_GIF_FRAMES", 4)
    assert inspect(images.gif(32, 32, frames=4)).format == "GIF"
    error = rejection(images.gif(32, 32, frames=5))
    assert error.code == "unsupported_type"
    assert "more than 4 frames" in error.detail


def test_tiff_with_more_pages_than_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_TIFF_PAGES", 3)
    assert inspect(images.tiff(32, 32, pages=3)).format == "TIFF"
    error = rejection(images.tiff(32, 32, pages=4))
    assert error.code == "unsupported_type"
    assert "more than 3 pages" in error.detail


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: images.jpeg(96, 64), id="jpeg"),
        pytest.param(lambda: images.png(96, 64), id="png"),
        pytest.param(lambda: images.gif(96, 64, frames=2), id="gif"),
        pytest.param(lambda: images.webp(96, 64), id="webp"),
        pytest.param(lambda: images.tiff(96, 64), id="tiff"),
        pytest.param(lambda: images.heic(96, 64), id="heic"),
        pytest.param(lambda: images.avif(96, 64), id="avif"),
    ],
)
@pytest.mark.filterwarnings("ignore")
def test_mangled_files_are_accepted_or_refused_never_crash(make: Callable[[], bytes]) -> None:
    original = make()
    rng = random.Random(1234)
    outcomes: set[str] = set()
    for _ in range(40):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(len(data))
            data[position] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(1, len(data))]
        source = io.BytesIO(bytes(data))
        try:
            inspect_image(source, max_pixels=LIMIT)
            outcomes.add("accepted")
        except FileRejected as error:
            assert error.code in ("unsupported_type", "corrupt_image", "too_many_pixels", "empty_file")
            assert_sentence(error.detail)
            outcomes.add(error.code)
        assert source.tell() == 0
    assert outcomes & {"corrupt_image", "unsupported_type"}  # the mangling did damage something


def test_unexpected_decoder_exception_becomes_corrupt_image(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: ImageFile.ImageFile) -> None:
        raise RuntimeError("decoder state machine confused")

    monkeypatch.setattr(ImageFile.ImageFile, "load", explode)
    error = rejection(images.gif(32, 32))
    assert error.code == "corrupt_image"
    assert "decoder state machine confused" not in error.detail  # internals stay out of the sentence


def test_memory_error_while_decoding_is_reported_as_too_many_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    def out_of_memory(self: ImageFile.ImageFile) -> None:
        raise MemoryError

    monkeypatch.setattr(ImageFile.ImageFile, "load", out_of_memory)
    error = rejection(images.gif(32, 24))
    assert error.code == "too_many_pixels"
    assert "32 × 24" in error.detail


def test_refuses_to_validate_when_truncated_images_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        inspect(images.truncated_jpeg())


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(images.jpeg(64, 48), id="accepted"),
        pytest.param(images.truncated_jpeg(), id="corrupt"),
        pytest.param(images.html_document(), id="unsupported"),
        pytest.param(images.huge_png(), id="too-many-pixels"),
    ],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_source_is_read_from_the_start_and_left_at_the_start(data: bytes) -> None:
    source = io.BytesIO(data)
    source.seek(len(data) // 2)
    with contextlib.suppress(FileRejected):
        inspect_image(source, max_pixels=LIMIT)
    assert source.tell() == 0
    assert not source.closed


def test_works_on_a_spooled_upload_file_rolled_to_disk() -> None:
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=1024) as upload:
        upload.write(images.png(200, 150))
        info = inspect_image(upload, max_pixels=LIMIT)
        assert (info.format, info.width) == ("PNG", 200)
        assert upload.tell() == 0


# --------------------------------------------------------------------------- describe_content


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(images.svg_with_script(), "an SVG drawing", id="svg"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "an SVG drawing", id="svg-bare"),
        pytest.param(b"\xef\xbb\xbf<!-- exported --><svg></svg>", "an SVG drawing", id="svg-bom-comment"),
        pytest.param(images.html_document(), "an HTML document", id="html"),
        pytest.param(b"<script>alert(1)</script>", "an HTML document", id="html-fragment"),
        pytest.param(b'<?xml version="1.0"?><feed/>', "an XML document", id="xml"),
        pytest.param(images.pdf_document(), "a PDF document", id="pdf"),
        pytest.param(images.eicar_in_zip(), "a ZIP archive", id="zip"),
        pytest.param("Liste des prix — été\n".encode(), "a text file", id="utf8-text"),
        pytest.param(bmp(), "a BMP image", id="bmp"),
        pytest.param(images.jpeg()[:4096], "a JPEG image", id="jpeg"),
        pytest.param(images.webp()[:4096], "a WebP image", id="webp"),
        pytest.param(images.heic()[:4096], "a HEIC image", id="heic"),
        pytest.param(images.avif()[:4096], "an AVIF image", id="avif"),
        pytest.param(b"MZ\x90\x00" + bytes(200), "a Windows program", id="exe"),
        pytest.param(bytes.fromhex("0000001c667479706d703432") + bytes(100), "a video", id="mp4"),
        pytest.param(images.random_bytes(), "an unrecognised kind of file", id="random"),
        pytest.param(b"", "an empty file", id="empty"),
    ],
)
def test_describe_content(head: bytes, expected: str) -> None:
    assert describe_content(head) == expected


# --------------------------------------------------------------------------- sanitize_filename

LONG_STEM = "é" * 300  # NFC: one code point each


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("IMG_1234.JPG", "IMG_1234.JPG", id="plain"),
        pytest.param("Crème brûlée (1).webp", "Crème brûlée (1).webp", id="unicode-kept"),
        pytest.param("../../etc/passwd.jpg", "passwd.jpg", id="dot-dot-slash"),
        pytest.param("C:\\Users\\x\\a.jpg", "a.jpg", id="windows-path"),
        pytest.param("..\\..\\boot.ini\\..\\photo.png", "photo.png", id="backslash-dot-dot"),
        pytest.param("/var/www/photo.png/", "photo.png", id="trailing-slash"),
        pytest.param("photo\x00.jpg", "photo.jpg", id="nul"),
        pytest.param("summer\r\nsale\tbanner.jpg", "summer sale banner.jpg", id="cr-lf-tab"),
        pytest.param("bell\x07\x1b[31mred.png", "bell[31mred.png", id="escape-sequence"),
        pytest.param("invoice_\u202egnp.exe", "invoice_gnp.exe", id="rtl-override"),
        pytest.param("\u2067evil\u2069\u200b\ufeff.jpg", "evil.jpg", id="bidi-isolate-zero-width-bom"),
        pytest.param("  lots   of\u00a0\u00a0space  .jpg  ", "lots of space .jpg", id="whitespace-collapsed"),
        pytest.param("...hidden.jpg...", "hidden.jpg", id="dots-trimmed"),
        pytest.param("Cre\u0300me bru\u0302le\u0301e.jpg", "Crème brûlée.jpg", id="nfc"),
        pytest.param("می\u200cخواهم.jpg", "می\u200cخواهم.jpg", id="persian-zwnj-kept"),
        pytest.param("", "unnamed", id="empty"),
        pytest.param("...", "unnamed", id="dots-only"),
        pytest.param(" . . ", "unnamed", id="spaces-and-dots"),
        pytest.param("../", "unnamed", id="parent-dir-only"),
        pytest.param("\u202e\x00", "unnamed", id="controls-only"),
        pytest.param("photo\udcff.jpg", "photo.jpg", id="lone-surrogate"),
        pytest.param(LONG_STEM + ".jpg", "é" * 251 + ".jpg", id="300-char-unicode-capped"),
        pytest.param("e\u0301" * 300 + ".jpeg", "é" * 250 + ".jpeg", id="300-decomposed-capped-after-nfc"),
        pytest.param("写真" * 150 + ".jpeg", ("写真" * 150)[:250] + ".jpeg", id="300-cjk-capped"),
        pytest.param("a" * 300, "a" * 255, id="300-no-extension"),
    ],
)
def test_sanitize_filename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


@pytest.mark.parametrize(
    ("stem", "expected_stem"),
    [
        pytest.param("x" * 250 + "👍🏽" + "y" * 60, "x" * 250, id="skin-tone-modifier"),
        pytest.param("x" * 249 + "👨\u200d👩\u200d👧" + "y" * 60, "x" * 249, id="zwj-family"),
        pytest.param("x" * 250 + "q\u0301" + "y" * 60, "x" * 250, id="combining-mark-without-precomposed-form"),
        pytest.param("x" * 249 + "🇫🇷🇩🇪" + "y" * 60, "x" * 249 + "🇫🇷", id="flag-pair-kept"),
        pytest.param("x" * 250 + "🇫🇷🇩🇪" + "y" * 60, "x" * 250, id="flag-pair-not-split"),
        pytest.param("x" * 250 + "❤\ufe0f" + "y" * 60, "x" * 250, id="variation-selector"),
    ],
)
def test_sanitize_filename_cuts_long_names_between_characters(stem: str, expected_stem: str) -> None:
    result = sanitize_filename(stem + ".png")
    assert result == expected_stem + ".png"
    assert len(result) <= 255


def test_sanitize_filename_respects_max_length_and_keeps_the_extension() -> None:
    assert sanitize_filename("red sneakers final version.jpeg", max_length=16) == "red sneaker.jpeg"
    assert sanitize_filename("photo.averyveryverylongextension", max_length=10) == "photo.aver"
    result = sanitize_filename(LONG_STEM + ".webp", max_length=100)
    assert len(result) == 100 and result.endswith(".webp")
    assert unicodedata.is_normalized("NFC", result)
