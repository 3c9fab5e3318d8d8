"""What a name and its alt text are made of, read from an analysis and the batch.

The filename and the alt text pick their subject here, with the same rules, so they
always talk about the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.naming.words import content_words, keyword_words, meaningful_tokens
from core.vision.base import Analysis, DominantColor

# Labels the local analyzer derives without recognising anything; they never make a
# subject, and only "people"-like ones are worth a place at the end of a name.
GENERIC_LABELS = frozenset(
    {"portrait", "landscape", "square", "group", "people", "person", "persons", "face", "faces", "text", "document"}
)
_PADDING_LABELS = frozenset({"portrait", "group", "people", "person"})
_ALT_WORDS = 8

SubjectKind = Literal["analysis", "label", "filename", "keyword"]


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


def keyword_phrases(keywords: Sequence[str], language: str) -> list[Phrase]:
    if isinstance(keywords, str):  # a lone string is one keyword, not a list of letters
        keywords = [keywords]
    phrases: list[Phrase] = []
    seen: set[tuple[str, ...]] = set()
    for keyword in keywords:
        words = tuple(keyword_words(keyword, language))
        if words and words not in seen:
            seen.add(words)
            phrases.append(Phrase(words, _clean(keyword)))
    return phrases


def label_phrases(analysis: Analysis | None, language: str) -> tuple[list[Phrase], list[Phrase]]:
    """(labels that describe content, generic labels worth using as padding), in provider order."""
    content: list[Phrase] = []
    padding: list[Phrase] = []
    for label in analysis.labels if analysis else []:
        words = tuple(content_words(label, language))
        if not words:
            continue
        if " ".join(words) in GENERIC_LABELS:
            if " ".join(words) in _PADDING_LABELS:
                padding.append(Phrase(words, _clean(label)))
        else:
            content.append(Phrase(words, _clean(label)))
    return content, padding


def filename_phrase(original_name: str, language: str) -> Phrase | None:
    tokens = meaningful_tokens(original_name, language=language)
    if not tokens:
        return None
    words = tuple(word for token in tokens for word in token.words)
    # Alt text reads the first few; very long tokens (hashes, run-together text) make no sense read aloud.
    display = " ".join([token.display for token in tokens if len(token.display) <= 30][:_ALT_WORDS]).lower()
    return Phrase(words, display or " ".join(words))


def choose_subject(
    analysis: Analysis | None, *, keywords: Sequence[str], original_name: str, language: str
) -> Subject | None:
    """The main subject: the provider's subject, else its first content label, else the
    original filename's meaningful words, else the first batch keyword."""
    if analysis is not None and analysis.subject:
        words = tuple(content_words(analysis.subject, language))
        if words:
            return Subject("analysis", Phrase(words, _clean(analysis.subject)))
    content, _ = label_phrases(analysis, language)
    if content:
        return Subject("label", content[0])
    from_filename = filename_phrase(original_name, language)
    if from_filename is not None:
        return Subject("filename", from_filename)
    phrases = keyword_phrases(keywords, language)
    if phrases:
        return Subject("keyword", phrases[0])
    return None


def dominant_color(analysis: Analysis | None) -> DominantColor | None:
    if analysis is None or not analysis.colors:
        return None
    # Highest share first; ties keep the provider's order, so the choice is deterministic.
    return sorted(analysis.colors, key=lambda color: -color.share)[0]
