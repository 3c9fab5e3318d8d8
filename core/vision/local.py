"""The embedded vision provider: no keys, no network, no model downloads.

It reports what can be measured honestly without an object-recognition model: size and
orientation, dominant colours with names, text (Tesseract), a frontal-face count
(Haar cascade), the camera's EXIF record with the nearest town to its GPS position, and
a nudity flag (NudeNet, see core.vision.safety) unless RENAMER_NUDENET_ENABLED is false.
It never claims to recognise objects: `subject` stays None and labels are derived
only from those measurements (see `_labels`).

Everything works on one reduced decode (JPEG DCT scaling via `draft()`, 512-1024 px on
the long side; other formats are decoded and reduced at once), so a 50-megapixel JPEG
costs about what a 1-megapixel one does. OCR re-decodes moderately larger (1600-2400
px, grey), and only when a cheap gate says there is text.

`width`/`height` are the original image's full size from the header, as displayed: a
4000 × 3000 sensor image with EXIF orientation 6 reports 3000 × 4000.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import BinaryIO, cast

import cv2
import numpy as np
import pytesseract
from PIL import Image

from core.config import get_settings
from core.errors import PermanentError
from core.vision import colors, geocode, ocr
from core.vision.base import Analysis, AnalysisContext, Place, Safety, orientation
from core.vision.exif import PhotoMetadata, read_metadata
from core.vision.faces import FACE_SIDE, MIN_SKIN_FRACTION, Face, FaceDetector, skin_fraction
from core.vision.preview import draft_request, keep_reduced
from core.vision.safety import SOURCE as SAFETY_SOURCE
from core.vision.safety import SafetyClassifier

log = logging.getLogger(__name__)

ANALYSIS_MIN_SIDE = 512  # the JPEG draft scale keeps the long side at least this
ANALYSIS_MAX_SIDE = 1024
OCR_MIN_SIDE = 1600
OCR_MAX_SIDE = 2400
OCR_TIMEOUT_SECONDS = 20.0
PORTRAIT_FACE_HEIGHT = 0.15  # one face this tall (fraction of the image) makes a portrait
TEXT_LABEL_MIN_WORDS = 3
# Skin-toned share of the sample below which NudeNet is not run: an explicit detection at
# NudeNet's 320 px input needs a body part of some tens of pixels, and skin around it; 1 %
# of the picture is far below what a nude figure worth flagging shows.
NUDITY_MIN_SKIN_FRACTION = 0.01
# Bumped when what analyze() returns for the same bytes changes (2: the safety flag).
ANALYSIS_VERSION = "2"

# Same mapping as PIL.ImageOps.exif_transpose. Applied by hand to the reduced copy so
# the EXIF object is not rewritten, and only when the decoder has not already done it
# (Pillow's TIFF reader and pillow-heif apply the orientation themselves).
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_QUARTER_TURNS = frozenset(
    {Image.Transpose.TRANSPOSE, Image.Transpose.ROTATE_270, Image.Transpose.TRANSVERSE, Image.Transpose.ROTATE_90}
)
_HIGH_BIT_DEPTH_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_TESSERACT_LANGUAGES = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld"}


@dataclass(frozen=True)
class _Decoded:
    image: Image.Image  # RGB (or L when decoded grey), displayed orientation, reduced
    alpha: Image.Image | None  # "L" opacity of `image` when the picture has transparency
    width: int  # the original's full size, as displayed
    height: int
    reduced: bool  # False when `image` is the original resolution
    metadata: PhotoMetadata
    exif_ms: float


def _undecodable(exc: BaseException) -> PermanentError:
    return PermanentError(
        "The file could not be decoded as an image; it may be truncated or corrupt.",
        code="undecodable",
        extra={"reason": f"{type(exc).__name__}: {exc}"},
    )


def _to_8_bit(image: Image.Image) -> Image.Image:
    values = np.asarray(image, dtype=np.float64)
    top = 65535.0 if values.max(initial=0) > 255 else 255.0
    return Image.fromarray(np.clip(values * (255.0 / top), 0, 255).astype(np.uint8), "L")


def _normalise_mode(image: Image.Image, *, grey: bool) -> tuple[Image.Image, Image.Image | None]:
    """RGB (or L) pixels flattened on white, plus the opacity when there is any."""
    if image.mode in _HIGH_BIT_DEPTH_MODES:
        image = _to_8_bit(image)
    alpha: Image.Image | None = None
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        opacity = rgba.getchannel("A")
        lowest = cast(tuple[int, int], opacity.getextrema())[0]
        if lowest < 255:
            alpha = opacity
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=opacity)
            image = flat
        else:
            image = rgba
    target = "L" if grey else "RGB"
    return (image if image.mode == target else image.convert(target)), alpha


def _decode(source: BinaryIO, *, min_side: int, max_side: int, grey: bool, max_pixels: int) -> _Decoded:
    start = source.tell()
    try:
        with Image.open(source) as img:
            header_width, header_height = img.size
            if header_width * header_height > max_pixels:
                raise PermanentError(
                    f"The image is {header_width} × {header_height} pixels, more than the "
                    f"{max_pixels // 1_000_000} megapixels we analyse.",
                    code="too_many_pixels",
                )
            started = time.perf_counter()
            # For PNG, getexif() decodes every pixel looking for an eXIf chunk after the
            # image data (hundreds of MB at 50 MP); a chunk before it is already in info.
            exif = img.getexif() if img.format != "PNG" or "exif" in img.info else Image.Exif()
            metadata = read_metadata(exif)
            header_orientation = exif.get(0x0112)
            file_orientation = img.info.get("original_orientation", metadata.orientation)
            if isinstance(file_orientation, int) and 1 <= file_orientation <= 8:
                metadata = PhotoMetadata(metadata.captured_at, metadata.camera, file_orientation, metadata.gps)
            exif_ms = (time.perf_counter() - started) * 1000

            # DCT scaling for JPEG (a no-op for other formats): the decoder never builds
            # the full-resolution bitmap.
            img.draft("L" if grey else "RGB", draft_request(img.size, min_side))
            img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
            img.load()
            reduced = img.size != (header_width, header_height)
            # Loaders that apply the orientation themselves also drop it from the EXIF.
            pending = img.getexif().get(0x0112) if header_orientation is not None else None
            transpose = _TRANSPOSE_FOR_ORIENTATION.get(pending) if isinstance(pending, int) else None
            working: Image.Image = img.transpose(transpose) if transpose is not None else img
            if transpose in _QUARTER_TURNS:
                header_width, header_height = header_height, header_width
            working, alpha = _normalise_mode(working, grey=grey)
            working.load()
    except PermanentError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own, tighter limit for some formats
        raise PermanentError(str(exc), code="too_many_pixels") from exc
    except MemoryError:
        raise
    except Exception as exc:  # decoders raise anything (OSError, SyntaxError, ValueError, struct.error ...)
        raise _undecodable(exc) from exc
    finally:
        source.seek(start)
    return _Decoded(working, alpha, header_width, header_height, reduced, metadata, exif_ms)


def _labels(faces: list[Face], words: int, monochrome: bool) -> list[str]:
    """Words derived from measurements only; nothing here recognises an object.

    One face that fills a good part of the frame is a portrait, a smaller one is just a
    person; two or more faces are a group of people. Three or more words read by OCR
    mean the picture carries text. Nearly no chroma means black and white.
    """
    labels: list[str] = []
    if len(faces) == 1:
        labels.append("portrait" if faces[0].height >= PORTRAIT_FACE_HEIGHT else "person")
    elif len(faces) >= 2:
        labels += ["group", "people"]
    if words >= TEXT_LABEL_MIN_WORDS:
        labels.append("text")
    if monochrome:
        labels.append("black and white")
    return labels


class LocalAnalyzer:
    """VisionProvider that runs in-process on the CPU (see the module docstring)."""

    name = "local"
    remote = False

    def __init__(
        self,
        *,
        ocr_enabled: bool | None = None,
        ocr_timeout: float = OCR_TIMEOUT_SECONDS,
        max_pixels: int | None = None,
        face_side: int = FACE_SIDE,
        nudenet_enabled: bool | None = None,
    ) -> None:
        """Defaults come from settings; `face_side` trades small-face recall for speed
        (faces of at least 24 / face_side of the long side are found)."""
        settings = get_settings()
        self.face_side = face_side
        self.ocr_enabled = settings.ocr_enabled if ocr_enabled is None else ocr_enabled
        self.ocr_timeout = ocr_timeout
        self.max_pixels = settings.max_image_pixels if max_pixels is None else max_pixels
        enabled = settings.nudenet_enabled if nudenet_enabled is None else nudenet_enabled
        self._safety = SafetyClassifier(threshold=settings.nudenet_threshold) if enabled else None
        # The safety switch and threshold change the result for the same bytes, so they
        # are part of the version a cache of analyses is keyed on.
        self.prompt_version = (
            f"{ANALYSIS_VERSION}+nudenet@{self._safety.threshold:g}" if self._safety else ANALYSIS_VERSION
        )
        self._faces = FaceDetector()
        self._languages: frozenset[str] = frozenset()
        self._loaded = False
        self._load_lock = threading.Lock()

    def load(self) -> None:
        """Register the HEIF/AVIF decoders, load the face cascade, build the colour table,
        check Tesseract, open the NudeNet session when enabled. The geocoder is not loaded
        here: it waits for the first GPS tag. Idempotent and thread-safe; analyze() calls
        it if nobody did."""
        with self._load_lock:
            if self._loaded:
                return
            import pillow_avif  # noqa: F401  (registers the AVIF decoder on import)
            import pillow_heif

            pillow_heif.register_heif_opener()
            # Workers scale by processes, one per core; the libraries' own thread pools
            # would only oversubscribe the cores (and OpenMP makes Tesseract slower).
            cv2.setNumThreads(1)
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            self._faces.load()
            colors.name_lut()
            if self._safety is not None:
                self._safety.load()
            if self.ocr_enabled:
                try:
                    self._languages = frozenset(pytesseract.get_languages(config=""))
                except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
                    log.error("tesseract is not available; OCR is disabled for this process")
                    self.ocr_enabled = False
            self._loaded = True

    def check(self) -> None:
        """Loading is the whole check: nothing here has a key or an endpoint. Raises
        ProviderMisconfigured when NudeNet's model is missing or unreadable."""
        self.load()

    def analyze(self, source: BinaryIO, *, context: AnalysisContext) -> Analysis:
        if not self._loaded:
            self.load()
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 2)
            clock = now

        decoded = _decode(
            source, min_side=ANALYSIS_MIN_SIDE, max_side=ANALYSIS_MAX_SIDE, grey=False, max_pixels=self.max_pixels
        )
        lap("decode")
        if decoded.alpha is None:
            # The review thumbnail is made from this decode, not from a second one of the original.
            keep_reduced(source, source.tell(), decoded.image)
        timings["decode"] = round(timings["decode"] - decoded.exif_ms, 2)
        timings["exif"] = round(decoded.exif_ms, 2)

        pixels = colors.sample_pixels(decoded.image, decoded.alpha)
        found_colors = colors.dominant_colors(pixels)
        monochrome = colors.is_monochrome(pixels)
        lap("colors")

        gray = np.asarray(decoded.image.convert("L"))
        skin = skin_fraction(pixels)
        faces = self._faces.detect(gray, side=self.face_side) if monochrome or skin >= MIN_SKIN_FRACTION else []
        lap("faces")

        safety: Safety | None = None
        if self._safety is not None:
            # The same skin gate, wider: nudity worth flagging shows skin over a good part of the
            # picture, so a colour photo with almost none (most product shots) skips the model.
            if monochrome or skin >= NUDITY_MIN_SKIN_FRACTION:
                safety = self._safety.classify(decoded.image)
            else:
                safety = Safety(flagged=False, reasons=[], source=SAFETY_SOURCE, score=None)
            lap("safety")

        text, words = "", 0
        if self.ocr_enabled:
            regions = ocr.find_text(gray)
            lap("ocr_gate")
            if regions:
                text, words = self._read_text(source, decoded, regions, context)
                lap("ocr")

        place: Place | None = None
        if decoded.metadata.gps is not None:
            if not geocode.is_loaded():
                geocode.load()
                lap("geocoder_load")
            place = geocode.nearest_place(*decoded.metadata.gps)
            lap("geocode")

        shape, aspect_ratio = orientation(decoded.width, decoded.height)
        return Analysis(
            provider=self.name,
            width=decoded.width,
            height=decoded.height,
            orientation=shape,
            aspect_ratio=aspect_ratio,
            labels=_labels(faces, words, monochrome),
            colors=found_colors,
            text=text,
            faces=len(faces),
            captured_at=decoded.metadata.captured_at,
            camera=decoded.metadata.camera,
            exif_orientation=decoded.metadata.orientation,
            place=place,
            safety=safety,
            timings_ms=timings,
        )

    def _read_text(
        self, source: BinaryIO, decoded: _Decoded, regions: list[ocr.TextRegion], context: AnalysisContext
    ) -> tuple[str, int]:
        # Small type needs real pixels, not the 1024 px copy scaled up: decode again,
        # larger and grey (still DCT-scaled for a big JPEG).
        if decoded.reduced:
            page = _decode(
                source, min_side=OCR_MIN_SIDE, max_side=OCR_MAX_SIDE, grey=True, max_pixels=self.max_pixels
            ).image
        else:
            page = decoded.image.convert("L")
        languages = self._tesseract_languages(context.language)
        result = ocr.read_text(page, regions, languages=languages, timeout=self.ocr_timeout)
        return result.text, result.words

    def _tesseract_languages(self, language: str) -> str:
        wanted = _TESSERACT_LANGUAGES.get(language.split("-")[0].lower())
        if wanted and wanted != "eng" and wanted in self._languages:
            return f"{wanted}+eng"
        return "eng"
