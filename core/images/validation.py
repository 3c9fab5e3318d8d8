"""Upload validation: what a file really is, whether it decodes, and a safe display name.

The upload flow calls `inspect_image` for every file after the size limit and before
the virus scan. The type comes from the bytes alone (never the name or the client's
Content-Type) and a file is accepted only when one of the seven allowed decoders
claims it. Dimensions are read from the header (Pillow's `Image.open` is lazy) and
checked against the pixel limit before anything is decoded, so a decompression bomb
is refused without allocating its pixels. Only then is the first frame decoded to
catch truncated or damaged files.

Every refusal is a `FileRejected` with a machine-readable code (empty_file,
unsupported_type, too_many_pixels, corrupt_image) and a sentence the uploader can act on.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import struct
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Final

import pillow_avif  # noqa: F401  (importing registers the AVIF decoder with Pillow)
import pillow_heif
import puremagic
from PIL import Image, ImageFile, UnidentifiedImageError

from core.errors import FileRejected

pillow_heif.register_heif_opener()
# Import every Pillow plugin now rather than inside the first upload's Image.open (~0.1 s).
Image.init()

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImageInfo:
    format: str  # Pillow format: "JPEG", "PNG", "GIF", "WEBP", "TIFF", "HEIF", "AVIF"
    mime_type: str
    width: int
    height: int


ALLOWED_FORMATS: frozenset[str] = frozenset({"JPEG", "PNG", "GIF", "WEBP", "TIFF", "HEIF", "AVIF"})

# The order Pillow tries the decoders in. AVIF comes before HEIF because both claim the
# generic "mif1"/"msf1" brands: pillow-avif declines a file that is not AV1, and HEIF
# then gets its turn, whereas the HEIF opener would fail an AV1 file outright.
_OPEN_ORDER: Final = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "AVIF", "HEIF")

_MIME_TYPES: Final = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "HEIF": "image/heif",
    "AVIF": "image/avif",
}

ACCEPTED_FORMATS_SENTENCE: Final = "Upload JPEG, PNG, GIF, WebP, TIFF, HEIC or AVIF files."

# Walking frame headers is cheap per frame but not free; a hostile file can hold
# millions of empty frames. Real animations and multi-page scans stay far below these.
MAX_GIF_FRAMES: Final = 20_000
MAX_TIFF_PAGES: Final = 1_000

_HEAD_BYTES: Final = 4096
_UNKNOWN_CONTENT: Final = "an unrecognised kind of file"


# --------------------------------------------------------------------------- inspect_image


def inspect_image(source: BinaryIO, *, max_pixels: int, on_identified: Callable[[], None] | None = None) -> ImageInfo:
    """Identify an upload from its bytes, refuse bombs by their header, and decode it once.

    Raises `FileRejected` (empty_file, unsupported_type, too_many_pixels, corrupt_image).
    `source` must be seekable; it is left at position 0 whatever happens. `on_identified` is
    called once the type and the pixel limit have passed, just before the decode check (the
    upload flow starts the virus scan there, to run alongside the decode).

    Memory beyond the file itself, measured on 12 MP photos (peak RSS growth): baseline
    JPEG < 1 MB (decoded at 1/8 scale, luma only); progressive JPEG 35 MB (libjpeg keeps
    a whole-image coefficient buffer, ~3 bytes/pixel at 4:2:0, ~6 at 4:4:4); PNG and TIFF
    46 MB (~4 bytes/pixel, Pillow's widest storage); HEIC and AVIF ~105 MB (~9 bytes/pixel,
    the decoder's planes plus Pillow's copy); WebP 185 MB (~15 bytes/pixel: libwebp's two
    RGBA canvases plus Pillow's). Worst case is those rates times the pixel limit: at the
    default 160 MP about 0.65 GB for PNG/TIFF, 1.5 GB for HEIC/AVIF and 2.4 GB for WebP
    (WebP cannot exceed 16383 × 16383 = 268 MP anyway).
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A process-wide switch some other module could flip; with it on, truncated
        # files would pass as valid, so refuse to run rather than validate wrongly.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is set; upload validation cannot detect truncation")
    _align_pillow_bomb_guard(max_pixels)
    try:
        source.seek(0)
        head = source.read(_HEAD_BYTES)
        if not head:
            raise FileRejected(
                f"This file is empty (0 bytes). {ACCEPTED_FORMATS_SENTENCE}",
                code="empty_file",
            )
        return _inspect(source, head, max_pixels, on_identified)
    finally:
        source.seek(0)


def _align_pillow_bomb_guard(max_pixels: int) -> None:
    """Keep Pillow's own decompression-bomb guard as a backstop at least as high as our limit.

    Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that, inside `Image.open`
    and before allocating frames. Left at its default (89.5 MP) it would warn about
    every accepted image between that and our limit; raised to our limit it still stops
    anything more than twice as large before a decoder could allocate it. It only ever
    goes up, so concurrent calls cannot lower it under each other.
    """
    current = Image.MAX_IMAGE_PIXELS
    if current is not None and current < max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels


def _inspect(source: BinaryIO, head: bytes, max_pixels: int, on_identified: Callable[[], None] | None) -> ImageInfo:
    source.seek(0)
    try:
        image = Image.open(source, formats=_OPEN_ORDER)
    except Image.DecompressionBombError:
        raise _too_many_pixels(_header_size(source), max_pixels) from None
    except MemoryError:
        raise _too_many_pixels(None, max_pixels) from None
    except UnidentifiedImageError:
        claimed = _allowed_signature(head)
        if claimed is not None:
            raise _corrupt(f"its {_FORMAT_WORDS[claimed]} header could not be read") from None
        raise _unsupported(head) from None
    except Exception as exc:  # a decoder claimed the file, then failed on its header
        raise _corrupt("its header could not be read", exc) from None

    with image:
        fmt = "JPEG" if image.format == "MPO" else str(image.format)
        width, height = image.size
        with _refusing_failures((width, height), max_pixels):
            _check_pixels(width, height, max_pixels)
            _check_frames(image, fmt, source, max_pixels)
        if on_identified is not None:
            on_identified()
        with _refusing_failures((width, height), max_pixels):
            _check_decodes(image, fmt, source)
            mime_type = _mime_type(image, fmt)
    return ImageInfo(format=fmt, mime_type=mime_type, width=width, height=height)


@contextmanager
def _refusing_failures(size: tuple[int, int], max_pixels: int) -> Iterator[None]:
    """Whatever a decoder raises becomes the file's refusal: hostile input can make any decoder raise anything."""
    try:
        yield
    except FileRejected:
        raise
    except (Image.DecompressionBombError, MemoryError):
        raise _too_many_pixels(size, max_pixels) from None
    except Exception as exc:
        raise _corrupt(_decode_failure_reason(exc), exc) from None


def _decode_failure_reason(exc: Exception) -> str:
    message = str(exc).lower()
    if "truncated" in message or "end of file" in message:
        return "the file ends before the image does"
    if "checksum" in message or "crc" in message:
        return "a checksum does not match"
    return "it could not be decoded"


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_many_pixels((width, height), max_pixels)


def _check_frames(image: Image.Image, fmt: str, source: BinaryIO, max_pixels: int) -> None:
    """Check every frame's size from headers only.

    JPEG has one frame. PNG (APNG), WebP and AVIF frames must lie inside the canvas,
    which their decoders enforce and `image.size` already reports. GIF, TIFF and HEIF
    frames carry their own sizes.
    """
    if fmt == "GIF":
        canvas, frames = _gif_canvas(source)
        if frames > MAX_GIF_FRAMES:
            raise FileRejected(
                f"This GIF has more than {MAX_GIF_FRAMES:,} frames, more than we can process. "
                "Upload a shorter animation or a still image.",
                code="unsupported_type",
            )
        _check_pixels(*canvas, max_pixels)
    elif fmt == "TIFF":
        _check_tiff_pages(image, max_pixels)
    elif fmt == "HEIF":
        # pillow-heif parses the whole container on open; sizes come from its item
        # properties, no pixels are decoded. (Its seek() would allocate a frame.)
        for item in getattr(image, "_heif_file", None) or ():
            item_width, item_height = item.size
            _check_pixels(item_width, item_height, max_pixels)


def _check_tiff_pages(image: Image.Image, max_pixels: int) -> None:
    # Each seek reads one IFD (tags only); Pillow stops at an IFD loop. Not `n_frames`,
    # which would walk every IFD before we could stop at the cap.
    page = 1
    while True:
        try:
            image.seek(page)
        except EOFError:
            break
        _check_pixels(*image.size, max_pixels)
        page += 1
        if page > MAX_TIFF_PAGES:
            raise FileRejected(
                f"This TIFF has more than {MAX_TIFF_PAGES:,} pages, more than we can process. "
                "Upload the pages you need as separate images.",
                code="unsupported_type",
            )
    image.seek(0)


def _check_decodes(image: Image.Image, fmt: str, source: BinaryIO) -> None:
    if fmt == "JPEG":
        # DCT scaling to 1/8 (and luma only) skips most of the IDCT and colour work but
        # still entropy-decodes every MCU, so a file cut short still fails: measured on
        # 12 MP baseline and progressive files cut anywhere from 60% to 100 bytes short.
        width, height = image.size
        image.draft("L", (max(1, width // 8), max(1, height // 8)))
        image.load()
    elif fmt == "PNG":
        # load() does not check chunk CRCs, verify() does (and nothing else), so both.
        # verify() consumes the image object, so decode from a fresh open.
        image.verify()
        source.seek(0)
        with Image.open(source, formats=["PNG"]) as again:
            again.load()
    else:
        image.load()


def _mime_type(image: Image.Image, fmt: str) -> str:
    if fmt == "HEIF":
        # pillow-heif reports image/heic for HEVC-coded files, image/heif otherwise
        # (and *-sequence variants, which we fold into the still-image type).
        custom = str(getattr(image, "custom_mimetype", "") or "")
        return "image/heic" if custom.startswith("image/heic") else "image/heif"
    return _MIME_TYPES[fmt]


def _header_size(source: BinaryIO) -> tuple[int, int] | None:
    """Dimensions from the header of a file Pillow's bomb guard refused, for the message.

    Calls the same plugin factories `Image.open` uses, which read headers only.
    """
    for fmt in _OPEN_ORDER:
        factory, accept = Image.OPEN[fmt]
        source.seek(0)
        prefix = source.read(16)
        claimed = True if accept is None else accept(prefix)
        if isinstance(claimed, str) or not claimed:
            continue
        source.seek(0)
        try:
            with factory(source, "") as image:
                return image.size
        except Exception:  # noqa: S112  (best effort: the refusal stands without dimensions)
            continue
    return None


# --------------------------------------------------------------------------- GIF frames


def _gif_canvas(source: BinaryIO) -> tuple[tuple[int, int], int]:
    """((width, height), frame count) of the area a GIF's frames cover, from block headers.

    Pillow grows the canvas when a later frame reaches past the logical screen, so the
    largest extent of any frame is what a full decode would allocate.
    """
    source.seek(6)
    screen = source.read(7)
    if len(screen) < 7:
        raise ValueError("GIF header is truncated")
    width, height, flags = struct.unpack("<HHB", screen[:5])
    if flags & 0x80:
        source.seek(3 << ((flags & 7) + 1), io.SEEK_CUR)
    frames = 0
    while frames <= MAX_GIF_FRAMES:
        introducer = source.read(1)
        if introducer == b",":
            descriptor = source.read(9)
            if len(descriptor) < 9:
                break
            left, top, frame_width, frame_height, frame_flags = struct.unpack("<HHHHB", descriptor)
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            frames += 1
            if frame_flags & 0x80:
                source.seek(3 << ((frame_flags & 7) + 1), io.SEEK_CUR)
            source.seek(1, io.SEEK_CUR)  # LZW minimum code size
            _skip_gif_sub_blocks(source)
        elif introducer == b"!":
            source.seek(1, io.SEEK_CUR)  # extension label
            _skip_gif_sub_blocks(source)
        else:  # trailer, end of data, or junk after the last frame (Pillow stops there too)
            break
    return (width, height), frames


def _skip_gif_sub_blocks(source: BinaryIO) -> None:
    size = source.read(1)
    while size and size[0]:
        # Read the block and the next block's size byte in one call.
        block = source.read(size[0] + 1)
        size = block[-1:] if len(block) == size[0] + 1 else b""


# --------------------------------------------------------------------------- refusals


def _megapixels(pixels: int) -> str:
    value = pixels / 1_000_000
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"  # 4,225 / 160 / 12.3 / 0.005


def _too_many_pixels(size: tuple[int, int] | None, max_pixels: int) -> FileRejected:
    limit = f"the limit is {_megapixels(max_pixels)} megapixels"
    if size is None:
        detail = f"This image has more pixels than we can process; {limit}. Resize it and upload again."
    else:
        width, height = size
        detail = (
            f"This image is {width:,} × {height:,} pixels ({_megapixels(width * height)} megapixels); "
            f"{limit}. Resize it and upload again."
        )
    return FileRejected(detail, code="too_many_pixels", extra={"size": size, "max_pixels": max_pixels})


def _corrupt(reason: str, exc: BaseException | None = None) -> FileRejected:
    if exc is not None:
        # The decoder's own words help debugging but mean nothing to the uploader (and
        # `extra` is rendered to clients), so they go to the log only.
        log.info("image refused as corrupt: %s: %.300s", type(exc).__name__, exc)
    return FileRejected(
        f"The image data is damaged or incomplete ({reason}); re-export it and upload again.",
        code="corrupt_image",
    )


def _unsupported(head: bytes) -> FileRejected:
    description, is_image = _describe(head)
    if description == _UNKNOWN_CONTENT:
        detail = f"This file is not in an image format we recognise. {ACCEPTED_FORMATS_SENTENCE}"
    elif is_image:
        detail = f"This file is {description}, a format we do not accept. {ACCEPTED_FORMATS_SENTENCE}"
    else:
        detail = f"This file is {description}, not an image. {ACCEPTED_FORMATS_SENTENCE}"
    return FileRejected(detail, code="unsupported_type", extra={"looks_like": description})


# --------------------------------------------------------------------------- describe_content

_FORMAT_WORDS: Final = {
    "JPEG": "JPEG",
    "PNG": "PNG",
    "GIF": "GIF",
    "WEBP": "WebP",
    "TIFF": "TIFF",
    "HEIF": "HEIC",
    "AVIF": "AVIF",
}
_HEIF_BRANDS: Final = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_ZIP_SIGNATURES: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML_MARKERS: Final = (b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<div", b"<meta", b"<title")
_MARKUP_PREAMBLE: Final = re.compile(rb"^(?:\s+|<!--.*?-->|<\?xml[^>]*\?>)*", re.DOTALL)

# puremagic extensions whose generic description would read badly.
_FRIENDLY_KINDS: Final = {
    ".exe": "a Windows program",
    ".dll": "a Windows program",
    ".msi": "a Windows installer",
    ".elf": "a Linux program",
    ".class": "a Java program",
    ".docx": "a Word document",
    ".doc": "a Word document",
    ".xlsx": "an Excel spreadsheet",
    ".xls": "an Excel spreadsheet",
    ".pptx": "a PowerPoint presentation",
    ".psd": "a Photoshop document",
    ".gz": "a compressed archive",
    ".bz2": "a compressed archive",
    ".xz": "a compressed archive",
    ".7z": "a compressed archive",
    ".rar": "a compressed archive",
    ".tar": "a compressed archive",
}


def describe_content(head: bytes) -> str:
    """A few words, with an article, for what the first bytes of a file look like.

    For messages about refused files: "an HTML document", "an SVG drawing", "a ZIP
    archive", "a PDF document", "a text file", "a BMP image" ... or "an unrecognised
    kind of file". Pass the first few kilobytes.
    """
    return _describe(head)[0]


def _describe(head: bytes) -> tuple[str, bool]:
    """(description, whether it is some kind of image)."""
    if not head:
        return "an empty file", False
    markup = _markup_kind(head)
    if markup is not None:
        return markup, markup == "an SVG drawing"
    if b"%PDF-" in head[:1024]:
        return "a PDF document", False
    if head.startswith(_ZIP_SIGNATURES):
        return "a ZIP archive", False
    claimed = _allowed_signature(head)
    if claimed is not None:
        return _with_article(f"{_FORMAT_WORDS[claimed]} image"), True
    guessed = _puremagic_kind(head)
    if guessed is not None:
        return guessed
    if _looks_like_text(head):
        return "a text file", False
    return _UNKNOWN_CONTENT, False


def _markup_kind(head: bytes) -> str | None:
    text = head.removeprefix(b"\xef\xbb\xbf")
    preamble = _MARKUP_PREAMBLE.match(text)
    body = text[preamble.end() if preamble else 0 :].lower()
    if not body.startswith(b"<"):
        return None
    lowered = text.lower()
    if body.startswith((b"<!doctype html", b"<html")):
        return "an HTML document"
    if body.startswith((b"<svg", b"<!doctype svg")) or b"<svg" in lowered:
        return "an SVG drawing"
    if any(marker in lowered for marker in _HTML_MARKERS):
        return "an HTML document"
    if text.lstrip().startswith(b"<?xml"):
        return "an XML document"
    return None


def _allowed_signature(head: bytes) -> str | None:
    """Which allowed format the magic bytes claim, used to tell "damaged" from "not an image"."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if head[4:8] == b"ftyp":
        box_size = max(16, min(int.from_bytes(head[:4], "big"), len(head)))
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, box_size - 3, 4)}
        if head[8:12] in _AVIF_BRANDS or (head[8:12] in (b"mif1", b"msf1") and brands & _AVIF_BRANDS):
            return "AVIF"
        if brands & _HEIF_BRANDS or head[8:12] in (b"mif1", b"msf1"):
            return "HEIF"
    return None


def _puremagic_kind(head: bytes) -> tuple[str, bool] | None:
    try:
        matches = puremagic.magic_string(head)
    except Exception:  # puremagic raises PureError when nothing matches, and is no judge of hostile input
        return None
    if not matches:
        return None
    extension = str(matches[0].extension or "").lower()
    mime_type = str(matches[0].mime_type or "")
    if extension in _FRIENDLY_KINDS:
        return _FRIENDLY_KINDS[extension], False
    label = extension.lstrip(".").upper()
    if mime_type.startswith("image/"):
        return _with_article(f"{label or 'other'} image"), True
    if mime_type.startswith("video/"):
        return "a video", False
    if mime_type.startswith("audio/"):
        return "an audio file", False
    if label:
        return _with_article(f"{label} file"), False
    return None


def _looks_like_text(head: bytes) -> bool:
    try:
        # Incremental, so a multi-byte character cut at the end of `head` is not an error.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(char.isprintable() or char in "\t\n\r\f\ufeff" for char in text)


def _with_article(noun: str) -> str:
    # Acronyms are read letter by letter ("an SVG", "an MP4") except the ones said as words.
    word = noun.split()[0]
    spoken_as_word = word in ("JPEG", "HEIC", "GIF", "PNG", "WebP", "TIFF")
    vowel_sound = word[:1].upper() in "AEIOU" or (word.isupper() and not spoken_as_word and word[:1] in "FHLMNRSX")
    return f"{'an' if vowel_sound else 'a'} {noun}"


# --------------------------------------------------------------------------- sanitize_filename

_UNNAMED: Final = "unnamed"
# Zero-width (non-)joiners are format characters that some scripts (Persian, Indic,
# emoji sequences) need to render correctly and that cannot reorder text; every other
# Cf character (bidi overrides and isolates, BOM, invisible operators) is dropped.
_KEPT_FORMAT_CHARS: Final = frozenset({"\u200c", "\u200d"})
_MAX_EXTENSION: Final = 16
_PATH_SEPARATORS: Final = re.compile(r"[/\\]")


def sanitize_filename(name: str, *, max_length: int = 255) -> str:
    """The original filename made safe to display: never a path, never invisible tricks, never empty.

    Keeps only the last path component (either separator), drops control and format
    characters (e.g. U+202E, which can make "gnp.exe" display as "exe.png"), turns any
    whitespace into single spaces, trims spaces and dots at the ends, NFC-normalises
    and caps the length at `max_length` characters keeping the extension. Display only:
    never use it in a storage key or a path.
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    cleaned = "".join(_clean_char(char) for char in name)
    components = [part for part in _PATH_SEPARATORS.split(cleaned) if part.strip(" .")]
    cleaned = unicodedata.normalize("NFC", components[-1] if components else "")
    cleaned = " ".join(cleaned.split()).strip(" .")
    if len(cleaned) > max_length:
        cleaned = _shorten(cleaned, max_length)
    return cleaned or _UNNAMED


def _clean_char(char: str) -> str:
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category in ("Cc", "Cs") or (category == "Cf" and char not in _KEPT_FORMAT_CHARS):
        return ""
    return char


def _shorten(name: str, max_length: int) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > _MAX_EXTENSION or " " in extension or len(extension) + 2 > max_length:
        stem, extension = name, ""
    else:
        extension = "." + extension
    cut = _grapheme_boundary(stem, max_length - len(extension))
    stem = stem[:cut].rstrip(" .")
    return (stem + extension) if stem else name[:max_length].rstrip(" .")


def _grapheme_boundary(text: str, limit: int) -> int:
    """The largest cut <= limit that does not split a user-perceived character.

    An approximation of UAX #29 that covers what names actually contain: combining
    marks, variation selectors, emoji skin tones, zero-width joiner sequences and
    flag (regional indicator) pairs.
    """
    cut = limit
    while 0 < cut < len(text) and (_extends_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    if 0 < cut < len(text) and _is_regional_indicator(text[cut]):
        run = 0
        while cut - run > 0 and _is_regional_indicator(text[cut - run - 1]):
            run += 1
        cut -= run % 2
    return cut


def _extends_previous(char: str) -> bool:
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in _KEPT_FORMAT_CHARS
        or "\ufe00" <= char <= "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # emoji skin tones
    )


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"
