"""Alt text: one sentence of at most 125 characters about the same subject as the filename.

A provider's own alt text is used when it talks about that subject (cleaned of "photo
of" openings); otherwise the sentence is composed from the subject, the people, the
place, the dominant colour and the visible text, as far as room allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from core.naming.languages import DEFAULT_LANGUAGE, fold, stop_words, word_set
from core.naming.sources import choose_subject, dominant_color
from core.naming.words import content_words, slug_words
from core.vision.base import Analysis

MAX_ALT_TEXT = 125  # the usual guideline: some screen readers cut longer alt text

_OPENING = re.compile(
    r"^\s*(?:(?:this|here)\s+is\s+)?(?:(?:a|an|the)\s+)?(?:close[\s-]?up\s+)?"
    r"(?:image|picture|photo|photograph|pic|snapshot|illustration|screenshot)s?"
    r"\s+(?:of|showing|shows|depicting|featuring)(?:\s+|$)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"])")
_QUOTED_TEXT_NOISE = re.compile(r"[\"“”„«»‘’.!?;:]+")
_TRAILING_PUNCTUATION = " \t,;:.!?-–—"
_LEADING_NOISE = re.compile(r"^(?:[^\w\"“]|_)+")  # a sentence starts with a word (or a quotation)
_LONGEST_WORD = 40  # anything longer is a URL or a hash, not a word

_PEOPLE = word_set(
    "person people man men woman women girl boy child children kid baby family couple crowd group team portrait "
    "selfie bride groom friend student player audience"
)
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _english_people(faces: int) -> str:
    if faces == 1:
        return "with one person"
    if faces <= 10:
        return f"with {_NUMBER_WORDS[faces]} people"
    return "with a group of people"


@dataclass(frozen=True)
class AltPhrases:
    """The words alt text is composed with, per language."""

    people: Callable[[int], str]  # faces (>= 1) -> "with two people"
    place: str  # "in {place}"
    color: str  # "in {color} tones"
    text: str  # "with the text “{text}”"
    fallback: str  # "{color} {orientation}-format image"; {color} may be empty
    untitled: str  # when nothing at all is known


ALT_PHRASES: Mapping[str, AltPhrases] = {
    "en": AltPhrases(
        people=_english_people,
        place="in {place}",
        color="in {color} tones",
        text="with the text “{text}”",
        fallback="{color} {orientation}-format image",
        untitled="untitled image",
    )
}


def strip_opening(text: str) -> str:
    """Drop openings such as "A photo of" ("a red bag" remains), repeatedly: "Image of a photo of ..." goes too."""
    previous = None
    while previous != text:
        previous, text = text, _OPENING.sub("", text, count=1)
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
    while len(words) > 1 and words[-1].strip(_TRAILING_PUNCTUATION).lower() in stops:
        words.pop()
    return " ".join(words).rstrip(_TRAILING_PUNCTUATION)


def _sentence(text: str, language: str) -> str:
    body = _LEADING_NOISE.sub("", cut_at_word(text, MAX_ALT_TEXT - 1, language))
    return _capitalise(body) + "." if body else ""


def _keys(text: str, language: str) -> set[str]:
    return {fold(word, language) for word in content_words(text, language)}


def _provider_sentence(alt_text: str, subject_display: str | None, language: str) -> str:
    """The provider's alt text, if it is about the subject; "" when it cannot be used."""
    text = strip_opening(" ".join(alt_text.split()))
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


def make_alt_text(
    analysis: Analysis | None, *, keywords: Sequence[str], original_name: str, language: str = "en"
) -> str:
    """One sentence (<= 125 characters, ending with a period) about the filename's subject."""
    phrases = ALT_PHRASES.get(language, ALT_PHRASES[DEFAULT_LANGUAGE])
    subject = choose_subject(analysis, keywords=keywords, original_name=original_name, language=language)
    head = cut_at_word(strip_opening(subject.phrase.display), MAX_ALT_TEXT - 1, language) if subject else ""
    if analysis is not None and analysis.alt_text:
        provided = _provider_sentence(analysis.alt_text, head or None, language)
        if provided:
            return provided

    color = dominant_color(analysis)
    color_name = " ".join(color.name.split()).lower() if color else ""
    if not head and analysis is not None:
        head = phrases.fallback.format(color=color_name, orientation=analysis.orientation).strip()
    head = head or phrases.untitled
    sentence = head
    head_keys = _keys(head, language)

    def add(part: str, *, after_comma: bool = False) -> None:
        # "Handbag in red tones", but "Handbag in Lyon, in red tones": a comma once the sentence has grown.
        nonlocal sentence
        joiner = ", " if after_comma and sentence != head else " "
        if part and len(sentence) + len(joiner) + len(part) + 1 <= MAX_ALT_TEXT:
            sentence = f"{sentence}{joiner}{part}"

    if analysis is not None:
        if analysis.faces > 0 and not head_keys & {fold(word, language) for word in _PEOPLE}:
            add(phrases.people(analysis.faces))
        if analysis.place is not None and not set(slug_words(analysis.place.name, language)) <= set(
            slug_words(head, language)
        ):
            add(phrases.place.format(place=" ".join(analysis.place.name.split())))
        if color_name and not _keys(color_name, language) <= head_keys:
            add(phrases.color.format(color=color_name), after_comma=True)
        if analysis.text.strip():
            template = phrases.text.format(text="")
            room = MAX_ALT_TEXT - len(sentence) - len(", ") - len(template) - 1
            shown = _visible_text(analysis.text, min(room, 40))
            if shown:
                add(phrases.text.format(text=shown), after_comma=True)
    return _sentence(sentence, language)
