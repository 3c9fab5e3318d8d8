"""propose_name: subject first, keywords without stuffing, descriptors as room allows, never empty."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import UnsupportedMediaType
from core.naming import NamingOptions, Proposal, extension_for_mime, propose_name
from core.vision.base import Analysis, DominantColor, Place


def analysis(**fields: Any) -> Analysis:
    values: dict[str, Any] = {
        "provider": "local",
        "width": 1200,
        "height": 800,
        "orientation": "landscape",
        "aspect_ratio": 1.5,
    }
    values.update(fields)
    return Analysis(**values)


def color(name: str, share: float = 0.5) -> DominantColor:
    return DominantColor(name=name, hex="#000000", share=share)


def place(name: str) -> Place:
    return Place(name=name, latitude=45.76, longitude=4.84)


RED = [color("red")]
LYON = place("Lyon")


@pytest.mark.parametrize(
    ("mime_type", "extension"),
    [
        pytest.param("image/jpeg", "jpg", id="jpeg-is-jpg"),
        pytest.param("image/png", "png", id="png"),
        pytest.param("image/gif", "gif", id="gif"),
        pytest.param("image/webp", "webp", id="webp"),
        pytest.param("image/tiff", "tiff", id="tiff"),
        pytest.param("image/heic", "heic", id="heic"),
        pytest.param("image/heif", "heif", id="heif"),
        pytest.param("image/avif", "avif", id="avif"),
        pytest.param("IMAGE/JPEG", "jpg", id="upper-case-type"),
        pytest.param("image/png; charset=binary", "png", id="with-parameters"),
    ],
)
def test_extension_for_mime(mime_type: str, extension: str) -> None:
    assert extension_for_mime(mime_type) == extension


@pytest.mark.parametrize("mime_type", ["application/pdf", "image/svg+xml", ""])
def test_extension_for_an_unsupported_type_is_refused_with_a_sentence(mime_type: str) -> None:
    with pytest.raises(UnsupportedMediaType, match="cannot be renamed; use JPEG"):
        extension_for_mime(mime_type)


CASES = [
    # --- local analysis: names come from the filename, keywords, colour, place and text
    pytest.param(
        analysis(colors=RED, place=LYON, faces=2, labels=["group", "people"]),
        ["summer sale"],
        "red-leather-handbag.jpg",
        NamingOptions(),
        "red-leather-handbag-summer-sale-lyon",
        id="local-filename-subject-keywords-place",
    ),
    pytest.param(
        analysis(colors=RED),
        ["summer sale"],
        "IMG_1234.JPG",
        NamingOptions(),
        "summer-sale-red-7",
        id="camera-name-uses-keywords-and-number",
    ),
    pytest.param(
        analysis(colors=RED),
        ["handbag"],
        "DSCN0042.jpg",
        NamingOptions(),
        "handbag-red-7",
        id="camera-name-single-keyword",
    ),
    pytest.param(
        analysis(colors=[color("navy blue", 0.6), color("white", 0.3)]),
        [],
        "PXL_20240101_123456789.jpg",
        NamingOptions(),
        "navy-blue-landscape-image-7",
        id="no-keywords-descriptive-fallback",
    ),
    pytest.param(
        analysis(colors=[color("white", 0.2), color("green", 0.7)]),
        [],
        "GOPR0001.JPG",
        NamingOptions(),
        "green-landscape-image-7",
        id="dominant-colour-is-the-largest-share",
    ),
    pytest.param(
        analysis(), [], "IMG_1234.JPG", NamingOptions(), "landscape-image-7", id="empty-analysis-empty-keywords"
    ),
    pytest.param(None, [], "IMG_1234.JPG", NamingOptions(), "untitled-image-7", id="no-analysis-no-keywords"),
    pytest.param(None, [], "", NamingOptions(), "untitled-image-7", id="nothing-at-all"),
    pytest.param(None, ["handbag"], "IMG_1234.JPG", NamingOptions(), "handbag-image-7", id="no-analysis-keyword-only"),
    pytest.param(
        None, ["the", "of"], "DJI_0001.JPG", NamingOptions(), "untitled-image-7", id="keywords-of-stop-words-only"
    ),
    pytest.param(
        analysis(labels=["portrait", "people"], faces=1, colors=RED),
        ["team"],
        "P1000123.JPG",
        NamingOptions(),
        "team-red-portrait-7",
        id="local-labels-are-not-a-subject",
    ),
    pytest.param(
        analysis(colors=[color("beige")], faces=1, labels=["portrait"]),
        [],
        "Crème brûlée (1).jpg",
        NamingOptions(),
        "creme-brulee-beige-portrait",
        id="accented-filename",
    ),
    pytest.param(
        analysis(colors=RED, place=place("Москва")),
        ["Красная площадь"],
        "Москва зимой.jpg",
        NamingOptions(),
        "moskva-zimoy-krasnaya-ploshchad-red",
        id="cyrillic-place-already-in-subject",
    ),
    pytest.param(
        analysis(colors=[color("white", 0.7)], place=place("Αθήνα")),
        [],
        "Ακρόπολη.jpg",
        NamingOptions(),
        "akropoli-white-athina",
        id="greek",
    ),
    pytest.param(None, ["東京"], "東京タワー 夜景.jpg", NamingOptions(), "dongjingtawa-yejing-dongjing", id="cjk"),
    pytest.param(
        None, ["Straßenfest"], "IMG_0001.jpg", NamingOptions(), "strassenfest-image-7", id="german-sharp-s-keyword"
    ),
    pytest.param(
        analysis(place=place("Isle of Man")),
        [],
        "castle.jpg",
        NamingOptions(),
        "castle-isle-of-man",
        id="place-names-keep-their-words",
    ),
    # --- cloud analysis: subject and labels lead
    pytest.param(
        analysis(provider="cloud", subject="Red leather handbag", labels=["handbag", "leather", "studio"], colors=RED),
        ["summer sale", "handbag"],
        "acme-x200.jpg",
        NamingOptions(),
        "red-leather-handbag-summer-sale-acme",
        id="cloud-subject-then-keywords-then-filename",
    ),
    pytest.param(
        analysis(provider="cloud", labels=["Handbag", "Leather", "Person"], colors=RED),
        ["summer sale"],
        "IMG_1.jpg",
        NamingOptions(),
        "handbag-summer-sale-red-leather-person",
        id="cloud-first-label-is-subject",
    ),
    pytest.param(
        analysis(provider="cloud", subject="a photo of", labels=["bicycle"]),
        [],
        "IMG_1.jpg",
        NamingOptions(),
        "bicycle-landscape-image-7",
        id="empty-subject-falls-to-labels",
    ),
    # --- keyword stuffing
    pytest.param(
        None,
        ["summer sale", "Handbags", "sale"],
        "summer-sale-handbag.jpg",
        NamingOptions(),
        "summer-sale-handbag",
        id="keywords-already-present-are-skipped",
    ),
    pytest.param(
        None, ["handbag sale"], "red-handbag.jpg", NamingOptions(), "red-handbag-sale", id="keyword-adds-only-new-words"
    ),
    pytest.param(
        None,
        ["summer sale", "new arrivals", "fashion"],
        "red-handbag.jpg",
        NamingOptions(),
        "red-handbag-summer-sale-new-arrivals",
        id="at-most-two-keywords",
    ),
    pytest.param(
        None,
        ["summer sale", "SUMMER  SALE", "summer-sale"],
        "IMG_1.jpg",
        NamingOptions(),
        "summer-sale-7",
        id="duplicate-keywords",
    ),
    pytest.param(
        None,
        ["summer sale"],
        "red-handbag.jpg",
        NamingOptions(max_keywords=0),
        "red-handbag-7",
        id="keywords-switched-off",
    ),
    # --- reserved device names
    pytest.param(None, [], "con.jpg", NamingOptions(min_words=1), "con-7", id="reserved-con"),
    pytest.param(None, [], "LPT1.jpg", NamingOptions(min_words=1), "lpt1-7", id="reserved-lpt1"),
    pytest.param(None, ["AUX"], "IMG_1.jpg", NamingOptions(min_words=1), "aux-7", id="reserved-keyword"),
    pytest.param(None, [], "nul.png", NamingOptions(), "nul-image-7", id="reserved-padded"),
    # --- length and word-count limits
    pytest.param(
        None,
        ["summer sale"],
        "handcrafted-red-leather-shoulder-handbag.jpg",
        NamingOptions(max_length=20),
        "handcrafted-red-7",
        id="max-length-20",
    ),
    pytest.param(
        None,
        ["summer sale"],
        "handcrafted-red-leather-shoulder-handbag.jpg",
        NamingOptions(max_length=30),
        "handcrafted-red-summer-sale",
        id="max-length-30",
    ),
    pytest.param(
        None,
        ["summer sale"],
        "handcrafted-red-leather-shoulder-handbag.jpg",
        NamingOptions(),
        "handcrafted-red-leather-shoulder-summer-sale",
        id="max-length-60-six-words",
    ),
    pytest.param(
        None,
        ["summer sale"],
        "handcrafted-red-leather-shoulder-handbag.jpg",
        NamingOptions(max_length=100, max_words=10),
        "handcrafted-red-leather-shoulder-handbag-summer-sale",
        id="max-length-100-ten-words",
    ),
    pytest.param(
        analysis(colors=RED, place=LYON),
        ["summer sale"],
        "red-leather-handbag.jpg",
        NamingOptions(max_words=3),
        "red-leather-handbag",
        id="max-words-3-subject-wins",
    ),
    pytest.param(
        None,
        [],
        "supercalifragilisticexpialidocious-umbrella.jpg",
        NamingOptions(max_length=20, min_words=1),
        "umbrella",
        id="word-longer-than-limit-is-skipped",
    ),
]


@pytest.mark.parametrize(("given", "keywords", "original", "options", "stem"), CASES)
def test_propose_name(
    given: Analysis | None, keywords: list[str], original: str, options: NamingOptions, stem: str
) -> None:
    proposal = propose_name(
        given, keywords=keywords, original_name=original, mime_type="image/jpeg", options=options, fallback_number=7
    )
    assert proposal.stem == stem
    assert proposal.filename == f"{stem}.jpg"


def test_the_extension_comes_from_the_detected_type_not_the_original_name() -> None:
    proposal = propose_name(None, keywords=["sunset"], original_name="sunset.JPG", mime_type="image/png")
    assert proposal == Proposal(stem="sunset-image-1", extension="png", alt_text="Sunset.")
    assert proposal.filename == "sunset-image-1.png"


def test_a_long_ocr_paragraph_gives_its_first_words_not_its_last() -> None:
    text = (
        "Fresh bread baked daily. " + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 60 + "Closing words"
    )
    proposal = propose_name(
        analysis(labels=["text"], text=text), keywords=["bakery"], original_name="IMG_1.jpg", mime_type="image/jpeg"
    )
    assert proposal.stem == "bakery-fresh-bread-baked-1"
    assert "closing" not in proposal.stem


def test_a_300_character_original_name_is_cut_at_a_word_boundary() -> None:
    original = " ".join(["vintage", "leather", "travel", "suitcase"] + [f"extra{n}word" for n in range(30)]) + ".jpg"
    assert len(original) > 300
    proposal = propose_name(None, keywords=[], original_name=original, mime_type="image/jpeg")
    assert proposal.stem == "vintage-leather-travel-suitcase-extra0word-extra1word"
    assert len(proposal.stem) <= 60


def test_the_fallback_number_is_what_tells_keyword_only_names_apart() -> None:
    first, second = (
        propose_name(
            analysis(colors=RED),
            keywords=["summer sale"],
            original_name="IMG_1.jpg",
            mime_type="image/jpeg",
            fallback_number=n,
        )
        for n in (1, 2)
    )
    assert (first.stem, second.stem) == ("summer-sale-red-1", "summer-sale-red-2")


def test_a_subject_name_does_not_carry_the_number_when_it_has_enough_words() -> None:
    proposal = propose_name(
        None, keywords=[], original_name="red leather handbag.jpg", mime_type="image/jpeg", fallback_number=9
    )
    assert proposal.stem == "red-leather-handbag"


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"min_words": 0}, id="min-words-zero"),
        pytest.param({"min_words": 4, "max_words": 3}, id="min-above-max"),
        pytest.param({"max_length": 5}, id="max-length-too-small"),
        pytest.param({"max_keywords": -1}, id="negative-keywords"),
    ],
)
def test_inconsistent_options_are_a_programming_error(options: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        NamingOptions(**options)  # type: ignore[arg-type]
