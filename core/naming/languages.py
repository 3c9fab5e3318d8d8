"""Per-language tables for the naming engine, keyed by language code.

Everything that depends on the language lives here: stop words, filler words, the
transliteration done before the universal `anyascii` pass, and the fold that decides
when two words are "the same word" (so "handbag" and "handbags" are not both used).
A language plugs in by adding one entry to each table; a code with no entry falls back
to English, which is filled in now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

DEFAULT_LANGUAGE = "en"

_T = TypeVar("_T")


def word_set(text: str) -> frozenset[str]:
    """A table of words written as one whitespace-separated block, which reads better than a list."""
    return frozenset(text.split())


_ENGLISH_STOP_WORDS = word_set(
    """
    a about above across after afterwards again against all almost along already also although always am among
    amongst an and another any anyhow anyone anything anyway anywhere are around as at be became because become
    becomes been before beforehand behind being below beside besides between beyond both but by can cannot could
    did do does doing done during each either else elsewhere enough etc even ever every everyone everything
    everywhere except few for former formerly from further had has have having he hence her here hereafter hereby
    herein hers herself him himself his how however i ie if in indeed into is it its itself just latter least less
    many may me meanwhile might more moreover most mostly much must my myself namely neither never
    nevertheless no nobody none noone nor not nothing now nowhere of off often on once only onto or other others
    otherwise our ours ourselves out over own per perhaps please quite rather really same several she should since so
    some somehow someone something sometime sometimes somewhere still such than that the their theirs them
    themselves then thence there thereafter thereby therefore therein thereupon these they this those though through
    throughout thru thus to together too toward towards under until unto up upon us very via was we were what
    whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whom whose why will with within without would yet you your yours yourself yourselves
    aint arent cant couldnt didnt doesnt dont hadnt hasnt havent hed hes im isnt itd itll ive lets shant
    shes shouldnt thats theres theyd theyll theyre theyve wasnt weve werent whats wheres whos wont wouldnt
    youd youll youre youve s t d ll m re ve amp
    """
)

# Words that say nothing about what is in the picture. Media words are dropped from
# every automatic source (filename, subject, labels, OCR); file words only from an
# original filename, where "new" or "final" describe the file, not the content
# (a batch keyword "new arrivals" or a place "New York" keeps its "new").
_ENGLISH_MEDIA_FILLER = word_set(
    """
    image images img imgs photo photos foto fotos photograph photographs picture pictures pic pics pict pix
    snapshot snap jpg jpeg jpe jfif png gif webp tif tiff heic heif avif bmp dng raw
    """
)
_ENGLISH_FILE_FILLER = word_set(
    """
    copy copies final finals edited edit edits new untitled unnamed unknown screenshot screenshots screencap
    version ver rev revised draft wip temp tmp export exported resized resize scaled cropped retouched
    original orig hdr thumb thumbnail thumbnails preview min compressed optimized optimised download downloaded
    file files whatsapp mp pm
    """
)


def _english_fold(word: str) -> str:
    """Fold plural forms so "handbags" counts as "handbag" when avoiding repetition."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


STOP_WORDS: Mapping[str, frozenset[str]] = {"en": _ENGLISH_STOP_WORDS}
MEDIA_FILLER: Mapping[str, frozenset[str]] = {"en": _ENGLISH_MEDIA_FILLER}
FILE_FILLER: Mapping[str, frozenset[str]] = {"en": _ENGLISH_FILE_FILLER}
# Characters transliterated the language's own way before anyascii handles the rest
# (German will map "ä" to "ae" where anyascii gives "a"). English needs none.
TRANSLITERATION: Mapping[str, Mapping[str, str]] = {"en": {}}
FOLDS: Mapping[str, Callable[[str], str]] = {"en": _english_fold}


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


def fold(word: str, language: str) -> str:
    return _table(FOLDS, language)(word)
