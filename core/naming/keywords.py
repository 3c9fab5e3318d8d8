"""Keyword suggestions for a batch: related keywords a marketer may add. Pure functions.

With a text-capable provider (a `KeywordSuggester`, such as OpenAI) its ranked list comes
first, cleaned and without the keywords already given (compared case- and plural-insensitively
through the language's fold); suggestions read from the batch's analyses follow. Without one
(the local default) the suggestions come from the analyses alone: how many images show a
subject, object, label, attribute, brand, place or read word, weighted by how much that source
says about the picture (subjects and objects > labels > visible text), plus two-word phrases
joining a given keyword with an attribute seen on the same images ("handbag" + "leather" ->
"leather handbag").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from core.naming.languages import adjective_first, file_filler, media_filler, stop_words
from core.naming.sources import GENERIC_LABELS
from core.naming.words import is_useful_word, keyword_words, tokenize, word_fold, word_key
from core.vision.base import Analysis, KeywordSuggester, Usage

__all__ = ["KeywordSuggestion", "suggest_keywords", "suggest_keywords_with_usage"]

MAX_KEYWORD_LENGTH = 60  # as BatchCreate accepts them
_MAX_PHRASE_WORDS = 3
# How much one image's mention says, by source.
_WEIGHTS = {"subject": 3.0, "object": 3.0, "suggested": 2.0, "label": 2.0, "attribute": 2.0, "brand": 2.0}
_PLACE_WEIGHT = 1.5
_TEXT_WEIGHT = 1.0
_PAIR_WEIGHT = 3.0
# Provider suggestions keep scores in (0.5, 1]; analysis-derived ones follow below them.
_PROVIDER_FLOOR = 0.5

Key = tuple[str, ...]


@dataclass(frozen=True)
class KeywordSuggestion:
    keyword: str
    score: float  # 0..1, higher is more relevant
    source: Literal["provider", "analyses"]


def _key(text: str, language: str) -> Key:
    return tuple(word_fold(word, language) for word in keyword_words(text, language))


def _clean(text: str) -> str:
    return " ".join(text.split())[:MAX_KEYWORD_LENGTH].strip()


class _Terms:
    """Weighted document frequency of terms across the batch, with a display form for each."""

    def __init__(self, language: str, given: Sequence[Key]) -> None:
        self.language = language
        self.given_words = {word for key in given for word in key}
        self.given = set(given)
        self.drop = stop_words(language) | media_filler(language) | file_filler(language)
        self.scores: Counter[Key] = Counter()
        self.display: dict[Key, str] = {}

    def phrase(self, text: str) -> tuple[Key, str] | None:
        """A term's key and display, or None for stop words, filler, numbers, junk and given keywords."""
        tokens = tokenize(text[:200], self.language)
        kept = [
            token
            for token in tokens
            if not any(word_key(word, self.language) in self.drop for word in token.words)
            and not any(char.isdigit() for word in token.words for char in word)
            and all(is_useful_word(word, self.language) for word in token.words)
        ]
        if not kept or len(kept) > _MAX_PHRASE_WORDS or len(kept) != len(tokens):
            return None
        key = tuple(word_fold(word, self.language) for token in kept for word in token.words)
        if key in self.given or set(key) <= self.given_words:
            return None
        return key, " ".join(token.display for token in kept).lower()

    def words(self, text: str) -> list[tuple[Key, str]]:
        """Each word of a longer text as its own term (visible text, long subjects)."""
        found = [self.phrase(token.display) for token in tokenize(text[:1000], self.language)]
        return [term for term in found if term is not None]

    def add(self, image: dict[Key, float], term: tuple[Key, str] | None, weight: float) -> None:
        if term is not None:
            key, display = term
            image[key] = max(image.get(key, 0.0), weight)
            self.display.setdefault(key, display)


def _image_terms(analysis: Analysis, terms: _Terms) -> tuple[dict[Key, float], set[str]]:
    """One image's terms with their weight, and the folded words it shows (for co-occurrence)."""
    image: dict[Key, float] = {}
    sources: list[tuple[str, Iterable[str]]] = [
        ("subject", [analysis.subject] if analysis.subject else []),
        ("object", analysis.objects),
        ("suggested", analysis.suggested_words),
        ("label", [label for label in analysis.labels if label.strip().lower() not in GENERIC_LABELS]),
        ("attribute", analysis.attributes),
        ("brand", [analysis.brand] if analysis.brand else []),
    ]
    shown: set[str] = set()
    for source, texts in sources:
        for text in texts:
            terms.add(image, terms.phrase(text), _WEIGHTS[source])
            for term in terms.words(text):  # "red leather handbag" also counts for "handbag"
                terms.add(image, term, _WEIGHTS[source] * 0.8)
            shown.update(word_fold(word, terms.language) for word in keyword_words(text, terms.language))
    for place in (analysis.landmark, analysis.place.name if analysis.place else None):
        if place:
            terms.add(image, terms.phrase(place), _PLACE_WEIGHT)
    for term in terms.words(analysis.text)[:10]:
        terms.add(image, term, _TEXT_WEIGHT)
    return image, shown


def _from_analyses(
    keywords: Sequence[str], *, language: str, analyses: Sequence[Analysis], exclude: set[Key]
) -> list[tuple[Key, str, float]]:
    given = [key for key in (_key(keyword, language) for keyword in keywords) if key]
    terms = _Terms(language, given)
    pairs: Counter[Key] = Counter()
    pair_display: dict[Key, str] = {}
    for analysis in analyses:
        image, shown = _image_terms(analysis, terms)
        terms.scores.update(image)
        modifiers = [terms.phrase(attribute) for attribute in analysis.attributes]
        for keyword, key in zip((k for k in keywords if _key(k, language)), given, strict=False):
            if key[-1] not in shown:  # the keyword's head noun is not what this image shows
                continue
            for modifier in modifiers:
                if modifier is None or len(modifier[0]) != 1 or modifier[0][0] in key:
                    continue
                words = (modifier[1], _clean(keyword).lower())
                display = " ".join(words if adjective_first(language) else reversed(words))
                pair = _key(display, language)
                pairs[pair] += 1
                pair_display.setdefault(pair, display)
    candidates: dict[Key, tuple[str, float]] = {}
    for key, score in terms.scores.items():
        candidates[key] = (terms.display[key], score)
    for key, count in pairs.items():
        candidates[key] = (pair_display[key], max(candidates.get(key, ("", 0.0))[1], count * _PAIR_WEIGHT))
    ranked = [(key, display, score) for key, (display, score) in candidates.items() if key not in exclude]
    return sorted(ranked, key=lambda item: (-item[2], item[1]))


def suggest_keywords_with_usage(
    keywords: Sequence[str],
    *,
    audience: str | None,
    language: str,
    limit: int,
    analyses: Sequence[Analysis],
    suggester: KeywordSuggester | None = None,
) -> tuple[list[KeywordSuggestion], Usage | None]:
    """Suggestions and what the provider call cost (None without a suggester).

    Provider errors (core.errors.ProviderError and its family) propagate to the caller."""
    if limit < 1:
        return [], None
    exclude = {key for key in (_key(keyword, language) for keyword in keywords) if key}
    suggestions: list[KeywordSuggestion] = []
    usage: Usage | None = None
    if suggester is not None:
        ranked, usage = suggester.suggest_keywords(list(keywords), audience=audience, language=language, limit=limit)
        kept: list[str] = []
        for text in (_clean(text) for text in ranked if isinstance(text, str)):
            key = _key(text, language)
            if key and key not in exclude:
                exclude.add(key)
                kept.append(text)
        kept = kept[:limit]
        for position, text in enumerate(kept):
            score = 1.0 - (1.0 - _PROVIDER_FLOOR) * position / len(kept)
            suggestions.append(KeywordSuggestion(keyword=text, score=round(score, 3), source="provider"))
        if len(suggestions) >= limit:
            return suggestions, usage
    derived = _from_analyses(keywords, language=language, analyses=analyses, exclude=exclude)
    if derived:
        top = derived[0][2]
        ceiling = _PROVIDER_FLOOR if suggestions else 1.0
        for _, display, score in derived[: limit - len(suggestions)]:
            suggestions.append(
                KeywordSuggestion(keyword=display, score=round(ceiling * score / top, 3), source="analyses")
            )
    return suggestions, usage


def suggest_keywords(
    keywords: Sequence[str],
    *,
    audience: str | None,
    language: str,
    limit: int,
    analyses: Sequence[Analysis],
    suggester: KeywordSuggester | None = None,
) -> list[KeywordSuggestion]:
    """Up to `limit` related keywords, most relevant first, none of them already given."""
    suggestions, _ = suggest_keywords_with_usage(
        keywords, audience=audience, language=language, limit=limit, analyses=analyses, suggester=suggester
    )
    return suggestions
