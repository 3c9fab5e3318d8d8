"""Proposing, de-duplicating and validating image filenames. Pure functions, no I/O.

A proposed stem is: the main subject first, then up to `max_keywords` batch keywords
(never repeating a word), then descriptors as room allows (dominant colour, place, a
few words of visible text, the original filename's words when they were not the
subject, more labels). Without a subject the name falls back to the keywords, or to
descriptive words, plus `fallback_number`, so it is never empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from core.errors import UnsupportedMediaType, ValidationFailed
from core.naming.alt_text import make_alt_text
from core.naming.languages import fold
from core.naming.sources import (
    Subject,
    choose_subject,
    dominant_color,
    filename_phrase,
    keyword_phrases,
    label_phrases,
)
from core.naming.words import (
    IMAGE_EXTENSIONS,
    content_words,
    is_reserved,
    meaningful_words,
    ocr_words,
    slug_words,
)
from core.vision.base import Analysis

__all__ = [
    "NamingOptions",
    "Proposal",
    "extension_for_mime",
    "make_alt_text",
    "meaningful_words",
    "normalize_user_name",
    "propose_name",
    "unique_filename",
]

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
_OCR_WORDS = 3
_FALLBACK_WORD = "image"
_UNTITLED_WORD = "untitled"


@dataclass(frozen=True)
class NamingOptions:
    language: str = "en"
    max_length: int = 60  # characters before the extension
    min_words: int = 3
    max_words: int = 6
    max_keywords: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.min_words <= self.max_words:
            raise ValueError(f"need 1 <= min_words <= max_words, got {self.min_words} and {self.max_words}")
        if self.max_length < 10:
            raise ValueError(f"max_length must be at least 10, got {self.max_length}")
        if self.max_keywords < 0:
            raise ValueError(f"max_keywords cannot be negative, got {self.max_keywords}")


@dataclass(frozen=True)
class Proposal:
    stem: str  # "red-leather-handbag-summer-sale"
    extension: str  # "jpg"
    alt_text: str

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.extension}"


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


_Part = Literal["subject", "keywords", "descriptors"]


class _NameBuilder:
    """Collects words in priority order within a word and character budget, never twice.

    Words land in ordered parts (subject, keywords, descriptors), so a subject word added
    late, after the keywords had their turn, still reads before them.
    """

    def __init__(self, *, language: str, max_words: int, max_length: int) -> None:
        self.language = language
        self.max_words = max_words
        self.max_length = max_length
        self.parts: dict[_Part, list[str]] = {"subject": [], "keywords": [], "descriptors": []}
        self._keys: set[str] = set()

    @property
    def words(self) -> list[str]:
        return [word for part in self.parts.values() for word in part]

    def new_words(self, words: Sequence[str]) -> list[str]:
        fresh: list[str] = []
        keys = set(self._keys)
        for word in words:
            key = fold(word, self.language)
            # A single word longer than the whole name is skipped, never cut.
            if key not in keys and len(word) <= self.max_length:
                keys.add(key)
                fresh.append(word)
        return fresh

    def overlaps(self, words: Sequence[str]) -> bool:
        return any(fold(word, self.language) in self._keys for word in words)

    def _fits(self, extra: Sequence[str], *, max_words: int | None = None, max_length: int | None = None) -> bool:
        words = self.words + list(extra)
        word_limit = self.max_words if max_words is None else min(max_words, self.max_words)
        length_limit = self.max_length if max_length is None else min(max_length, self.max_length)
        return len(words) <= word_limit and _length(words) <= length_limit

    def add(self, words: Sequence[str], part: _Part = "descriptors") -> bool:
        """Add the words not yet present, all or none; True when something was added."""
        fresh = self.new_words(words)
        if not fresh or not self._fits(fresh):
            return False
        self._extend(part, fresh)
        return True

    def add_leading(self, words: Sequence[str], *, max_words: int | None = None, max_length: int | None = None) -> None:
        """Add subject words in order while they fit (a subject may lose its tail, never its head).

        The first subject word may use the whole budget; later ones stay within the given caps."""
        for word in self.new_words(words):
            first = not self.parts["subject"]
            if not self._fits([word], max_words=None if first else max_words, max_length=None if first else max_length):
                break
            self._extend("subject", [word])

    def _extend(self, part: _Part, words: Sequence[str]) -> None:
        self.parts[part].extend(words)
        self._keys.update(fold(word, self.language) for word in words)


def _keyword_room(
    phrases: Sequence[tuple[str, ...]], subject: Sequence[str], language: str, limit: int
) -> tuple[int, int]:
    """Words and characters the first `limit` useful keywords would need after the subject."""
    seen = {fold(word, language) for word in subject}
    words = characters = used = 0
    for phrase in phrases:
        if used >= limit:
            break
        fresh = [word for word in phrase if fold(word, language) not in seen]
        if fresh:
            used += 1
            words += len(fresh)
            characters += _length(fresh) + 1
            seen.update(fold(word, language) for word in fresh)
    return words, characters


def _finish(
    content: list[str],
    *,
    fallback: bool,
    descriptors_only: bool,
    number: str,
    orientation: str | None,
    options: NamingOptions,
) -> list[str]:
    """Add the number and padding words a short or subject-less name needs, within the limits."""

    def fits(words: Sequence[str]) -> bool:
        return len(words) <= options.max_words and _length(words) <= options.max_length

    tail = [number] if fallback or descriptors_only or len(content) < options.min_words else []
    # A number added late (the budget did not reserve it) takes the room of trailing words, never the last one.
    while len(content) > 1 and not fits(content + tail):
        content = content[:-1]
    if not fits(content + tail):
        tail = []
    padding: list[str] = []
    if descriptors_only or len(content) + len(tail) < options.min_words:
        padding = [word for word in (orientation, _FALLBACK_WORD) if word and word not in content]
        while padding and not fits(content + padding + tail):
            padding = padding[1:]  # "image" says more than "landscape" on its own
    # "untitled" only where nothing else could pad the name ("image-7" after a keyword "image").
    short = len(content) + len(padding) + len(tail) < options.min_words
    if (
        short
        and not (content and padding)
        and _UNTITLED_WORD not in content
        and fits([_UNTITLED_WORD, *content, *padding, *tail])
    ):
        content = [_UNTITLED_WORD, *content]
    return content + padding + tail


def _collect(
    builder: _NameBuilder,
    subject: Subject | None,
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    max_keywords: int,
) -> None:
    """Subject head, keywords, rest of the subject, then descriptors: each as room allows."""
    language = builder.language
    keyword_words = [phrase.words for phrase in keyword_phrases(keywords, language)]
    if subject is not None and subject.kind != "keyword":
        # Keep room for the batch keywords, but give the subject at least half the name.
        need_words, need_length = _keyword_room(keyword_words, subject.phrase.words, language, max_keywords)
        builder.add_leading(
            subject.phrase.words,
            max_words=max(builder.max_words - need_words, math.ceil(builder.max_words / 2)),
            max_length=max(builder.max_length - need_length, builder.max_length // 2),
        )
    used = 0
    for words in keyword_words:
        if used >= max_keywords:
            break
        if builder.add(words, "keywords"):
            used += 1
    if subject is not None and subject.kind != "keyword":
        builder.add_leading(subject.phrase.words)  # the subject's tail, if the keywords left room

    color = dominant_color(analysis)
    if color is not None and not builder.overlaps(color_words := content_words(color.name, language)):
        builder.add(color_words)
    if analysis is not None and analysis.place is not None:
        place_words = slug_words(analysis.place.name, language)
        if not builder.overlaps(place_words):
            builder.add(place_words)
    for word in ocr_words(analysis.text if analysis else "", language, limit=_OCR_WORDS):
        builder.add([word])
    if subject is None or subject.kind != "filename":
        from_filename = filename_phrase(original_name, language)
        for word in from_filename.words if from_filename else ():
            builder.add([word])
    content_labels, padding_labels = label_phrases(analysis, language)
    for phrase in content_labels + padding_labels[:1]:
        if not builder.overlaps(phrase.words):
            builder.add(phrase.words)


def propose_name(
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    mime_type: str,
    options: NamingOptions = NamingOptions(),
    fallback_number: int = 1,
) -> Proposal:
    """A filename stem, extension and alt text for one image. Same input, same output."""
    if fallback_number < 0:
        raise ValueError(f"fallback_number cannot be negative, got {fallback_number}")
    language = options.language
    extension = extension_for_mime(mime_type)
    number = str(fallback_number)
    if options.max_keywords == 0:
        keywords = []  # keywords switched off: not in the name, so not in the alt text either
    subject = choose_subject(analysis, keywords=keywords, original_name=original_name, language=language)
    # With no subject of its own, the name is keywords or descriptors plus the number.
    tail = [number] if subject is None or subject.kind == "keyword" else []
    builder = _NameBuilder(
        language=language,
        max_words=options.max_words - len(tail),
        max_length=options.max_length - (len(number) + 1 if tail else 0),
    )
    _collect(
        builder, subject, analysis, keywords=keywords, original_name=original_name, max_keywords=options.max_keywords
    )

    words = _finish(
        builder.words,
        fallback=bool(tail),
        # Colour, place or text alone do not say what the picture is; "landscape image" does a little.
        descriptors_only=not builder.parts["subject"] and not builder.parts["keywords"],
        number=number,
        orientation=analysis.orientation if analysis else None,
        options=options,
    )
    stem = "-".join(words)
    if is_reserved(stem):
        stem = f"{stem}-{number}" if options.max_words > 1 else _FALLBACK_WORD
    alt_text = make_alt_text(analysis, keywords=keywords, original_name=original_name, language=language)
    return Proposal(stem=stem, extension=extension, alt_text=alt_text)


def _trim_words(stem: str, max_length: int) -> str:
    words = stem.split("-")
    while words and _length(words) > max_length:
        words.pop()
    return "-".join(words)


def unique_filename(stem: str, extension: str, taken: Collection[str], *, max_length: int = 60) -> str:
    """`stem.ext`, or `stem-2.ext`, `stem-3.ext`, ...: the first not in `taken` (case-insensitive).

    The numbered stem stays within `max_length` by dropping whole trailing words of the stem.
    """
    taken_lower = {name.lower() for name in taken}
    extension = extension.lower()
    base = _trim_words(stem, max_length)
    if base and not is_reserved(base) and f"{base}.{extension}".lower() not in taken_lower:
        return f"{base}.{extension}"
    counter = 2
    while True:
        suffix = str(counter)
        # If not even the first word fits beside the number, the number alone is the name.
        trimmed = _trim_words(stem, max_length - len(suffix) - 1)
        candidate = f"{trimmed}-{suffix}" if trimmed else suffix
        if f"{candidate}.{extension}".lower() not in taken_lower:
            return f"{candidate}.{extension}"
        counter += 1


_TYPED_EXTENSION = re.compile(r"\.\s*([A-Za-z0-9]{2,5})\s*$")


def normalize_user_name(raw: str, *, extension: str, options: NamingOptions = NamingOptions()) -> str:
    """A person's edit as a stem: "My New Name.JPG" -> "my-new-name".

    Same spelling rules as proposals (lowercase ASCII words joined by hyphens), but the
    person's words are kept: no stop words or filler are dropped and one word is enough.
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
    stem = "-".join(slug_words(raw, options.language))
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
            f"for example “{stem}-photo”.",
            code="invalid_name",
        )
    return stem
