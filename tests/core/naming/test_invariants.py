"""Invariants over many generated inputs (plain seeded loops; hypothesis is not installed)."""

from __future__ import annotations

import random
import re
from typing import Any, get_args

import pytest

from core.errors import ValidationFailed
from core.naming import LANGUAGES, NamingOptions, Proposal, normalize_user_name, propose_name, unique_filename
from core.naming.words import RESERVED_NAMES, is_allowed_word, slug_words
from core.vision.base import Analysis, DominantColor, Place, Safety

STEM = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FORBIDDEN_OPENING = re.compile(r"^(?:an?\s+)?(?:image|picture|photo)\s+of\b", re.IGNORECASE)
Case = tuple[Analysis | None, list[str], str, str, NamingOptions, int]  # analysis, keywords, name, type, options, n
MIME_TYPES = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/heic",
    "image/heif",
    "image/avif",
]

WORDS = [
    "red", "leather", "handbag", "Summer", "SALE", "beach", "sunset", "wedding", "Crème", "brûlée", "Straße", "Øresund",
    "Москва", "зимой", "Αθήνα", "Ακρόπολη", "東京", "タワー", "北京", "서울", "हिन्दी", "مرحبا", "café", "naïve",
    "2024", "1999",
    "50ml", "4k", "10", "007", "123456", "a", "the", "of", "and", "image", "photo", "IMG", "copy", "final", "v2", "new",
    "(1)", "con", "PRN", "aux", "NUL", "com1", "lpt9", "😀", "&", "...", "—", "'", "supercalifragilisticexpialidocious",
    "x" * 70, "Valentine's", "iPhoneCase", "RedLeatherHandbag",
]  # fmt: skip
CAMERA = ["IMG_1234", "DSC0001", "DSCN0042", "PXL_20240101_123456", "GOPR0001", "DJI_0001", "P1000123", "00042", ""]
SEPARATORS = [" ", "-", "_", ".", "  ", "--", " - "]
EXTENSIONS = [".jpg", ".JPG", ".jpeg", ".png", ".HEIC", "", ".tar"]


def _phrase(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return "".join(word + rng.choice(SEPARATORS) for word in words).strip()


def _original_name(rng: random.Random) -> str:
    parts = [rng.choice(CAMERA) if rng.random() < 0.5 else "", _phrase(rng, 0, 6)]
    if rng.random() < 0.1:
        parts.append(_phrase(rng, 40, 60))  # well past 300 characters
    return rng.choice(SEPARATORS).join(p for p in parts if p) + rng.choice(EXTENSIONS)


def _analysis(rng: random.Random) -> Analysis | None:
    if rng.random() < 0.2:
        return None
    fields: dict[str, Any] = {
        "provider": rng.choice(["local", "cloud"]),
        "width": 1000,
        "height": 1000,
        "orientation": rng.choice(get_args(Analysis.model_fields["orientation"].annotation)),
        "aspect_ratio": 1.0,
        "faces": rng.choice([0, 0, 1, 2, 5, 11, 40]),
    }
    if rng.random() < 0.4:
        fields["subject"] = _phrase(rng, 0, 5)
    if rng.random() < 0.6:
        fields["labels"] = [_phrase(rng, 1, 2) for _ in range(rng.randint(0, 4))] + rng.sample(
            ["portrait", "group", "people", "text"], rng.randint(0, 2)
        )
    if rng.random() < 0.8:
        fields["colors"] = [
            DominantColor(
                name=rng.choice(["red", "navy blue", "off white", "Grün", "dark olive green"]),
                hex="#000",
                share=rng.random(),
            )
            for _ in range(rng.randint(1, 3))
        ]
    if rng.random() < 0.4:
        fields["text"] = _phrase(rng, 1, 200 if rng.random() < 0.3 else 8)
    if rng.random() < 0.4:
        fields["place"] = Place(name=_phrase(rng, 1, 3) or "Lyon", latitude=0.0, longitude=0.0)
    if rng.random() < 0.3:
        fields["alt_text"] = rng.choice(["", "Photo of ", "An image of a picture of ", "A "]) + _phrase(rng, 0, 40)
    return Analysis(**fields)


def _options(rng: random.Random) -> NamingOptions:
    min_words = rng.randint(1, 4)
    return NamingOptions(
        max_length=rng.choice([20, 30, 45, 60, 80, 120]),
        min_words=min_words,
        max_words=rng.randint(min_words, 8),
        max_keywords=rng.randint(0, 3),
    )


def _generated(count: int) -> list[Case]:
    rng = random.Random(20240607)  # fixed seed: a failure is reproducible
    cases = []
    for _ in range(count):
        keywords = [_phrase(rng, 1, 3) for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))]
        cases.append(
            (_analysis(rng), keywords, _original_name(rng), rng.choice(MIME_TYPES), _options(rng), rng.randint(1, 5000))
        )
    return cases


CASES = _generated(3000)


def _propose(case: Case) -> Proposal:
    given, keywords, original, mime_type, options, number = case
    return propose_name(
        given, keywords=keywords, original_name=original, mime_type=mime_type, options=options, fallback_number=number
    )


@pytest.fixture(scope="module")
def proposals() -> list[tuple[Case, Proposal]]:
    return [(case, _propose(case)) for case in CASES]


def test_every_proposed_name_keeps_the_rules(proposals: list[tuple[Case, Proposal]]) -> None:
    for case, proposal in proposals:
        options = case[4]
        stem = proposal.stem
        words = stem.split("-")
        context = (case, proposal)
        assert STEM.match(stem), context
        assert len(stem) <= options.max_length, context
        assert 1 <= len(words) <= options.max_words, context
        # The minimum is met, unless even one padding word would not have fitted.
        assert len(words) >= min(options.min_words, 3) or len(stem) + len("-image") > options.max_length, context
        assert stem not in RESERVED_NAMES, context
        assert proposal.extension in {"jpg", "png", "gif", "webp", "tiff", "heic", "heif", "avif"}, context
        assert proposal.filename == f"{stem}.{proposal.extension}"


def test_every_alt_text_keeps_the_rules(proposals: list[tuple[Case, Proposal]]) -> None:
    for case, proposal in proposals:
        alt = proposal.alt_text
        assert 0 < len(alt) <= 125, (case, alt)
        assert alt.endswith(".") and not alt.endswith(".."), (case, alt)
        assert not FORBIDDEN_OPENING.match(alt), (case, alt)
        assert alt[0].isalnum() or alt[0] in '"“', (case, alt)


def test_same_input_same_output(proposals: list[tuple[Case, Proposal]]) -> None:
    for case, proposal in proposals[:500]:
        assert _propose(case) == proposal


@pytest.mark.parametrize("max_length", [20, 60, 120])
def test_unique_filename_over_a_whole_generated_batch(max_length: int, proposals: list[tuple[Case, Proposal]]) -> None:
    taken: set[str] = set()
    for _, proposal in proposals:
        name = unique_filename(proposal.stem, proposal.extension, taken, max_length=max_length)
        stem, _, extension = name.rpartition(".")
        assert name.lower() not in taken
        assert STEM.match(stem) and len(stem) <= max_length and extension == proposal.extension
        assert stem not in RESERVED_NAMES
        taken.add(name.lower())
    assert len(taken) == len(CASES)


def test_user_edits_either_normalise_to_a_valid_stem_or_are_refused_with_the_code() -> None:
    rng = random.Random(7)
    accepted = 0
    for _ in range(2000):
        raw = _phrase(rng, 0, 10) + rng.choice([*EXTENSIONS, "", "/x", "\\x"])
        options = NamingOptions(max_length=rng.choice([20, 60]))
        try:
            stem = normalize_user_name(raw, extension="jpg", options=options)
        except ValidationFailed as refused:
            assert refused.code == "invalid_name"
            assert refused.detail.endswith(".")
            continue
        accepted += 1
        assert STEM.match(stem) and len(stem) <= options.max_length and stem not in RESERVED_NAMES
        assert normalize_user_name(stem, extension="jpg", options=options) == stem  # idempotent
    assert accepted > 500


# --- the same invariants across languages and options

LANGUAGE_WORDS = [
    "Größe", "Äpfel", "Straße", "für", "der", "mit", "l'été", "œuvre", "des", "avec", "niño", "señora", "los", "con",
    "dell'acqua", "della", "ĳs", "foto's", "het", "een", "ação", "limões", "não", "uma", "красная", "東京タワー",
    "ΑΘΗΝΑ",
]  # fmt: skip
TEMPLATES = [
    None,
    "{brand}-{subject}-{color}-{keyword}-{n}",
    "{keywords}_{sku}",
    "{n}",
    "shop / {original} / {text} / {place} / {date}",
    "{object}-{material}-{setting}-{camera}-{keyword2}",
]
STEM_WORD = re.compile(r"[a-z0-9]+")


def _option_analysis(rng: random.Random) -> Analysis | None:
    given = _analysis(rng)
    if given is None or rng.random() < 0.3:
        return given
    extra: dict[str, Any] = {
        "objects": [_phrase(rng, 1, 2) for _ in range(rng.randint(0, 3))],
        "attributes": rng.sample(["navy", "leather", "Rot", "cuir", "steel", "forest green", "x" * 50], 2),
        "setting": rng.choice([None, "studio", "beach at sunset", _phrase(rng, 1, 4)]),
        "brand": rng.choice([None, "ACME", "Café Noir", _phrase(rng, 1, 2)]),
        "landmark": rng.choice([None, "Eiffel Tower", "Ακρόπολη"]),
        "suggested_words": [_phrase(rng, 1, 2) for _ in range(rng.randint(0, 6))],
        "camera": rng.choice([None, "Canon EOS R5"]),
    }
    if rng.random() < 0.3:
        extra["safety"] = Safety(flagged=True, reasons=["nudity"], source="nudenet")
    return given.model_copy(update=extra)


def _option_cases(count: int) -> list[Case]:
    rng = random.Random(20261121)
    words = WORDS + LANGUAGE_WORDS
    cases: list[Case] = []
    for _ in range(count):
        keywords = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(0, 3))]
        original = _original_name(rng)
        if rng.random() < 0.3:
            original = rng.choice(["AB-1234 ", "sku_XY-99 ", ""]) + rng.choice(LANGUAGE_WORDS) + " " + original
        min_words = rng.randint(1, 4)
        options = NamingOptions(
            language=rng.choice(LANGUAGES),
            max_length=rng.choice([20, 30, 60, 120]),
            min_words=min_words,
            max_words=rng.randint(min_words, 8),
            max_keywords=rng.randint(0, 3),
            case_style=rng.choice(["kebab", "snake"]),
            template=rng.choice(TEMPLATES),
            keep_pattern=rng.choice([None, r"[A-Z]{2}-\d{4}", r"sku_(\w+)"]),
            unicode=rng.random() < 0.4,
            brand=rng.choice([None, "Acme", "Ünïcode Brand"]),
            descriptive=rng.random() < 0.8,
        )
        cases.append((_option_analysis(rng), keywords, original, rng.choice(MIME_TYPES), options, rng.randint(1, 999)))
    return cases


OPTION_CASES = _option_cases(2500)


@pytest.fixture(scope="module")
def option_proposals() -> list[tuple[Case, Proposal]]:
    return [(case, _propose(case)) for case in OPTION_CASES]


def _words_are_allowed(words: list[str], unicode: bool) -> bool:
    return all((is_allowed_word(word) if unicode else bool(STEM_WORD.fullmatch(word))) for word in words)


def test_names_keep_the_rules_in_every_language_and_option(option_proposals: list[tuple[Case, Proposal]]) -> None:
    for case, proposal in option_proposals:
        options = case[4]
        stem = proposal.stem
        words = stem.split(options.separator)
        context = (case, proposal)
        assert stem and all(words), context  # never empty, no doubled or trailing separator
        assert _words_are_allowed(words, options.unicode), context
        assert "-_"[options.case_style == "kebab"] not in stem, context  # one separator only
        assert len(stem) <= options.max_length, context
        assert stem.lower() not in RESERVED_NAMES, context
        if options.template is None:
            assert len(words) <= options.max_words, context


def test_alt_text_keeps_the_rules_in_every_language_and_option(option_proposals: list[tuple[Case, Proposal]]) -> None:
    for case, proposal in option_proposals:
        alt = proposal.alt_text
        assert 0 < len(alt) <= 125, (case, alt)
        assert alt.endswith(".") and not alt.endswith(".."), (case, alt)
        assert alt[0].isalnum() or alt[0] in '"“„«', (case, alt)


def test_neutral_names_use_only_batch_words_and_the_number(option_proposals: list[tuple[Case, Proposal]]) -> None:
    checked = 0
    for case, proposal in option_proposals:
        given, keywords, original, _, options, number = case
        if options.descriptive or given is None:
            continue
        checked += 1
        allowed = {
            *(w for keyword in keywords for w in slug_words(keyword, options.language, unicode=options.unicode)),
            *slug_words(options.brand or "", options.language, unicode=options.unicode),
            *slug_words(original, options.language, unicode=options.unicode),  # the SKU comes from here
            *slug_words(options.template or "", options.language, unicode=options.unicode),  # literal words
            str(number),
            "image",
            "bild",
            "imagen",
            "immagine",
            "afbeelding",
            "imagem",
            "untitled",
            *(str(part) for part in range(1, 32)),
            "2024",
            "06",
            "17",
            "canon",
            "eos",
            "r5",
        }
        assert set(proposal.stem.split(options.separator)) <= allowed, (case, proposal)
    assert checked > 100


def test_option_cases_are_deterministic(option_proposals: list[tuple[Case, Proposal]]) -> None:
    for case, proposal in option_proposals[:300]:
        assert _propose(case) == proposal
