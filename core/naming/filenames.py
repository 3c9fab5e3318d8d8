"""Spelling rules for whole filenames: extensions, numbering duplicates, a person's edits."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from core.errors import UnsupportedMediaType, ValidationFailed
from core.naming.options import DEFAULT_OPTIONS, NamingOptions, separator
from core.naming.words import IMAGE_EXTENSIONS, is_reserved, slug_words

__all__ = ["extension_for_mime", "normalize_user_name", "unique_filename"]

_MIME_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/x-png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tiff",
    "image/heic": "heic",
    "image/heic-sequence": "heic",
    "image/heif": "heif",
    "image/heif-sequence": "heif",
    "image/avif": "avif",
}


def extension_for_mime(mime_type: str) -> str:
    """The lowercase extension for a detected image type: image/jpeg -> jpg."""
    essence = mime_type.split(";", 1)[0].strip().lower()
    try:
        return _MIME_EXTENSIONS[essence]
    except KeyError:
        raise UnsupportedMediaType(
            f"Files of type “{essence or mime_type}” cannot be renamed; use JPEG, PNG, GIF, WebP, TIFF, HEIC, HEIF "
            "or AVIF images.",
            code="unsupported_type",
        ) from None


def _length(words: Sequence[str]) -> int:
    return len("-".join(words))


def _trim_words(stem: str, max_length: int, sep: str) -> str:
    words = stem.split(sep)
    while words and _length(words) > max_length:
        words.pop()
    return sep.join(words)


def unique_filename(
    stem: str, extension: str, taken: Collection[str], *, max_length: int = 60, case_style: str = "kebab"
) -> str:
    """`stem.ext`, or `stem-2.ext`, `stem-3.ext`, ... (`stem_2.ext` in snake case): the first not in
    `taken` (case-insensitive).

    The numbered stem stays within `max_length` by dropping whole trailing words of the stem.
    """
    sep = separator(case_style)
    taken_lower = {name.lower() for name in taken}
    extension = extension.lower()
    base = _trim_words(stem, max_length, sep)
    if base and not is_reserved(base) and f"{base}.{extension}".lower() not in taken_lower:
        return f"{base}.{extension}"
    counter = 2
    while True:
        suffix = str(counter)
        # If not even the first word fits beside the number, the number alone is the name.
        trimmed = _trim_words(stem, max_length - len(suffix) - 1, sep)
        candidate = f"{trimmed}{sep}{suffix}" if trimmed else suffix
        if f"{candidate}.{extension}".lower() not in taken_lower:
            return f"{candidate}.{extension}"
        counter += 1


_TYPED_EXTENSION = re.compile(r"\.\s*([A-Za-z0-9]{2,5})\s*$")


def normalize_user_name(raw: str, *, extension: str, options: NamingOptions = DEFAULT_OPTIONS) -> str:
    """A person's edit as a stem: "My New Name.JPG" -> "my-new-name" ("my_new_name" in snake case).

    Same spelling rules as proposals (lowercase words joined by the case style's separator,
    ASCII unless the batch keeps Unicode letters), but the person's words are kept: no stop
    words or filler are dropped and one word is enough.
    Raises ValidationFailed(code="invalid_name") with a sentence the person can act on.
    """
    if "/" in raw or "\\" in raw:
        raise ValidationFailed(
            "A name cannot contain “/” or “\\”; separate words with spaces or hyphens instead.",
            code="invalid_name",
        )
    typed = _TYPED_EXTENSION.search(raw)
    if typed and typed.group(1).lower() in IMAGE_EXTENSIONS | {extension.lower()}:
        raw = raw[: typed.start()]
    sep = options.separator
    stem = sep.join(slug_words(raw, options.language, unicode=options.unicode))
    if not stem:
        raise ValidationFailed(
            "The name has no letters or digits that can be used in a filename; type a name with at least one.",
            code="invalid_name",
        )
    if len(stem) > options.max_length:
        raise ValidationFailed(
            f"The name is {len(stem)} characters long as a filename (“{stem}”); the limit is "
            f"{options.max_length} characters before the extension, so please shorten it.",
            code="invalid_name",
        )
    if is_reserved(stem):
        raise ValidationFailed(
            f"“{stem}” is a reserved device name on Windows and cannot be used as a filename; add another word, "
            f"for example “{stem}{sep}photo”.",
            code="invalid_name",
        )
    return stem
