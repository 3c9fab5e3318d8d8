"""Naming options: Unicode names, snake case, the keep pattern, neutral names, the brand, and the
fields recognising providers add to an analysis."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.errors import ValidationFailed
from core.naming import NamingOptions, descriptive_allowed, normalize_user_name, propose_name, unique_filename
from core.naming.words import slug_words
from core.vision.base import Analysis, DominantColor, Place, Safety


def analysis(**fields: Any) -> Analysis:
    values: dict[str, Any] = {
        "provider": "cloud",
        "width": 1200,
        "height": 800,
        "orientation": "landscape",
        "aspect_ratio": 1.5,
    }
    values.update(fields)
    return Analysis(**values)


def propose(given: Analysis | None, keywords: list[str], original: str, **options: Any) -> tuple[str, str]:
    proposal = propose_name(
        given,
        keywords=keywords,
        original_name=original,
        mime_type="image/jpeg",
        options=NamingOptions(**options),
        fallback_number=7,
    )
    return proposal.stem, proposal.alt_text


RED = [DominantColor(name="red", hex="#d71920", share=0.6)]
PARIS = Place(name="Paris", latitude=48.86, longitude=2.35)
FLAGGED = Safety(flagged=True, reasons=["nudity"], source="nudenet", score=0.93)
CLOUD = analysis(
    subject="woman with handbag",
    objects=["woman", "handbag", "sunglasses"],
    attributes=["leather", "navy"],
    setting="studio",
    brand="ACME",
    landmark="Eiffel Tower",
    place=PARIS,
    colors=RED,
    faces=1,
    alt_text="A woman holding a navy leather handbag in front of the Eiffel Tower",
    captured_at=datetime(2024, 6, 17, 10, 30),
    camera="Canon EOS R5",
)


# --- Unicode names


@pytest.mark.parametrize(
    ("original", "keywords", "stem"),
    [
        pytest.param("красная сумка.jpg", [], "красная-сумка-7", id="cyrillic"),
        pytest.param("東京タワー 夜景.jpg", [], "東京-タワー-夜景", id="japanese-split-where-kanji-meet-katakana"),
        pytest.param("Crème Brûlée.jpg", ["Été"], "crème-brûlée-été", id="latin-accents-kept"),
        pytest.param("ΑΚΡΟΠΟΛΗ.jpg", [], "ακροπολη-image-7", id="greek-casefolded"),
        pytest.param(
            "IMG_1234 фото сумка.jpg", ["Сумка"], "сумка-image-7", id="filler-and-repeats-judged-on-the-ascii-key"
        ),
    ],
)
def test_unicode_names_keep_letters_of_any_script(original: str, keywords: list[str], stem: str) -> None:
    assert propose(None, keywords, original, unicode=True)[0] == stem


def test_unicode_is_off_by_default() -> None:
    assert propose(None, [], "красная сумка.jpg")[0] == "krasnaya-sumka-7"


def test_unicode_names_still_refuse_punctuation_and_symbols() -> None:
    assert slug_words("№5 ½ cup — «шик»! 😀", unicode=True) == ["5", "1", "2", "cup", "шик"]


# --- snake case


def test_snake_case_joins_words_with_underscores() -> None:
    stem, _ = propose(None, ["summer sale"], "red leather handbag.jpg", case_style="snake")
    assert stem == "red_leather_handbag_summer_sale"


def test_unknown_case_style_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="case_style"):
        NamingOptions(case_style="camel")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case_style", "taken", "expected"),
    [
        ("kebab", ["red-handbag.jpg"], "red-handbag-2.jpg"),
        ("snake", ["red_handbag.jpg"], "red_handbag_2.jpg"),
        ("snake", ["red_handbag.jpg", "red_handbag_2.jpg"], "red_handbag_3.jpg"),
    ],
)
def test_unique_filename_numbers_in_the_case_style(case_style: str, taken: list[str], expected: str) -> None:
    stem = "red_handbag" if case_style == "snake" else "red-handbag"
    assert unique_filename(stem, "jpg", taken, case_style=case_style) == expected


def test_unique_filename_trims_whole_snake_words_within_the_limit() -> None:
    stem = "handcrafted_red_leather_shoulder_bag"  # 36 characters
    name = unique_filename(stem, "jpg", [f"{stem}.jpg"], max_length=36, case_style="snake")
    assert name == "handcrafted_red_leather_shoulder_2.jpg"


def test_unique_filename_with_unicode_stems() -> None:
    assert unique_filename("красная-сумка", "jpg", ["КРАСНАЯ-СУМКА.JPG"]) == "красная-сумка-2.jpg"


@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("My New Name.JPG", NamingOptions(case_style="snake"), "my_new_name"),
        ("Красная Сумка", NamingOptions(unicode=True), "красная-сумка"),
        ("Красная Сумка", NamingOptions(), "krasnaya-sumka"),
        ("Größe Äpfel", NamingOptions(language="de"), "groesse-aepfel"),
        # casefold, not lower: "ß" folds to "ss" as it does in case-insensitive comparisons
        ("Größe Äpfel", NamingOptions(language="de", unicode=True, case_style="snake"), "grösse_äpfel"),
    ],
)
def test_user_edits_follow_the_batch_spelling(raw: str, options: NamingOptions, expected: str) -> None:
    assert normalize_user_name(raw, extension="jpg", options=options) == expected


def test_a_reserved_snake_name_suggests_a_snake_alternative() -> None:
    with pytest.raises(ValidationFailed, match="“con_photo”"):
        normalize_user_name("con", extension="jpg", options=NamingOptions(case_style="snake"))


# --- keep pattern (SKU)


@pytest.mark.parametrize(
    ("original", "options", "stem"),
    [
        pytest.param(
            "AB-1234 red handbag.jpg",
            {"keep_pattern": r"[A-Z]{2}-\d{4}"},
            "red-handbag-summer-sale-ab-1234",
            id="kebab",
        ),
        pytest.param(
            "AB-1234 red handbag.jpg",
            {"keep_pattern": r"[A-Z]{2}-\d{4}", "case_style": "snake"},
            "red_handbag_summer_sale_ab_1234",
            id="snake",
        ),
        pytest.param(
            "IMG_0001 sku_XY-99.jpg", {"keep_pattern": r"sku_([A-Z]{2}-\d+)"}, "summer-sale-xy-99", id="first-group"
        ),
        pytest.param(
            "red handbag.jpg", {"keep_pattern": r"[A-Z]{2}-\d{4}"}, "red-handbag-summer-sale", id="no-match-no-sku"
        ),
        pytest.param(
            "AB-1234 handcrafted red leather shoulder handbag.jpg",
            {"keep_pattern": r"[A-Z]{2}-\d{4}", "max_length": 30},
            "handcrafted-red-ab-1234",
            id="sku-survives-the-length-limit",
        ),
    ],
)
def test_keep_pattern_keeps_the_sku(original: str, options: dict[str, Any], stem: str) -> None:
    result, alt = propose(None, ["summer sale"], original, **options)
    assert result == stem
    assert "1234" not in alt  # the SKU is an identifier, not a description


def test_an_invalid_stored_keep_pattern_keeps_nothing_rather_than_failing() -> None:
    assert propose(None, [], "red handbag.jpg", keep_pattern="([")[0] == "red-handbag-7"


# --- neutral names for pictures flagged unsafe


def test_descriptive_allowed() -> None:
    flagged = analysis(safety=FLAGGED)
    assert not descriptive_allowed(flagged, allow_unsafe_names=False)
    assert descriptive_allowed(flagged, allow_unsafe_names=True)
    assert descriptive_allowed(analysis(safety=Safety(flagged=False, source="nudenet")), allow_unsafe_names=False)
    assert descriptive_allowed(None, allow_unsafe_names=False)


@pytest.mark.parametrize(
    ("keywords", "options", "stem", "alt"),
    [
        pytest.param(
            ["summer sale"], {"brand": "Acme"}, "acme-summer-sale-7", "Image for Acme and summer sale.", id="brand"
        ),
        pytest.param([], {}, "image-7", "Image.", id="nothing-to-say"),
        pytest.param(
            ["Sommerschlussverkauf"],
            {"language": "de"},
            "sommerschlussverkauf-bild-7",
            "Bild zu Sommerschlussverkauf.",
            id="german",
        ),
        pytest.param(
            ["summer sale"],
            {"keep_pattern": r"[A-Z]{2}-\d{4}"},
            "summer-sale-ab-1234-7",
            "Image for summer sale.",
            id="sku",
        ),
        pytest.param(
            ["summer sale"],
            {"template": "{subject}-{color}-{keyword}-{n}"},
            "summer-sale-7",
            "Image for summer sale.",
            id="template-keeps-only-neutral-fields",
        ),
    ],
)
def test_neutral_names_never_describe_the_picture(
    keywords: list[str], options: dict[str, Any], stem: str, alt: str
) -> None:
    given = CLOUD.model_copy(update={"safety": FLAGGED, "text": "NUDE BEACH"})
    result, alt_text = propose(given, keywords, "AB-1234 nude beach woman.jpg", descriptive=False, **options)
    assert (result, alt_text) == (stem, alt)
    described = {"woman", "handbag", "nude", "beach", "leather", "navy", "red", "paris", "eiffel", "studio"}
    assert not described & set(result.split("-")) and not described & set(alt_text.lower().rstrip(".").split())


# --- new Analysis fields


def test_a_recognising_provider_feeds_the_name_in_priority_order() -> None:
    stem, alt = propose(CLOUD, ["summer sale"], "IMG_1.jpg", brand="Acme", max_words=10, max_length=120)
    assert stem == "woman-handbag-summer-sale-acme-sunglasses-leather-navy-studio-paris"
    assert alt == "A woman holding a navy leather handbag in front of the Eiffel Tower."


def test_composed_alt_text_uses_brand_objects_landmark_setting_and_colour_attribute() -> None:
    given = CLOUD.model_copy(update={"alt_text": None, "subject": "woman"})
    _, alt = propose(given, [], "x.jpg", brand="Acme")
    assert alt == "Woman by Acme with handbag and sunglasses, Eiffel Tower in Paris, studio, in navy tones."


def test_the_first_object_is_the_subject_when_there_is_none() -> None:
    given = analysis(objects=["bicycle", "helmet"], labels=["vehicle"], colors=RED)
    assert propose(given, [], "IMG_1.jpg")[0] == "bicycle-helmet-red-vehicle"


def test_a_colour_attribute_replaces_the_measured_colour() -> None:
    given = analysis(subject="sneakers", attributes=["white", "canvas"], colors=RED)
    stem, _ = propose(given, [], "x.jpg")
    assert stem == "sneakers-canvas-white"
    assert "red" not in stem


def test_suggested_words_are_a_strong_source_but_filtered() -> None:
    given = analysis(
        labels=["Bag"],
        suggested_words=["IMG", "the", "red", "tote bag", "x7q9z2k1", "final", "copy", "00123", "a"],
    )
    assert propose(given, [], "IMG_1.jpg")[0] == "red-tote-bag"


def test_the_seen_brand_is_spelled_as_the_batch_spells_it_and_unseen_brands_stay_out() -> None:
    seen = analysis(subject="sneakers", brand="ACME")
    unseen = analysis(subject="sneakers")
    assert propose(seen, [], "x.jpg", brand="Acme Co")[0] == "sneakers-acme-7"
    assert propose(seen, [], "x.jpg", brand="acme")[0] == "sneakers-acme-7"
    assert propose(unseen, [], "x.jpg", brand="Acme")[0] == "sneakers-landscape-image-7"


def test_the_landmark_is_a_place() -> None:
    given = analysis(subject="couple", landmark="Eiffel Tower", place=PARIS)
    assert propose(given, [], "x.jpg")[0] == "couple-eiffel-tower-paris"
