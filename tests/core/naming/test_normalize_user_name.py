"""normalize_user_name: a person's edit follows the spelling rules or is refused with a sentence."""

from __future__ import annotations

import pytest

from core.errors import ValidationFailed
from core.naming import NamingOptions, normalize_user_name

SIXTY = "handcrafted-red-leather-shoulder-handbag-summer-sale-lyon-uk"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("My New Name.JPG", "my-new-name", id="typed-extension-dropped"),
        pytest.param("my new name", "my-new-name", id="spaces"),
        pytest.param("  Crème   Brûlée ", "creme-brulee", id="accents-and-extra-spaces"),
        pytest.param("Straße_Fest", "strasse-fest", id="sharp-s-and-underscore"),
        pytest.param("Москва зимой", "moskva-zimoy", id="cyrillic"),
        pytest.param("Ακρόπολη", "akropoli", id="greek"),
        pytest.param("東京 タワー", "dongjing-tawa", id="cjk"),
        pytest.param("sunset", "sunset", id="one-word-is-enough"),
        pytest.param("The Beatles", "the-beatles", id="stop-words-are-the-persons-choice"),
        pytest.param("new photo", "new-photo", id="filler-is-the-persons-choice"),
        pytest.param("summer--sale__2024!!", "summer-sale-2024", id="runs-of-separators"),
        pytest.param("Valentine's Day.jpg", "valentines-day", id="apostrophe"),
        pytest.param("name.png", "name", id="other-image-extension-dropped"),
        pytest.param("name.jpeg", "name", id="jpeg-spelling-dropped"),
        pytest.param("archive.tar", "archive-tar", id="non-image-suffix-is-a-word"),
        pytest.param("con-artist", "con-artist", id="reserved-word-inside-a-longer-name"),
        pytest.param(SIXTY, SIXTY, id="exactly-at-the-limit"),
        pytest.param(SIXTY + ".jpg", SIXTY, id="at-the-limit-with-extension"),
    ],
)
def test_accepted_edits(raw: str, expected: str) -> None:
    assert normalize_user_name(raw, extension="jpg") == expected


@pytest.mark.parametrize(
    ("raw", "options", "message"),
    [
        pytest.param("", NamingOptions(), "has no letters or digits", id="empty"),
        pytest.param("   ", NamingOptions(), "has no letters or digits", id="blank"),
        pytest.param("!!! ---", NamingOptions(), "has no letters or digits", id="punctuation-only"),
        pytest.param("😀🎉", NamingOptions(), "has no letters or digits", id="emoji-only"),
        pytest.param(".jpg", NamingOptions(), "has no letters or digits", id="extension-only"),
        pytest.param(
            SIXTY + "-x", NamingOptions(), "is 62 characters long .* the limit is 60 characters", id="too-long"
        ),
        pytest.param(
            "a very long name for a tiny limit",
            NamingOptions(max_length=20),
            "is 33 characters .* limit is 20",
            id="custom-limit",
        ),
        pytest.param("con", NamingOptions(), "“con” is a reserved device name", id="reserved-con"),
        pytest.param("CON.jpg", NamingOptions(), "“con” is a reserved device name", id="reserved-with-extension"),
        pytest.param("Com1", NamingOptions(), "“com1” is a reserved device name", id="reserved-com1"),
        pytest.param("lpt9.png", NamingOptions(), "“lpt9” is a reserved device name", id="reserved-lpt9"),
        pytest.param(" nul ", NamingOptions(), "“nul” is a reserved device name", id="reserved-nul"),
        pytest.param("prn", NamingOptions(), "add another word", id="reserved-says-what-to-do"),
        pytest.param("holiday/beach", NamingOptions(), "cannot contain “/” or “\\\\”", id="slash"),
        pytest.param("..\\beach", NamingOptions(), "cannot contain “/” or “\\\\”", id="backslash"),
    ],
)
def test_refused_edits(raw: str, options: NamingOptions, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        normalize_user_name(raw, extension="jpg", options=options)
    assert refused.value.code == "invalid_name"
    assert refused.value.status_code == 422


def test_a_long_edit_is_refused_not_silently_cut() -> None:
    with pytest.raises(ValidationFailed) as refused:
        normalize_user_name("x" * 61, extension="jpg")
    assert "61 characters" in refused.value.detail
    assert "60 characters" in refused.value.detail
