"""Per-language tables for the naming engine, keyed by language code.

Everything that depends on the language lives here: stop words, filler words, the
transliteration done before the universal `anyascii` pass, whether an apostrophe joins or
separates words, the fold that decides when two words are "the same word" (so "handbag" and
"handbags" are not both used), and the engine's own words (colours, padding). A language
plugs in by adding one entry to each table; a code with no entry falls back to English.
The word lists themselves are in `lexicon` and `vocabulary`; alt-text phrases in `alt_text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from core.naming.lexicon import FILE_FILLER_WORDS, MEDIA_FILLER_WORDS, STOP_WORD_LISTS, word_set
from core.naming.vocabulary import COLOR_NAMES, GENERIC_WORDS, Generic

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "adjective_first",
    "apostrophe_joins",
    "color_name",
    "file_filler",
    "fold",
    "generic_words",
    "keeps_case",
    "media_filler",
    "stop_words",
    "transliteration_map",
    "word_set",
]

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")

_T = TypeVar("_T")
_VOWELS = frozenset("aeiouy")


def _english_fold(word: str) -> str:
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def _german_fold(word: str) -> str:
    # Only the two regular endings: "taschen" -> "tasche", "autos" -> "auto". Umlaut and "-er"
    # plurals ("äpfel", "kinder") are left alone: folding them would merge unrelated words.
    if len(word) > 4 and word.endswith("en"):
        return word[:-1]
    if len(word) > 4 and word.endswith("s") and word[-2] in _VOWELS:
        return word[:-1]
    return word


def _french_fold(word: str) -> str:
    if len(word) <= 3:
        return word
    if word.endswith("eaux"):
        return word[:-1]  # chapeaux -> chapeau
    if word.endswith("aux"):
        return word[:-3] + "al"  # journaux -> journal
    if word.endswith(("eux", "oux")):
        return word[:-1]  # bijoux -> bijou
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _spanish_fold(word: str) -> str:
    if len(word) <= 3:
        return word
    if word.endswith("ces"):
        return word[:-3] + "z"  # luces -> luz
    # "mujeres" -> "mujer", "colores" -> "color"; but "calles" -> "calle", "madres" -> "madre".
    if word.endswith("es") and len(word) > 4 and word[-3] in "lrndjy" and word[-4] in _VOWELS:
        return word[:-2]
    if word.endswith("s") and word[-2] in _VOWELS:
        return word[:-1]
    return word


def _italian_fold(word: str) -> str:
    # Italian plurals change the last vowel: borsa/borse, libro/libri. Mapping e->a and i->o
    # joins the common pairs; a miss (fiore/fiori) only means a repeat is not noticed.
    if len(word) <= 3:
        return word
    if word.endswith("e"):
        return word[:-1] + "a"
    if word.endswith("i"):
        return word[:-1] + "o"
    return word


_DOUBLE_CONSONANT = re.compile(r"([b-df-hj-np-tv-z])\1$")


def _dutch_fold(word: str) -> str:
    if len(word) <= 4:
        return word
    if word.endswith("en"):
        return _DOUBLE_CONSONANT.sub(r"\1", word[:-2])  # tassen -> tas, boeken -> boek
    if word.endswith("s") and word[-2] in _VOWELS | {"e", "r", "l", "n"}:
        return word[:-1]  # fotos (foto's) -> foto, tafels -> tafel
    return word


def _portuguese_fold(word: str) -> str:
    if len(word) <= 3:
        return word
    for plural, singular in (("oes", "ao"), ("aes", "ao"), ("aos", "ao"), ("ais", "al"), ("eis", "el"), ("ois", "ol")):
        if word.endswith(plural):
            return word[: -len(plural)] + singular  # limoes -> limao, animais -> animal
    if word.endswith("ns"):
        return word[:-2] + "m"  # homens -> homem
    if word.endswith(("res", "zes", "ses")):
        return word[:-2]  # flores -> flor, luzes -> luz
    if word.endswith("s") and word[-2] in _VOWELS:
        return word[:-1]
    return word


STOP_WORDS: Mapping[str, frozenset[str]] = STOP_WORD_LISTS
MEDIA_FILLER: Mapping[str, frozenset[str]] = MEDIA_FILLER_WORDS
FILE_FILLER: Mapping[str, frozenset[str]] = FILE_FILLER_WORDS
# Characters transliterated the language's own way before anyascii handles the rest. Only German
# differs: anyascii already gives French œ -> oe, æ -> ae, Dutch ĳ -> ij, Spanish ñ -> n,
# Portuguese ç -> c, ã -> a, which is what those languages write without diacritics.
_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
TRANSLITERATION: Mapping[str, Mapping[str, str]] = {
    "en": {},
    "de": _GERMAN,
    "fr": {},
    "es": {},
    "it": {},
    "nl": {},
    "pt": {},
}
# True where an apostrophe joins a word ("Valentine's" -> valentines, Dutch "foto's" -> fotos);
# False where it marks elision and separates two words (French "l'été", Italian "dell'acqua").
APOSTROPHE_JOINS: Mapping[str, bool] = {
    "en": True,
    "de": True,
    "fr": False,
    "es": False,
    "it": False,
    "nl": True,
    "pt": False,
}
# Whether a describing word goes before the noun in a two-word keyword: "leather handbag",
# "Leder Handtasche", but "sac cuir", "bolso cuero".
ADJECTIVE_FIRST: Mapping[str, bool] = {
    "en": True,
    "de": True,
    "fr": False,
    "es": False,
    "it": False,
    "nl": True,
    "pt": False,
}
# German capitalises every noun, so text shown in alt text keeps the case it was written in
# ("Größe Äpfel"); elsewhere a filename's words read better lowercased ("Red Handbag" -> "red handbag").
KEEPS_CASE: Mapping[str, bool] = {
    "en": False,
    "de": True,
    "fr": False,
    "es": False,
    "it": False,
    "nl": False,
    "pt": False,
}
FOLDS: Mapping[str, Callable[[str], str]] = {
    "en": _english_fold,
    "de": _german_fold,
    "fr": _french_fold,
    "es": _spanish_fold,
    "it": _italian_fold,
    "nl": _dutch_fold,
    "pt": _portuguese_fold,
}
COLORS: Mapping[str, Mapping[str, str]] = COLOR_NAMES
GENERIC: Mapping[str, Generic] = GENERIC_WORDS


def _table(table: Mapping[str, _T], language: str) -> _T:
    return table.get(language.lower(), table[DEFAULT_LANGUAGE])


def stop_words(language: str) -> frozenset[str]:
    return _table(STOP_WORDS, language)


def media_filler(language: str) -> frozenset[str]:
    return _table(MEDIA_FILLER, language)


def file_filler(language: str) -> frozenset[str]:
    return _table(FILE_FILLER, language)


def transliteration_map(language: str) -> Mapping[str, str]:
    return _table(TRANSLITERATION, language)


def apostrophe_joins(language: str) -> bool:
    return _table(APOSTROPHE_JOINS, language)


def adjective_first(language: str) -> bool:
    return _table(ADJECTIVE_FIRST, language)


def keeps_case(language: str) -> bool:
    return _table(KEEPS_CASE, language)


def fold(word: str, language: str) -> str:
    return _table(FOLDS, language)(word)


def color_name(name: str, language: str) -> str:
    """A palette colour in the language ("navy blue" -> "Marineblau"); other names as given."""
    clean = " ".join(name.split())
    return _table(COLORS, language).get(clean.lower(), clean)


def generic_words(language: str) -> Generic:
    return _table(GENERIC, language)
