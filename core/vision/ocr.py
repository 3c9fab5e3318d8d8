"""Reading text in pictures: a cheap gate, then Tesseract on the text it found.

Tesseract costs 100-300 ms per image, and most product and holiday photos hold no
text, so a gate decides first (about 4 ms on one core for a photo without text, up to
~15 ms on a busy shared machine). It looks for what printed text is made of, on an
~800 px grey copy: strong edges (morphological gradient) forming either word-shaped
blobs (small text, whose letters merge) or runs of at least three letter-sized shapes
of similar height on one baseline (larger text). Each octave of letter heights is
checked separately so that a word is compared with letters of its own size. Natural
textures (grass, gravel, fur, foam) rarely line up that way; when they do the only
cost is one Tesseract run that finds nothing.

The gate also says where the text is, and Tesseract reads only those regions: on a
whole photo its page segmentation and global threshold trip over the texture around
the text, and it takes twice as long.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytesseract
from PIL import Image

log = logging.getLogger(__name__)

GATE_SIDE = 800
# Edge strength (grey levels across 3 px) below which nothing is text. Printed text is
# high-contrast; Otsu alone would call faint texture "edges" on a flat photo.
MIN_EDGE = 48
# Letter-height bands in pixels at GATE_SIDE, an octave each and overlapping, so that
# the capitals and lower case of one word share a band.
HEIGHT_BANDS: tuple[tuple[int, int], ...] = ((8, 16), (12, 24), (16, 32), (24, 48), (32, 64), (48, 96), (64, 128))
# Letters needed on one baseline. Small shapes line up by chance in foliage, gravel
# and fur, so small bands need one more. Tuned on skimage's sample photos (no false
# alarm on any of them) and rendered captions, banners and posters (all found).
MIN_ROW_LETTERS_SMALL = 4
MIN_ROW_LETTERS = 3
SMALL_BAND_BELOW = 24
MIN_WORD_BLOBS = 2
MAX_REGIONS = 24
GROW_STEPS = 4
# Tesseract reads letters some 20-80 px tall best; regions outside are rescaled.
MIN_LETTER_PX = 20
MAX_LETTER_PX = 80

MIN_WORD_CONFIDENCE = 60
# Tesseract turns texture into short confident-looking tokens ("Ay", "eS"); short
# tokens must be surer than long ones. Real short words ("50%", "OFF") score 90+.
SHORT_TOKEN_CHARS = 3
MIN_SHORT_TOKEN_CONFIDENCE = 80
_GRADIENT_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
_TOKEN_EDGES = re.compile(r"^[^\w]+|[^\w%$€£&+#@]+$")


def _resize_long_side(gray: npt.NDArray[np.uint8], side: int) -> npt.NDArray[np.uint8]:
    height, width = gray.shape
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(gray, size, interpolation=interpolation), dtype=np.uint8)


@dataclass(frozen=True)
class TextRegion:
    """Where text seems to be, as fractions of the image width and height."""

    left: float
    top: float
    right: float
    bottom: float
    letter_height: float  # median letter (or word-blob) height, fraction of image height


def find_text(gray: npt.NDArray[np.uint8]) -> list[TextRegion]:
    """Regions of a grey image that probably hold printed text; empty when there is none."""
    gray = _resize_long_side(gray, GATE_SIDE)
    gradient = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, _GRADIENT_KERNEL)
    otsu, _ = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, edges = cv2.threshold(gradient, max(otsu, MIN_EDGE), 255, cv2.THRESH_BINARY)
    _, _, stats, _ = cv2.connectedComponentsWithStats(edges, connectivity=8)
    x, y, w, h, area = (stats[1:, i].astype(np.int32) for i in range(5))
    fill = area / np.maximum(w * h, 1)
    text = np.zeros(len(x), dtype=bool)

    # Small text: the edges of neighbouring letters merge into one blob per word.
    words = (h >= 8) & (h <= 40) & (w >= 3 * h) & (fill >= 0.3) & (fill <= 0.85)
    if np.count_nonzero(words) >= MIN_WORD_BLOBS:
        text |= words

    # Larger text: separate letter-shaped components side by side on one baseline.
    letter = (h >= 8) & (w >= 0.1 * h) & (w <= 1.6 * h) & (fill >= 0.08) & (fill <= 0.85) & (area >= 20)
    centre_x, baseline = x + w / 2, (y + h).astype(np.float64)
    for low, high in HEIGHT_BANDS:
        members = np.flatnonzero(letter & (h >= low) & (h < high))
        needed = MIN_ROW_LETTERS_SMALL if low < SMALL_BAND_BELOW else MIN_ROW_LETTERS
        if len(members) >= needed:
            in_row = _row_letters(centre_x[members], baseline[members], low, gray.shape) >= needed
            text[members[in_row]] = True

    if not text.any():
        return []
    # Letters that touched a neighbour or sat at the end of a line did not qualify on
    # their own; take in similar-sized shapes next to the ones that did.
    shapes = (letter | ((h >= 8) & (w >= 2 * h) & (fill >= 0.08) & (fill <= 0.85))) & ~text
    for _ in range(GROW_STEPS):
        added = _neighbours(x, y, w, h, text, shapes)
        if not added.any():
            break
        text |= added
        shapes &= ~added
    return _regions(x[text], y[text], w[text], h[text], gray.shape)


def _neighbours(
    x: npt.NDArray[np.int32],
    y: npt.NDArray[np.int32],
    w: npt.NDArray[np.int32],
    h: npt.NDArray[np.int32],
    text: npt.NDArray[np.bool_],
    shapes: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Shapes within about a letter of a text component and of a similar height."""
    found, candidates = np.flatnonzero(text), np.flatnonzero(shapes)
    if len(candidates) == 0:
        return np.zeros(len(x), dtype=bool)
    tx, ty, tw, th = (values[found][:, None] for values in (x, y, w, h))
    cx, cy, cw, ch = (values[candidates][None, :] for values in (x, y, w, h))
    near = (
        (ch >= 0.5 * th)
        & (ch <= 2 * th)
        & (cx < tx + tw + th)
        & (cx + cw > tx - th)
        & (cy < ty + th + th)
        & (cy + ch > ty - th)
    )
    added = np.zeros(len(x), dtype=bool)
    added[candidates[near.any(axis=0)]] = True
    return added


def text_likely(gray: npt.NDArray[np.uint8]) -> bool:
    """True when a grey image probably holds printed text worth running Tesseract on."""
    return bool(find_text(gray))


def _row_letters(
    centre_x: npt.NDArray[np.float64], baseline: npt.NDArray[np.float64], letter_height: int, shape: tuple[int, ...]
) -> npt.NDArray[np.float32]:
    """For each letter, the most letters in a window ~3 letters wide and 1/4 letter tall
    around a baseline that contains it."""
    cell = letter_height / 8
    grid = np.zeros((int(shape[0] / cell) + 1, int(shape[1] / cell) + 1), dtype=np.float32)
    rows, columns = (baseline / cell).astype(np.intp), (centre_x / cell).astype(np.intp)
    np.add.at(grid, (rows, columns), 1.0)
    window = (25, 2)
    counts = cv2.boxFilter(grid, -1, window, normalize=False, borderType=cv2.BORDER_CONSTANT)
    best_window = cv2.dilate(counts, cv2.getStructuringElement(cv2.MORPH_RECT, window))
    return np.asarray(best_window[rows, columns], dtype=np.float32)


def _regions(
    x: npt.NDArray[np.int32],
    y: npt.NDArray[np.int32],
    w: npt.NDArray[np.int32],
    h: npt.NDArray[np.int32],
    shape: tuple[int, ...],
) -> list[TextRegion]:
    """Merge letter and word boxes into line/paragraph regions (largest first, capped)."""
    height, width = shape[0], shape[1]
    mask = np.zeros((height, width), dtype=np.uint8)
    for bx, by, bw, bh in zip(x.tolist(), y.tolist(), w.tolist(), h.tolist(), strict=True):
        cv2.rectangle(mask, (bx - bh, by - bh // 3), (bx + bw + bh, by + bh + bh // 3), 255, -1)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    owner = labels[np.clip(y + h // 2, 0, height - 1), np.clip(x + w // 2, 0, width - 1)]
    regions: list[tuple[int, TextRegion]] = []
    for label in np.unique(owner):
        if label == 0:
            continue
        rx, ry, rw, rh, area = stats[label].tolist()
        letter = float(np.median(h[owner == label]))
        region = TextRegion(rx / width, ry / height, (rx + rw) / width, (ry + rh) / height, letter / height)
        regions.append((area, region))
    regions.sort(key=lambda item: -item[0])
    return [region for _, region in regions[:MAX_REGIONS]]


def crops(page: Image.Image, regions: list[TextRegion]) -> list[Image.Image]:
    """The text regions of a page, in reading order, with room around them (the first
    and last letters of a line often failed the gate's tests), very large or very small
    type scaled towards the letter heights Tesseract reads best."""
    width, height = page.size
    pieces: list[Image.Image] = []
    for region in sorted(regions, key=lambda r: (round(r.top, 2), r.left)):
        letter = region.letter_height * height
        box = (
            max(0, int(region.left * width - 1.5 * letter)),
            max(0, int(region.top * height - 0.5 * letter)),
            min(width, int(region.right * width + 1.5 * letter)),
            min(height, int(region.bottom * height + 0.5 * letter)),
        )
        if box[2] - box[0] < 8 or box[3] - box[1] < 8:
            continue
        piece = page.crop(box)
        scale = 1.0
        if letter > MAX_LETTER_PX:
            scale = MAX_LETTER_PX / letter
        elif 0 < letter < MIN_LETTER_PX:
            scale = min(3.0, MIN_LETTER_PX / letter)
        if scale != 1.0:
            size = (max(1, round(piece.width * scale)), max(1, round(piece.height * scale)))
            piece = piece.resize(size, Image.Resampling.BICUBIC)
        pieces.append(piece)
    return pieces


@dataclass(frozen=True)
class OcrResult:
    text: str
    words: int


def _clean(token: str) -> str:
    """Strip stray punctuation; drop tokens that are noise rather than words."""
    token = _TOKEN_EDGES.sub("", token.strip())
    alnum = sum(character.isalnum() for character in token)
    if alnum == 0:
        return ""
    if len(token) == 1:
        return token if token.isdigit() or token in {"a", "A", "I", "&"} else ""
    if alnum / len(token) < 0.5 or len(set(token.lower())) == 1:  # "|-~", "lll", "eee"
        return ""
    return token


def read_text(page: Image.Image, regions: list[TextRegion], *, languages: str, timeout: float) -> OcrResult:
    """Words Tesseract reads in the text regions of a grey page, in reading order.

    Each region is one page of a multi-page TIFF, so a single Tesseract process (one
    model load) reads them all, each with its own threshold and layout analysis.
    """
    pieces = crops(page, regions)
    if not pieces:
        return OcrResult(text="", words=0)
    with tempfile.TemporaryDirectory(prefix="renamer-ocr-") as scratch:
        path = Path(scratch) / "regions.tif"
        pieces[0].save(path, save_all=True, append_images=pieces[1:], compression="tiff_lzw")
        try:
            data = pytesseract.image_to_data(
                str(path), lang=languages, config="--psm 6", output_type=pytesseract.Output.DICT, timeout=timeout
            )
        except RuntimeError as exc:  # pytesseract reports its timeout as RuntimeError
            if "timeout" not in str(exc).lower():
                raise
            log.warning("tesseract timed out after %.1f s; image analysed without text", timeout)
            return OcrResult(text="", words=0)
        except (pytesseract.TesseractError, OSError):  # text is a bonus: never fail the image over it
            log.warning("tesseract failed; image analysed without text", exc_info=True)
            return OcrResult(text="", words=0)

    lines: dict[tuple[int, int, int, int], list[str]] = {}
    for token, confidence, *position in zip(
        data["text"], data["conf"], data["page_num"], data["block_num"], data["par_num"], data["line_num"], strict=True
    ):
        word = _clean(str(token))
        needed = MIN_SHORT_TOKEN_CONFIDENCE if len(word) <= SHORT_TOKEN_CHARS else MIN_WORD_CONFIDENCE
        if word and float(confidence) >= needed:
            key = (int(position[0]), int(position[1]), int(position[2]), int(position[3]))
            lines.setdefault(key, []).append(word)
    words = [word for key in sorted(lines) for word in lines[key]]
    return OcrResult(text=" ".join(words), words=len(words))
