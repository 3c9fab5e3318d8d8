"""Proposing, de-duplicating and validating image filenames. Pure functions, no I/O.

A proposed stem is: the main subject first, then up to `max_keywords` batch keywords
(never repeating a word), then descriptors as room allows (the brand the provider read,
its suggested filename words, other objects, attributes such as the material, the colour,
the setting, the landmark and place, a few words of visible text, the original filename's
words when they were not the subject, more labels). Without a subject the name falls back
to the keywords, or to descriptive words, plus `fallback_number`, so it is never empty.

Options (NamingOptions): the language of every word and of the alt text; kebab or snake case;
Unicode letters kept instead of transliterated; a keep pattern whose match in the original
filename (a SKU) ends the name; a template (core.naming.templates) that spells the name; and
`descriptive=False` for a picture flagged unsafe in a batch that keeps such names neutral:
then only the batch brand, keywords and SKU plus the number make the name, and the alt text
names the batch topic without describing the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.naming.alt_text import make_alt_text
from core.naming.filenames import extension_for_mime, normalize_user_name, unique_filename
from core.naming.languages import generic_words
from core.naming.options import DEFAULT_OPTIONS, CaseStyle, NamingOptions, descriptive_allowed, separator
from core.naming.patterns import kept_text
from core.naming.sources import (
    Subject,
    attribute_phrases,
    brand_phrase,
    choose_subject,
    color_phrase,
    filename_phrase,
    keyword_phrases,
    label_phrases,
    object_phrases,
    place_phrases,
    setting_phrase,
    suggested_words,
)
from core.naming.templates import TEMPLATE_FIELDS, render_template, validate_template
from core.naming.words import (
    is_reserved,
    meaningful_words,
    ocr_words,
    slug_words,
    word_fold,
)
from core.vision.base import Analysis

__all__ = [
    "TEMPLATE_FIELDS",
    "CaseStyle",
    "NamingOptions",
    "Proposal",
    "descriptive_allowed",
    "extension_for_mime",
    "make_alt_text",
    "meaningful_words",
    "normalize_user_name",
    "propose_name",
    "separator",
    "unique_filename",
    "validate_template",
]

_OCR_WORDS = 3
_OBJECT_DESCRIPTORS = 2


@dataclass(frozen=True)
class Proposal:
    stem: str  # "red-leather-handbag-summer-sale"
    extension: str  # "jpg"
    alt_text: str

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.extension}"


def _length(words: Sequence[str]) -> int:
    return len("-".join(words))  # one separator character whatever the case style


_Part = Literal["subject", "keywords", "descriptors"]


class _NameBuilder:
    """Collects words in priority order within a word and character budget, never twice.

    Words land in ordered parts (subject, keywords, descriptors), so a subject word added
    late, after the keywords had their turn, still reads before them.
    """

    def __init__(self, *, language: str, max_words: int, max_length: int, reserved: Sequence[str] = ()) -> None:
        self.language = language
        self.max_words = max_words
        self.max_length = max_length
        self.parts: dict[_Part, list[str]] = {"subject": [], "keywords": [], "descriptors": []}
        # Words the name will carry anyway (the SKU): never repeated by a source.
        self._keys: set[str] = {word_fold(word, language) for word in reserved}

    @property
    def words(self) -> list[str]:
        return [word for part in self.parts.values() for word in part]

    def new_words(self, words: Sequence[str]) -> list[str]:
        fresh: list[str] = []
        keys = set(self._keys)
        for word in words:
            key = word_fold(word, self.language)
            # A single word longer than the whole name is skipped, never cut.
            if key not in keys and len(word) <= self.max_length:
                keys.add(key)
                fresh.append(word)
        return fresh

    def overlaps(self, words: Sequence[str]) -> bool:
        return any(word_fold(word, self.language) in self._keys for word in words)

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

    def add_new(self, words: Sequence[str]) -> bool:
        """Add a phrase that shares no word with the name yet (a colour or place said twice reads badly)."""
        return bool(words) and not self.overlaps(words) and self.add(words)

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
        self._keys.update(word_fold(word, self.language) for word in words)


def _keyword_room(
    phrases: Sequence[tuple[str, ...]], subject: Sequence[str], language: str, limit: int
) -> tuple[int, int]:
    """Words and characters the first `limit` useful keywords would need after the subject."""
    seen = {word_fold(word, language) for word in subject}
    words = characters = used = 0
    for phrase in phrases:
        if used >= limit:
            break
        fresh = [word for word in phrase if word_fold(word, language) not in seen]
        if fresh:
            used += 1
            words += len(fresh)
            characters += _length(fresh) + 1
            seen.update(word_fold(word, language) for word in fresh)
    return words, characters


@dataclass(frozen=True)
class _Ending:
    """What closes a name: the SKU (always) or the number (when the name needs one), and padding."""

    tail: list[str]  # the SKU's words, or the number
    always: bool  # a SKU is always kept; a number only when the name needs it
    padding: list[str]  # ["landscape", "image"]: words that make a short name readable
    untitled: list[str]  # ["untitled"]: only where nothing else could pad the name


def _finish(
    content: list[str], *, fallback: bool, descriptors_only: bool, ending: _Ending, options: NamingOptions
) -> list[str]:
    """Add the number and padding words a short or subject-less name needs, within the limits."""

    def fits(words: Sequence[str]) -> bool:
        return len(words) <= options.max_words and _length(words) <= options.max_length

    needed = ending.always or fallback or descriptors_only or len(content) < options.min_words
    tail = list(ending.tail) if needed else []
    # A number added late (the budget did not reserve it) takes the room of trailing words, never the last one.
    while len(content) > 1 and not fits(content + tail):
        content = content[:-1]
    if not fits(content + tail):
        tail = []
    padding: list[str] = []
    if descriptors_only or len(content) + len(tail) < options.min_words:
        padding = [word for word in ending.padding if word and word not in content]
        while padding and not fits(content + padding + tail):
            padding = padding[1:]  # "image" says more than "landscape" on its own
    # "untitled" only where nothing else could pad the name ("image-7" after a keyword "image").
    untitled = ending.untitled
    short = len(content) + len(padding) + len(tail) < options.min_words
    if (
        short
        and not (content and padding)
        and not set(untitled) <= set(content)
        and fits([*untitled, *content, *padding, *tail])
    ):
        content = [*untitled, *content]
    return content + padding + tail


def _collect(
    builder: _NameBuilder,
    subject: Subject | None,
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    options: NamingOptions,
) -> None:
    """Subject head, keywords, rest of the subject, then descriptors: each as room allows."""
    language, unicode = options.language, options.unicode
    keyword_words = [phrase.words for phrase in keyword_phrases(keywords, language, unicode=unicode)]
    if subject is not None and subject.kind != "keyword":
        # Keep room for the batch keywords, but give the subject at least half the name.
        need_words, need_length = _keyword_room(keyword_words, subject.phrase.words, language, options.max_keywords)
        builder.add_leading(
            subject.phrase.words,
            max_words=max(builder.max_words - need_words, math.ceil(builder.max_words / 2)),
            max_length=max(builder.max_length - need_length, builder.max_length // 2),
        )
    used = 0
    for words in keyword_words:
        if used >= options.max_keywords:
            break
        if builder.add(words, "keywords"):
            used += 1
    if subject is not None and subject.kind != "keyword":
        builder.add_leading(subject.phrase.words)  # the subject's tail, if the keywords left room

    brand = brand_phrase(analysis, options.brand, language, unicode=unicode, seen_only=True)
    if brand is not None:
        builder.add_new(brand.words)
    for word in suggested_words(analysis, language, unicode=unicode):
        builder.add([word])  # asked for as filename words: each one is worth its place
    added = 0
    for phrase in object_phrases(analysis, language, unicode=unicode):
        if added >= _OBJECT_DESCRIPTORS:
            break
        added += builder.add_new(phrase.words)
    _, others = attribute_phrases(analysis, language, unicode=unicode)
    for phrase in others[:2]:
        builder.add_new(phrase.words)
    color = color_phrase(analysis, language, unicode=unicode)
    if color is not None:
        builder.add_new(color.words)
    setting = setting_phrase(analysis, language, unicode=unicode)
    if setting is not None:
        builder.add_new(setting.words)
    for place in place_phrases(analysis, language, unicode=unicode):
        builder.add_new(place.words)
    for word in ocr_words(analysis.text if analysis else "", language, limit=_OCR_WORDS, unicode=unicode):
        builder.add([word])
    if subject is None or subject.kind != "filename":
        from_filename = filename_phrase(original_name, language, unicode=unicode)
        for word in from_filename.words if from_filename else ():
            builder.add([word])
    content_labels, padding_labels = label_phrases(analysis, language, unicode=unicode)
    for phrase in content_labels + padding_labels[:1]:
        builder.add_new(phrase.words)


def _ending(analysis: Analysis | None, tail: list[str], *, always: bool, options: NamingOptions) -> _Ending:
    generic = generic_words(options.language)
    orientation = generic.orientation.get(analysis.orientation) if analysis and options.descriptive else None
    spell = [*slug_words(orientation or "", options.language, unicode=options.unicode)]
    return _Ending(
        tail=tail,
        always=always,
        padding=[*spell, generic.image],
        untitled=list(generic.untitled),
    )


def _descriptive_words(
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    options: NamingOptions,
    number: str,
    sku: list[str],
) -> list[str]:
    subject = choose_subject(
        analysis, keywords=keywords, original_name=original_name, language=options.language, unicode=options.unicode
    )
    # With no subject of its own, the name is keywords or descriptors plus the number; a SKU
    # tells images apart as well as a number does, and is always kept.
    fallback = subject is None or subject.kind == "keyword"
    tail = sku or ([number] if fallback else [])
    builder = _NameBuilder(
        language=options.language,
        max_words=options.max_words - len(tail),
        max_length=options.max_length - (_length(tail) + 1 if tail else 0),
        reserved=sku,
    )
    _collect(builder, subject, analysis, keywords=keywords, original_name=original_name, options=options)
    return _finish(
        builder.words,
        fallback=fallback,
        # Colour, place or text alone do not say what the picture is; "landscape image" does a little.
        descriptors_only=not builder.parts["subject"] and not builder.parts["keywords"],
        ending=_ending(analysis, sku or [number], always=bool(sku), options=options),
        options=options,
    )


def _neutral_words(
    analysis: Analysis | None, *, keywords: Sequence[str], options: NamingOptions, number: str, sku: list[str]
) -> list[str]:
    """A flagged picture's name: batch brand, keywords and SKU plus the number; nothing it shows."""
    tail = [*sku, number]
    builder = _NameBuilder(
        language=options.language,
        max_words=max(options.max_words - len(tail), 1),
        max_length=max(options.max_length - _length(tail) - 1, 1),
        reserved=sku,
    )
    brand = brand_phrase(None, options.brand, options.language, unicode=options.unicode, seen_only=False)
    if brand is not None:
        builder.add(brand.words, "subject")
    used = 0
    for phrase in keyword_phrases(keywords, options.language, unicode=options.unicode):
        if used >= max(options.max_keywords, 1):
            break
        if builder.add(phrase.words, "keywords"):
            used += 1
    ending = _Ending(tail=tail, always=True, padding=[generic_words(options.language).image], untitled=[])
    return _finish(builder.words, fallback=True, descriptors_only=False, ending=ending, options=options)


def _template_values(
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    options: NamingOptions,
    number: str,
    sku: list[str],
) -> dict[str, list[str]]:
    language, unicode = options.language, options.unicode
    subject = choose_subject(analysis, keywords=[], original_name=original_name, language=language, unicode=unicode)
    subject_words = list(subject.phrase.words) if subject else []
    subject_keys = {word_fold(word, language) for word in subject_words}
    objects = [
        phrase.words
        for phrase in object_phrases(analysis, language, unicode=unicode)
        if not {word_fold(word, language) for word in phrase.words} <= subject_keys
    ]
    _, materials = attribute_phrases(analysis, language, unicode=unicode)
    color = color_phrase(analysis, language, unicode=unicode)
    setting = setting_phrase(analysis, language, unicode=unicode)
    # The batch's own brand first; a brand only read on the picture describes it, so not in neutral names.
    brand = brand_phrase(None, options.brand, language, unicode=unicode, seen_only=False)
    if brand is None and options.descriptive:
        brand = brand_phrase(analysis, None, language, unicode=unicode, seen_only=True)
    phrases = [list(phrase.words) for phrase in keyword_phrases(keywords, language, unicode=unicode)]
    captured = analysis.captured_at if analysis else None
    camera = analysis.camera if analysis else None
    return {
        "subject": subject_words,
        "object": list(objects[0]) if objects else [],
        "brand": list(brand.words) if brand else [],
        "color": list(color.words) if color else [],
        "material": list(materials[0].words) if materials else [],
        "setting": list(setting.words) if setting else [],
        "place": [word for phrase in place_phrases(analysis, language, unicode=unicode) for word in phrase.words],
        "keyword": phrases[0] if phrases else [],
        "keyword2": phrases[1] if len(phrases) > 1 else [],
        "keywords": [word for phrase in phrases for word in phrase],
        "text": ocr_words(analysis.text if analysis else "", language, limit=_OCR_WORDS, unicode=unicode),
        "original": meaningful_words(original_name, language=language, unicode=unicode),
        "sku": sku,
        "n": [number],
        "date": captured.strftime("%Y %m %d").split() if captured else [],
        "camera": slug_words(camera, language, unicode=unicode) if camera else [],
    }


def propose_name(
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    mime_type: str,
    options: NamingOptions = DEFAULT_OPTIONS,
    fallback_number: int = 1,
) -> Proposal:
    """A filename stem, extension and alt text for one image. Same input, same output."""
    if fallback_number < 0:
        raise ValueError(f"fallback_number cannot be negative, got {fallback_number}")
    extension = extension_for_mime(mime_type)
    number = str(fallback_number)
    if options.max_keywords == 0:
        keywords = []  # keywords switched off: not in the name, so not in the alt text either
    sku: list[str] = []
    kept = kept_text(options.keep_pattern, original_name)
    if kept is not None:
        sku = slug_words(kept[0], options.language, unicode=options.unicode)
        # A SKU that would leave no room for anything else is not kept (the name must say something).
        if len(sku) >= options.max_words or _length(sku) > options.max_length // 2:
            sku = []
        else:
            original_name = kept[1]  # its words are the SKU's, not a description

    words: list[str] | None = None
    if options.template:
        values = _template_values(
            analysis, keywords=keywords, original_name=original_name, options=options, number=number, sku=sku
        )
        words = render_template(
            options.template,
            values,
            max_length=options.max_length,
            language=options.language,
            unicode=options.unicode,
            neutral=not options.descriptive,
        )
    if words is None and options.descriptive:
        words = _descriptive_words(
            analysis, keywords=keywords, original_name=original_name, options=options, number=number, sku=sku
        )
    elif words is None:
        words = _neutral_words(analysis, keywords=keywords, options=options, number=number, sku=sku)
    sep = options.separator
    stem = sep.join(words)
    if is_reserved(stem):
        stem = (
            f"{stem}{sep}{number}"
            if options.max_words > 1 or options.template
            else generic_words(options.language).image
        )
    alt_text = make_alt_text(
        analysis,
        keywords=keywords,
        original_name=original_name,
        language=options.language,
        brand=options.brand,
        descriptive=options.descriptive,
    )
    return Proposal(stem=stem, extension=extension, alt_text=alt_text)
