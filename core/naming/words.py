"""Turning text into filename words: tokenising, transliteration, stop words, filler.

Every word that leaves this module matches `[a-z0-9]+`, or with `unicode=True` is a casefolded
run of Unicode letters, marks and digits ("красная", "東京"). Text is split into words in its
own script first and transliterated word by word, so "北京" stays one word ("beijing") and
"RedLeatherHandbag.jpg" can still be split at its capitals.

Decisions about a word (is it a stop word, filler, the same word as another) are taken on its
ASCII key (`word_key`), so Unicode names follow exactly the rules of ASCII names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from anyascii import anyascii

from core.naming.languages import (
    apostrophe_joins,
    file_filler,
    fold,
    media_filler,
    stop_words,
    transliteration_map,
    word_set,
)

# Windows refuses these as file names, with or without an extension, in any case.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)
# Extensions recognised at the end of an original filename or a person's edit.
IMAGE_EXTENSIONS = word_set(
    "jpg jpeg jpe jfif pjpeg png apng gif webp tif tiff heic heif hif avif bmp dib dng raw cr2 cr3 nef arw orf rw2 "
    "raf srw psd svg ico jxl"
)

_APOSTROPHE = re.compile(r"(?<=[^\W_])['’ʼ`´](?=[^\W_])")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_VOWEL = re.compile(r"[aeiouy]")
_LETTER_DIGIT_RUN = re.compile(r"[a-z]+|[0-9]+")

# Patterns removed from an original filename before it is split into words.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_COPY_MARKER = re.compile(r"\(\s*\d+\s*\)|\[\s*\d+\s*\]")
_SCREEN_SHOT = re.compile(r"screen[\s_-]*shot", re.IGNORECASE)
# A date stamp keeps only its year: "wedding-2023-06-17" names a 2023 wedding.
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(?:0[1-9]|1[0-2])[-_.]?(?:0[1-9]|[12]\d|3[01])(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}(?:[.:]\d\d[.:]\d\d|:\d\d)(?:\s*[ap]\.?m\.?)?(?![\d\w])", re.IGNORECASE)

# Camera and app counters written as one word: IMG1234, DSCN0042, GOPR0001, P1000123.
_GLUED_COUNTER = re.compile(
    r"^(?:img|dsc[nfi]?|sdc|dcp|gopr|gp|gh|gx|dji|pxl|vid|mvimg|pano|burst|cimg|hpim|imag|pict|wa|mvi|sam)\d{3,}$"
    r"|^p\d{7}$|^e\d{9,}$"
)
_VERSION_MARKER = re.compile(r"^(?:v|ver|version|rev)\d+$")
# Words that, followed by a number, form a counter or version marker: IMG_1234, "copy 2", "v 3".
_COUNTER_PREFIXES = word_set(
    "img dsc dscn dscf dsci sdc dcp gopr dji pxl vid mvimg pano burst cimg hpim imag pict mvi wa sam "
    "v ver version rev copy"
)
_SIZE = re.compile(r"^\d+(?:x\d+)+[a-z]*$")


@dataclass(frozen=True)
class Token:
    """One word as written (for alt text) and the ASCII words it becomes (for filenames)."""

    display: str
    words: tuple[str, ...]


def transliterate(text: str, language: str = "en") -> str:
    """ASCII for any script; the language's own rules go first, anyascii does the rest."""
    table = transliteration_map(language)
    if table:
        text = "".join(table.get(char, char) for char in text)
    return anyascii(text)


def _runs(text: str) -> Iterator[str]:
    """Maximal runs of letters, combining marks and digits, in any script."""
    start: int | None = None
    for index, char in enumerate(text):
        if unicodedata.category(char)[0] in "LMN":
            if start is None:
                start = index
        elif start is not None:
            yield text[start:index]
            start = None
    if start is not None:
        yield text[start:]


def _split_camel(run: str) -> list[str]:
    """ "RedLeatherHandbag" -> Red/Leather/Handbag, "PDFReport" -> PDF/Report; "iPhone", "McDonald" stay whole."""
    parts: list[str] = []
    start = 0
    lower_run = 0
    for index in range(1, len(run)):
        previous, char = run[index - 1], run[index]
        lower_run = lower_run + 1 if previous.islower() else 0
        after_word = char.isupper() and previous.islower() and lower_run >= 2
        after_acronym = (
            char.isupper() and previous.isupper() and index + 1 < len(run) and run[index + 1].islower() and index > 1
        )
        if after_word or after_acronym:
            parts.append(run[start:index])
            start = index
    parts.append(run[start:])
    return parts


def _is_cjk_ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_katakana(char: str) -> bool:
    return "\u30a0" <= char <= "\u30ff" or "\u31f0" <= char <= "\u31ff"


def _script_pieces(run: str) -> list[str]:
    """Japanese written without spaces splits cheaply where kanji meet katakana ("東京タワー" ->
    東京/タワー): katakana words are loanwords. Kanji and hiragana stay together ("食べる")."""
    pieces: list[str] = []
    start = 0
    for index in range(1, len(run)):
        before, char = run[index - 1], run[index]
        if (_is_cjk_ideograph(before) and _is_katakana(char)) or (_is_katakana(before) and _is_cjk_ideograph(char)):
            pieces.append(run[start:index])
            start = index
    pieces.append(run[start:])
    return pieces


def _is_word_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def _unicode_word(piece: str, language: str) -> tuple[str, ...]:
    """One casefolded word in its own script, or its ASCII words when it holds a character that
    is not a letter or decimal digit (such as "½" or a stray combining mark at the start)."""
    word = unicodedata.normalize("NFC", piece.casefold())
    if word and unicodedata.category(word[0])[0] in "LN" and all(_is_word_char(char) for char in word):
        return (word,)
    return tuple(_ASCII_WORD.findall(transliterate(piece, language).lower()))


def tokenize(text: str, language: str = "en", *, split_camel: bool = False, unicode: bool = False) -> list[Token]:
    text = _APOSTROPHE.sub("" if apostrophe_joins(language) else " ", unicodedata.normalize("NFC", text))
    tokens: list[Token] = []
    for run in _runs(text):
        for part in _split_camel(run) if split_camel else [run]:
            if unicode and not part.isascii():
                for piece in _script_pieces(part):
                    if words := _unicode_word(piece, language):
                        tokens.append(Token(piece, words))
                continue
            words = tuple(_ASCII_WORD.findall(transliterate(part, language).lower()))
            if words:
                tokens.append(Token(part, words))
    return tokens


def slug_words(text: str, language: str = "en", *, unicode: bool = False) -> list[str]:
    """Every word of `text` in filename spelling, nothing dropped ("Crème Brûlée 2" -> creme, brulee, 2)."""
    return [word for token in tokenize(text, language, unicode=unicode) for word in token.words]


def word_key(word: str, language: str = "en") -> str:
    """The ASCII form of a filename word, which stop-word lists and folds are written for."""
    if word.isascii():
        return word
    # A script anyascii cannot spell keeps its own form rather than an empty key.
    return "".join(_ASCII_WORD.findall(transliterate(word, language).lower())) or word


def word_fold(word: str, language: str = "en") -> str:
    """The key under which two words count as the same ("handbags" and "handbag", "сумки" twice)."""
    return fold(word_key(word, language), language)


def is_allowed_word(word: str) -> bool:
    """A filename word: lowercase ASCII letters and digits, or a casefolded Unicode word."""
    if word.isascii():
        return bool(_ASCII_WORD.fullmatch(word))
    return (
        bool(word)
        and unicodedata.category(word[0])[0] in "LN"
        and all(_is_word_char(char) for char in word)
        and word == unicodedata.normalize("NFC", word.casefold())
    )


def is_reserved(stem: str) -> bool:
    return stem.lower() in RESERVED_NAMES


def is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("19", "20")


def content_words(text: str, language: str = "en", *, unicode: bool = False) -> list[str]:
    """Words of a subject, label or keyword-like phrase without stop words and media filler."""
    drop = stop_words(language) | media_filler(language)
    words = slug_words(text, language, unicode=unicode)
    return dedupe((word for word in words if word_key(word, language) not in drop), language)


def keyword_words(text: str, language: str = "en", *, unicode: bool = False) -> list[str]:
    """A batch keyword is a person's choice: only stop words go ("bags for women" -> bags, women)."""
    drop = stop_words(language)
    words = slug_words(text, language, unicode=unicode)
    return dedupe((word for word in words if word_key(word, language) not in drop), language)


def dedupe(words: Iterable[str], language: str = "en") -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for word in words:
        key = word_fold(word, language)
        if key not in seen:
            seen.add(key)
            kept.append(word)
    return kept


def strip_extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if dot and stem.strip() and extension.strip().lower() in IMAGE_EXTENSIONS:
        return stem
    return name


def _keep(tokens: list[Token], keep: list[bool]) -> list[Token]:
    """Tokens with only the words whose flag (in reading order over all words) is set."""
    kept: list[Token] = []
    position = 0
    for token in tokens:
        words = tuple(word for offset, word in enumerate(token.words) if keep[position + offset])
        position += len(token.words)
        if words:
            kept.append(Token(token.display, words))
    return kept


def _drop_counters(tokens: list[Token]) -> list[Token]:
    """Remove camera prefixes and counters, version markers, ids and timestamps."""
    flat = [word for token in tokens for word in token.words]
    keep = [True] * len(flat)
    for position, word in enumerate(flat):
        following = flat[position + 1] if position + 1 < len(flat) else ""
        if _GLUED_COUNTER.match(word) or _VERSION_MARKER.match(word):
            keep[position] = False
        elif word in _COUNTER_PREFIXES and following.isdigit():
            keep[position] = keep[position + 1] = False
        elif word.isdigit() and (word.startswith("0") or len(word) >= 5):
            keep[position] = False
        elif (len(word) >= 8 and not _SIZE.match(word) and sum(c.isdigit() for c in word) >= 2
              and sum(c.isalpha() for c in word) >= 2):  # fmt: skip
            keep[position] = False  # an id or hash such as "46273834b3fb"
    return _keep(tokens, keep)


def _drop_trailing_number(tokens: list[Token]) -> list[Token]:
    """A trailing number is a counter ("beach-3"), unless it is a year ("beach-2024");
    numbers alone say nothing about the picture."""
    flat = [word for token in tokens for word in token.words]
    if all(word.isdigit() for word in flat):
        return []
    keep = [True] * len(flat)
    if flat[-1].isdigit() and not is_year(flat[-1]):
        keep[-1] = False
    return _keep(tokens, keep)


def meaningful_tokens(original_name: str, *, language: str = "en", unicode: bool = False) -> list[Token]:
    """The words of an original filename that say something about the picture, in order."""
    name = re.split(r"[/\\]", original_name)[-1]
    name = strip_extension(unicodedata.normalize("NFC", name))
    name = _UUID.sub(" ", name)
    name = _COPY_MARKER.sub(" ", name)
    name = _SCREEN_SHOT.sub(" ", name)
    name = _DATE.sub(r" \1 ", name)
    name = _TIME.sub(" ", name)
    tokens = _drop_counters(tokenize(name, language, split_camel=True, unicode=unicode))
    drop = stop_words(language) | media_filler(language) | file_filler(language)
    # Single letters in filenames are nearly always noise ("_n.jpg", "_o.jpg").
    flat = [word for token in tokens for word in token.words]
    keys = [word_key(word, language) for word in flat]
    tokens = _keep(tokens, [key not in drop and (len(key) > 1 or key.isdigit()) for key in keys])
    tokens = _drop_trailing_number(tokens)
    seen: set[str] = set()
    keep: list[bool] = []
    for word in (word for token in tokens for word in token.words):
        keep.append(word_fold(word, language) not in seen)
        seen.add(word_fold(word, language))
    return _keep(tokens, keep)


def meaningful_words(original_name: str, *, language: str = "en", unicode: bool = False) -> list[str]:
    """Words of an original filename worth keeping: "IMG_1234 Crème-brûlée (1).JPG" -> creme, brulee."""
    tokens = meaningful_tokens(original_name, language=language, unicode=unicode)
    return [word for token in tokens for word in token.words]


def is_useful_word(word: str, language: str = "en") -> bool:
    """Not noise: short numbers, real-looking words, short model or size codes ("50ml", "4k")."""
    key = word_key(word, language)
    if not key:
        return False
    if key.isdigit():
        return len(key) <= 4 and not key.startswith("0")
    if key.isalpha():
        return 2 <= len(key) <= 30 and bool(_VOWEL.search(key))  # OCR noise such as "lll" has no vowel
    # Sizes and models ("50ml", "4k", "50x70cm") alternate letters and digits a few times; ids and
    # hashes ("x7q9z2k1") many times.
    return len(key) <= 8 and len(_LETTER_DIGIT_RUN.findall(key)) <= 4


def ocr_words(text: str, language: str = "en", *, limit: int = 3, unicode: bool = False) -> list[str]:
    """The first few meaningful words of read text; a long text gives its beginning, never its end."""
    drop = stop_words(language) | media_filler(language)
    found: list[str] = []
    seen: set[str] = set()
    for word in slug_words(text[:1000], language, unicode=unicode):
        key = word_fold(word, language)
        if word_key(word, language) in drop or key in seen:
            continue
        if is_useful_word(word, language):
            found.append(word)
            seen.add(key)
            if len(found) >= limit:
                break
    return found
