"""What a name and its alt text are made of, read from an analysis and the batch.

The filename and the alt text pick their subject here, with the same rules, so they
always talk about the same thing. Every function takes the batch language and whether
names keep Unicode letters; phrases carry filename words and a display form for alt text.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.naming.languages import color_name, file_filler, generic_words, keeps_case
from core.naming.vocabulary import COLOR_NAMES, EXTRA_COLOR_WORDS, PALETTE_NAMES
from core.naming.words import (
    content_words,
    dedupe,
    is_useful_word,
    keyword_words,
    meaningful_tokens,
    slug_words,
    word_fold,
    word_key,
)
from core.vision.base import Analysis, DominantColor

# Labels the local analyzer derives without recognising anything; they never make a
# subject, and only "people"-like ones are worth a place at the end of a name.
GENERIC_LABELS = frozenset(
    {"portrait", "landscape", "square", "group", "people", "person", "persons", "face", "faces", "text", "document"}
)
_PADDING_LABELS = frozenset({"portrait", "group", "people", "person"})
_ALT_WORDS = 8
_SUGGESTED_SUBJECT_WORDS = 3

SubjectKind = Literal["analysis", "object", "suggested", "label", "filename", "keyword"]


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]  # filename words: ("red", "leather", "handbag")
    display: str  # as a person wrote it, for alt text: "Red leather handbag"


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    phrase: Phrase


def _clean(text: str) -> str:
    return " ".join(text.split())


def _phrase(text: str, language: str, *, unicode: bool) -> Phrase | None:
    words = tuple(content_words(text, language, unicode=unicode))
    return Phrase(words, _clean(text)) if words else None


def keyword_phrases(keywords: Sequence[str], language: str, *, unicode: bool = False) -> list[Phrase]:
    if isinstance(keywords, str):  # a lone string is one keyword, not a list of letters
        keywords = [keywords]
    phrases: list[Phrase] = []
    seen: set[tuple[str, ...]] = set()
    for keyword in keywords:
        words = tuple(keyword_words(keyword, language, unicode=unicode))
        if words and words not in seen:
            seen.add(words)
            phrases.append(Phrase(words, _clean(keyword)))
    return phrases


def label_phrases(
    analysis: Analysis | None, language: str, *, unicode: bool = False
) -> tuple[list[Phrase], list[Phrase]]:
    """(labels that describe content, generic labels worth using as padding), in provider order.

    The local analyzer's English labels are translated into the batch language."""
    content: list[Phrase] = []
    padding: list[Phrase] = []
    translations = generic_words(language).labels
    for label in analysis.labels if analysis else []:
        english_key = " ".join(word_key(word) for word in content_words(label, "en"))
        shown = translations.get(_clean(label).lower(), label)
        phrase = _phrase(shown, language, unicode=unicode)
        if phrase is None:
            continue
        if english_key in GENERIC_LABELS:
            if english_key in _PADDING_LABELS:
                padding.append(phrase)
        else:
            content.append(phrase)
    return content, padding


def filename_phrase(original_name: str, language: str, *, unicode: bool = False) -> Phrase | None:
    tokens = meaningful_tokens(original_name, language=language, unicode=unicode)
    if not tokens:
        return None
    words = tuple(word for token in tokens for word in token.words)
    # Alt text reads the first few; very long tokens (hashes, run-together text) make no sense read aloud.
    display = " ".join([token.display for token in tokens if len(token.display) <= 30][:_ALT_WORDS])
    return Phrase(words, (display if keeps_case(language) else display.lower()) or " ".join(words))


def suggested_words(analysis: Analysis | None, language: str, *, unicode: bool = False) -> list[str]:
    """The provider's filename words, still without stop words, filler, counters or junk."""
    if analysis is None:
        return []
    drop = file_filler(language)
    words: list[str] = []
    for entry in analysis.suggested_words[:20]:
        for word in content_words(entry[:100], language, unicode=unicode):
            if word_key(word, language) not in drop and is_useful_word(word, language):
                words.append(word)
    return dedupe(words, language)


def object_phrases(analysis: Analysis | None, language: str, *, unicode: bool = False) -> list[Phrase]:
    phrases = [_phrase(name, language, unicode=unicode) for name in (analysis.objects if analysis else [])]
    return [phrase for phrase in phrases if phrase is not None]


@functools.cache
def _color_words(language: str) -> frozenset[str]:
    """Single-word colour names in English and the language ("green", "marineblau", "bleu")."""
    names = [*PALETTE_NAMES, *COLOR_NAMES.get(language, {}).values()]
    keys = [[word_key(word, language) for word in slug_words(name, language)] for name in names]
    return frozenset(words[0] for words in keys if len(words) == 1) | EXTRA_COLOR_WORDS


def is_color(text: str, language: str) -> bool:
    """True for a colour attribute ("navy", "forest green", "Rot"), False for "steel" or "leather"."""
    return any(word_key(word, language) in _color_words(language) for word in slug_words(text, language))


def attribute_phrases(
    analysis: Analysis | None, language: str, *, unicode: bool = False
) -> tuple[list[Phrase], list[Phrase]]:
    """(colour attributes, other attributes such as materials and styles), in provider order."""
    colors: list[Phrase] = []
    others: list[Phrase] = []
    for attribute in analysis.attributes if analysis else []:
        phrase = _phrase(attribute, language, unicode=unicode)
        if phrase is not None:
            (colors if is_color(attribute, language) else others).append(phrase)
    return colors, others


def color_phrase(analysis: Analysis | None, language: str, *, unicode: bool = False) -> Phrase | None:
    """The picture's colour: a colour attribute the provider named, else the measured dominant colour."""
    colors, _ = attribute_phrases(analysis, language, unicode=unicode)
    if colors:
        return colors[0]
    color = dominant_color(analysis)
    if color is None:
        return None
    return _phrase(color_name(color.name, language), language, unicode=unicode)


def place_phrases(analysis: Analysis | None, language: str, *, unicode: bool = False) -> list[Phrase]:
    """The landmark, then the nearest place; a place name keeps all its words ("Isle of Man")."""
    phrases: list[Phrase] = []
    for name in (analysis.landmark, analysis.place.name if analysis.place else None) if analysis else ():
        if name and (words := tuple(slug_words(name, language, unicode=unicode))):
            phrases.append(Phrase(words, _clean(name)))
    return phrases


def setting_phrase(analysis: Analysis | None, language: str, *, unicode: bool = False) -> Phrase | None:
    return _phrase(analysis.setting, language, unicode=unicode) if analysis and analysis.setting else None


def brand_phrase(
    analysis: Analysis | None, batch_brand: str | None, language: str, *, unicode: bool = False, seen_only: bool
) -> Phrase | None:
    """The brand the provider read, spelled as the batch spells it when they are the same brand.

    With `seen_only=False` the batch brand counts even when no logo was seen (templates, neutral names)."""
    seen = analysis.brand if analysis else None
    if seen and batch_brand:
        same = [word_fold(w, language) for w in slug_words(seen, language)] == [
            word_fold(w, language) for w in slug_words(batch_brand, language)
        ]
        chosen: str | None = batch_brand if same else seen
    else:
        chosen = seen or (None if seen_only else batch_brand)
    if not chosen:
        return None
    words = tuple(slug_words(chosen, language, unicode=unicode))
    return Phrase(words, _clean(chosen)) if words else None


def choose_subject(
    analysis: Analysis | None, *, keywords: Sequence[str], original_name: str, language: str, unicode: bool = False
) -> Subject | None:
    """The main subject: the provider's subject, else its first object, else the first few of its
    suggested words, else its first content label, else the original filename's meaningful words,
    else the first batch keyword."""
    if analysis is not None and analysis.subject and (phrase := _phrase(analysis.subject, language, unicode=unicode)):
        return Subject("analysis", phrase)
    objects = object_phrases(analysis, language, unicode=unicode)
    if objects:
        return Subject("object", objects[0])
    suggested = suggested_words(analysis, language, unicode=unicode)[:_SUGGESTED_SUBJECT_WORDS]
    if suggested:
        return Subject("suggested", Phrase(tuple(suggested), " ".join(suggested)))
    content, _ = label_phrases(analysis, language, unicode=unicode)
    if content:
        return Subject("label", content[0])
    from_filename = filename_phrase(original_name, language, unicode=unicode)
    if from_filename is not None:
        return Subject("filename", from_filename)
    phrases = keyword_phrases(keywords, language, unicode=unicode)
    if phrases:
        return Subject("keyword", phrases[0])
    return None


def dominant_color(analysis: Analysis | None) -> DominantColor | None:
    if analysis is None or not analysis.colors:
        return None
    # Highest share first; ties keep the provider's order, so the choice is deterministic.
    return sorted(analysis.colors, key=lambda color: -color.share)[0]
