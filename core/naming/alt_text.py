"""Alt text: one sentence of at most 125 characters about the same subject as the filename.

A provider's own alt text is used when it talks about that subject (cleaned of "photo
of" openings, in the batch language); otherwise the sentence is composed from the subject,
the brand, the other objects, the people, the landmark and place, the setting, the colour
and the visible text, as far as room allows, with each language's own phrases. When the
picture was flagged unsafe and the batch keeps names neutral, the sentence names only the
batch's topic ("Image for summer sale") and never describes the content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.naming.alt_phrases import ALT_PHRASES, AltPhrases
from core.naming.languages import DEFAULT_LANGUAGE, color_name, fold, keeps_case, stop_words, word_set
from core.naming.sources import (
    attribute_phrases,
    brand_phrase,
    choose_subject,
    dominant_color,
    keyword_phrases,
    object_phrases,
    setting_phrase,
)
from core.naming.words import content_words, slug_words
from core.vision.base import Analysis

__all__ = ["ALT_PHRASES", "MAX_ALT_TEXT", "AltPhrases", "cut_at_word", "make_alt_text", "strip_opening"]

MAX_ALT_TEXT = 125  # the usual guideline: some screen readers cut longer alt text

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"«„ÀÉÈÎÔÜÄÖ])")
_QUOTED_TEXT_NOISE = re.compile(r"[\"“”„«»‘’‹›.!?;:]+")
_TRAILING_PUNCTUATION = " \t,;:.!?-–—"
_LEADING_NOISE = re.compile(r"^(?:[^\w\"“„«]|_)+")  # a sentence starts with a word (or a quotation)
_LONGEST_WORD = 40  # anything longer is a URL or a hash, not a word
_OBJECTS = 2

_PEOPLE = word_set(
    "person people man men woman women girl boy child children kid baby family couple crowd group team portrait "
    "selfie bride groom friend student player audience "
    "personen mensch menschen mann frau kind kinder familie paar gruppe "
    "personne personnes homme femme enfant enfants famille couple groupe "
    "persona personas hombre mujer nino nina ninos familia pareja grupo "
    "persone uomo donna bambino bambini famiglia coppia gruppo "
    "persoon mensen vrouw familie stel groep "
    "pessoa pessoas homem mulher crianca familia casal grupo"
)


def _phrases(language: str) -> AltPhrases:
    return ALT_PHRASES.get(language.lower(), ALT_PHRASES[DEFAULT_LANGUAGE])


def strip_opening(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Drop openings such as "A photo of" ("a red bag" remains), repeatedly: "Image of a photo of ..." goes too."""
    openings = [ALT_PHRASES[DEFAULT_LANGUAGE].opening]
    if language != DEFAULT_LANGUAGE:
        openings.append(_phrases(language).opening)
    previous = None
    while previous != text:
        previous = text
        for opening in openings:
            text = opening.sub("", text, count=1)
    return text.strip()


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def cut_at_word(text: str, limit: int, language: str = DEFAULT_LANGUAGE) -> str:
    """At most `limit` characters, cut between words, not ending on a dangling "with" or comma."""
    text = " ".join(word for word in text.split() if len(word) <= _LONGEST_WORD)
    if len(text) <= limit:
        return text.rstrip(_TRAILING_PUNCTUATION)
    words = text[: limit + 1].split(" ")[:-1] if text[limit] != " " else text[:limit].split(" ")
    stops = stop_words(language)
    while len(words) > 1 and _ascii(words[-1].strip(_TRAILING_PUNCTUATION), language) in stops:
        words.pop()
    return " ".join(words).rstrip(_TRAILING_PUNCTUATION)


def _ascii(word: str, language: str) -> str:
    return "".join(slug_words(word, language))


def _sentence(text: str, language: str) -> str:
    body = _LEADING_NOISE.sub("", cut_at_word(text, MAX_ALT_TEXT - 1, language))
    return _capitalise(body) + "." if body else ""


def _keys(text: str, language: str) -> set[str]:
    return {fold(word, language) for word in content_words(text, language)}


def _provider_sentence(alt_text: str, subject_display: str | None, language: str) -> str:
    """The provider's alt text, if it is about the subject; "" when it cannot be used."""
    text = strip_opening(" ".join(alt_text.split()), language)
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(first.split()) >= 3:  # "St. Paul's" must not end the sentence at "St."
        text = first
    if subject_display is not None and not _keys(text, language) & _keys(subject_display, language):
        return ""
    return _sentence(text, language)


def _visible_text(text: str, room: int) -> str:
    """The start of the read text, at most six words and `room` characters, marked when shortened."""
    words = _QUOTED_TEXT_NOISE.sub(" ", text).split()
    words = [word for word in words if len(word) <= _LONGEST_WORD]
    shown = words[:6]
    while shown and len(" ".join(shown)) + 1 > room:
        shown.pop()
    if not shown:
        return ""
    return " ".join(shown) + ("…" if len(shown) < len(words) else "")


def join_list(items: Sequence[str], language: str) -> str:
    """ "a", "a and b", "a, b and c" in the language."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_phrases(language).and_} {items[-1]}"


def neutral_alt_text(*, keywords: Sequence[str], brand: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A sentence that names the batch's topic and nothing about the picture ("Image for Acme, summer sale")."""
    phrases = _phrases(language)
    topics = [" ".join(brand.split())] if brand and brand.strip() else []
    topics += [phrase.display for phrase in keyword_phrases(keywords, language)[:2]]
    if not topics:
        return _sentence(phrases.neutral_untitled, language)
    return _sentence(phrases.neutral.format(topic=join_list(topics, language)), language)


class _Sentence:
    """A sentence grown part by part while it stays within the limit."""

    def __init__(self, head: str) -> None:
        self.head = head
        self.text = head

    def add(self, part: str, *, after_comma: bool = False) -> bool:
        # "Handbag in red tones", but "Handbag in Lyon, in red tones": a comma once the sentence has grown.
        joiner = ", " if after_comma and self.text != self.head else " "
        if part and len(self.text) + len(joiner) + len(part) + 1 <= MAX_ALT_TEXT:
            self.text = f"{self.text}{joiner}{part}"
            return True
        return False


def _color_display(analysis: Analysis | None, language: str) -> str:
    colors, _ = attribute_phrases(analysis, language)
    if colors:
        return colors[0].display if keeps_case(language) else colors[0].display.lower()
    color = dominant_color(analysis)
    return color_name(color.name, language) if color else ""


def _describe(
    sentence: _Sentence, analysis: Analysis, *, head_keys: set[str], brand: str | None, language: str
) -> None:
    phrases = _phrases(language)
    seen = set(head_keys)

    def fresh(text: str) -> bool:
        keys = _keys(text, language)
        return bool(keys) and not keys <= seen

    found_brand = brand_phrase(analysis, brand, language, seen_only=True)
    if (
        found_brand is not None
        and fresh(found_brand.display)
        and sentence.add(phrases.brand.format(brand=found_brand.display))
    ):
        seen |= _keys(found_brand.display, language)
    objects = [phrase.display for phrase in object_phrases(analysis, language) if fresh(phrase.display)][:_OBJECTS]
    with_objects = bool(objects) and sentence.add(phrases.with_.format(things=join_list(objects, language)))
    if analysis.faces > 0 and not seen & {fold(word, language) for word in _PEOPLE}:
        sentence.add(phrases.people(analysis.faces), after_comma=with_objects)
    if analysis.landmark and fresh(analysis.landmark):
        sentence.add(" ".join(analysis.landmark.split()), after_comma=True)
        seen |= _keys(analysis.landmark, language)
    if analysis.place is not None and not set(slug_words(analysis.place.name, language)) <= set(
        slug_words(sentence.text, language)
    ):
        sentence.add(phrases.place.format(place=" ".join(analysis.place.name.split())))
    setting = setting_phrase(analysis, language)
    if setting is not None and fresh(setting.display):
        sentence.add(phrases.setting.format(setting=setting.display), after_comma=True)
    color = _color_display(analysis, language)
    if color and not _keys(color, language) <= _keys(sentence.text, language):
        sentence.add(phrases.color.format(color=color), after_comma=True)
    if analysis.text.strip():
        template = phrases.text.format(text="")
        room = MAX_ALT_TEXT - len(sentence.text) - len(", ") - len(template) - 1
        shown = _visible_text(analysis.text, min(room, 40))
        if shown:
            sentence.add(phrases.text.format(text=shown), after_comma=True)


def make_alt_text(
    analysis: Analysis | None,
    *,
    keywords: Sequence[str],
    original_name: str,
    language: str = "en",
    brand: str | None = None,
    descriptive: bool = True,
) -> str:
    """One sentence (<= 125 characters, ending with a period) about the filename's subject."""
    if not descriptive:
        return neutral_alt_text(keywords=keywords, brand=brand, language=language)
    phrases = _phrases(language)
    subject = choose_subject(analysis, keywords=keywords, original_name=original_name, language=language)
    head = cut_at_word(strip_opening(subject.phrase.display, language), MAX_ALT_TEXT - 1, language) if subject else ""
    if analysis is not None and analysis.alt_text:
        provided = _provider_sentence(analysis.alt_text, head or None, language)
        if provided:
            return provided

    if not head and analysis is not None:
        color = dominant_color(analysis)
        in_head = color_name(color.name, language).lower() if color and phrases.color_in_fallback else ""
        orientation = phrases.orientation.get(analysis.orientation, analysis.orientation)
        head = phrases.fallback.format(color=in_head, orientation=orientation).strip()
    sentence = _Sentence(head or phrases.untitled)
    if analysis is not None:
        _describe(sentence, analysis, head_keys=_keys(sentence.head, language), brand=brand, language=language)
    return _sentence(sentence.text, language)
