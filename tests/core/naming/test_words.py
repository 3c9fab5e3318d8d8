"""Tokenising, transliteration and the meaningful words of an original filename."""

from __future__ import annotations

import pytest

from core.naming import meaningful_words
from core.naming.languages import stop_words
from core.naming.words import ocr_words, slug_words, transliterate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Москва", ["moskva"], id="cyrillic"),
        pytest.param("Αθήνα", ["athina"], id="greek"),
        pytest.param("北京", ["beijing"], id="cjk-stays-one-word"),
        pytest.param("Crème brûlée", ["creme", "brulee"], id="accented-latin"),
        pytest.param("Straße", ["strasse"], id="german-sharp-s"),
        pytest.param("Øresund Bridge", ["oresund", "bridge"], id="danish-o-slash"),
        pytest.param("Cre\u0300me", ["creme"], id="decomposed-accent-is-not-a-word-break"),
        pytest.param("Valentine’s Day", ["valentines", "day"], id="apostrophe-joins"),
        pytest.param("Black & White", ["black", "white"], id="symbols-split"),
        pytest.param("😀 party 🎉", ["party"], id="emoji-dropped-not-spelled-out"),
        pytest.param("   ", [], id="blank"),
    ],
)
def test_slug_words_transliterate_without_losing_letters(text: str, expected: list[str]) -> None:
    assert slug_words(text) == expected


def test_transliteration_is_keyed_by_language_and_unknown_languages_fall_back_to_english() -> None:
    assert transliterate("Crème", "en") == "Creme"
    assert transliterate("Crème", "xx") == "Creme"
    assert "the" in stop_words("xx")


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        # camera prefixes and counters
        pytest.param("IMG_1234.JPG", [], id="img-counter"),
        pytest.param("IMG_20240101_123456.jpg", [], id="img-timestamp"),
        pytest.param("DSC0001.JPG", [], id="dsc"),
        pytest.param("DSC_0001-Edit.jpg", [], id="dsc-edit"),
        pytest.param("DSCN0042.jpg", [], id="dscn"),
        pytest.param("PXL_20240101_123456789.MP.jpg", [], id="pixel"),
        pytest.param("GOPR0001.JPG", [], id="gopro"),
        pytest.param("DJI_0001.JPG", [], id="dji"),
        pytest.param("P1000123.JPG", [], id="panasonic"),
        pytest.param("IMG-20240101-WA0001.jpeg", [], id="whatsapp"),
        pytest.param("20240101_123456.jpg", [], id="samsung-timestamp"),
        pytest.param("00042.png", [], id="numeric-counter"),
        pytest.param("42.png", [], id="small-numeric-counter"),
        pytest.param("IMG_1234 Eiffel Tower.jpg", ["eiffel", "tower"], id="camera-prefix-then-words"),
        pytest.param("dji-mavic-3.jpg", ["dji", "mavic"], id="brand-without-counter-kept"),
        # filler and copy markers
        pytest.param("image.jpg", [], id="only-filler"),
        pytest.param("untitled (3).png", [], id="untitled-copy"),
        pytest.param("Screen Shot 2024-01-01 at 12.34.56 PM.png", [], id="mac-screenshot"),
        pytest.param("Crème brûlée final_v2 copy.png", ["creme", "brulee"], id="final-version-copy"),
        pytest.param("red-leather-handbag (1).jpg", ["red", "leather", "handbag"], id="copy-marker"),
        pytest.param("new photo of my dog - edited.jpg", ["dog"], id="filler-and-stop-words"),
        pytest.param("copy 2 of sunset.jpg", ["sunset"], id="copy-with-number"),
        pytest.param("photo-1506744038136-46273834b3fb.jpg", [], id="stock-id-and-hash"),
        pytest.param("3f2a9c1e-4b5d-4c6e-8f7a-1b2c3d4e5f60.png", [], id="uuid"),
        pytest.param("12345678_101234567_n.jpg", [], id="social-download"),
        # numbers that carry meaning
        pytest.param("wedding-2023-06-17.jpg", ["wedding", "2023"], id="date-keeps-year"),
        pytest.param("beach-2024.jpg", ["beach", "2024"], id="trailing-year-kept"),
        pytest.param("beach-3.jpg", ["beach"], id="trailing-counter-dropped"),
        pytest.param("iphone-15-pro.jpg", ["iphone", "15", "pro"], id="model-number-kept"),
        pytest.param("poster 50x70cm.jpg", ["poster", "50x70cm"], id="size-kept"),
        pytest.param("perfume 50ml.png", ["perfume", "50ml"], id="volume-kept"),
        # shapes of names
        pytest.param("RedLeatherHandbag.jpg", ["red", "leather", "handbag"], id="camel-case"),
        pytest.param("iPhoneCase.png", ["iphone", "case"], id="camel-case-brand"),
        pytest.param("summer_sale.HEIC", ["summer", "sale"], id="underscores-and-upper-extension"),
        pytest.param("summer.sale", ["summer", "sale"], id="unknown-extension-is-a-word"),
        pytest.param("C:\\Users\\ana\\Pictures\\summer sale.jpg", ["summer", "sale"], id="windows-path"),
        pytest.param("uploads/2024/café.jpeg", ["cafe"], id="posix-path"),
        pytest.param("shoes Shoes SHOES.jpg", ["shoes"], id="repeated-word"),
        pytest.param("handbag handbags.jpg", ["handbag"], id="plural-repeat"),
        # other scripts
        pytest.param("Москва зимой.jpg", ["moskva", "zimoy"], id="cyrillic"),
        pytest.param("Ακρόπολη Αθήνα.jpg", ["akropoli", "athina"], id="greek"),
        pytest.param("東京タワー 夜景.jpg", ["dongjingtawa", "yejing"], id="cjk"),
        pytest.param("Straßenfest München.jpg", ["strassenfest", "munchen"], id="german"),
    ],
)
def test_meaningful_words(original: str, expected: list[str]) -> None:
    assert meaningful_words(original) == expected


def test_a_300_character_filename_keeps_all_its_words_in_order() -> None:
    name = "-".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(43))
    assert len(name) == 300
    words = meaningful_words(name + ".jpg")
    assert words[:3] == ["wordaa", "wordba", "wordca"]
    assert len(words) == 43


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("GRAND OPENING SALE", ["grand", "opening", "sale"], id="caps"),
        pytest.param("The best of the summer sale", ["best", "summer", "sale"], id="stop-words"),
        pytest.param("Sale 50% off", ["sale", "50"], id="number-kept"),
        pytest.param("lll ||| Open 24h", ["open", "24h"], id="ocr-noise-dropped"),
        pytest.param("Call 0123456789 now", ["call"], id="phone-number-dropped"),
        pytest.param(
            "Welcome to our bakery. " + "Lorem ipsum dolor sit amet " * 40 + "closing words",
            ["welcome", "bakery", "lorem"],
            id="long-text-gives-its-beginning",
        ),
    ],
)
def test_ocr_words_are_the_first_meaningful_words(text: str, expected: list[str]) -> None:
    assert ocr_words(text, limit=3) == expected
