"""make_alt_text: one sentence, at most 125 characters, about the filename's subject."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.naming import make_alt_text, propose_name
from core.naming.words import slug_words
from core.vision.base import Analysis, DominantColor, Place

FORBIDDEN_OPENING = re.compile(r"^(?:an?\s+)?(?:image|picture|photo)\s+of\b", re.IGNORECASE)


def analysis(**fields: Any) -> Analysis:
    values: dict[str, Any] = {
        "provider": "local",
        "width": 800,
        "height": 1200,
        "orientation": "portrait",
        "aspect_ratio": 0.67,
    }
    values.update(fields)
    return Analysis(**values)


RED = [DominantColor(name="red", hex="#ff0000", share=0.6)]
LYON = Place(name="Lyon", latitude=45.76, longitude=4.84)
LONG_TEXT = "Grand opening sale this weekend only. " + "Everything must go, come early! " * 30


@pytest.mark.parametrize(
    ("given", "keywords", "original", "expected"),
    [
        # --- composed from local analysis
        pytest.param(
            analysis(colors=RED, faces=2, place=LYON),
            ["summer sale"],
            "leather-handbag.jpg",
            "Leather handbag with two people in Lyon, in red tones.",
            id="subject-people-place-colour",
        ),
        pytest.param(analysis(faces=1), [], "street musician.jpg", "Street musician with one person.", id="one-person"),
        pytest.param(analysis(faces=10), [], "wedding.jpg", "Wedding with ten people.", id="ten-people"),
        pytest.param(analysis(faces=25), [], "stadium.jpg", "Stadium with a group of people.", id="many-people"),
        pytest.param(analysis(faces=4), [], "family picnic.jpg", "Family picnic.", id="people-already-in-subject"),
        pytest.param(analysis(colors=RED), [], "red-roses.jpg", "Red roses.", id="colour-already-in-subject"),
        pytest.param(analysis(place=LYON), [], "lyon-old-town.jpg", "Lyon old town.", id="place-already-in-subject"),
        pytest.param(
            analysis(colors=RED), ["summer sale"], "IMG_1234.JPG", "Summer sale in red tones.", id="keyword-as-subject"
        ),
        pytest.param(
            analysis(colors=RED, text="OPEN"),
            [],
            "IMG_1234.JPG",
            "Red portrait-format image with the text “OPEN”.",
            id="descriptive-fallback",
        ),
        pytest.param(None, [], "IMG_1234.JPG", "Untitled image.", id="nothing-known"),
        pytest.param(None, ["summer sale"], "IMG_1234.JPG", "Summer sale.", id="keyword-only"),
        pytest.param(
            analysis(labels=["text"], text=LONG_TEXT, colors=RED),
            ["bakery"],
            "DSC0001.jpg",
            "Bakery in red tones, with the text “Grand opening sale this weekend only…”.",
            id="long-visible-text-is-quoted-and-shortened",
        ),
        pytest.param(
            analysis(colors=RED, place=Place(name="Москва", latitude=55.75, longitude=37.62)),
            [],
            "Красная площадь.jpg",
            "Красная площадь in Москва, in red tones.",
            id="cyrillic-stays-readable",
        ),
        pytest.param(None, [], "Crème brûlée.jpg", "Crème brûlée.", id="accents-stay"),
        pytest.param(None, [], "東京タワー.jpg", "東京タワー.", id="cjk-stays"),
        pytest.param(analysis(subject="photo of a dog"), [], "x.jpg", "A dog.", id="subject-opening-stripped"),
        # --- a provider's alt text
        pytest.param(
            analysis(subject="red leather handbag", alt_text="A photo of a red leather handbag on a white table"),
            [],
            "x.jpg",
            "A red leather handbag on a white table.",
            id="provider-a-photo-of",
        ),
        pytest.param(
            analysis(subject="red handbag", alt_text="Image of a picture of red handbag."),
            [],
            "x.jpg",
            "Red handbag.",
            id="provider-repeated-opening",
        ),
        pytest.param(
            analysis(subject="golden retriever", alt_text="Golden retriever running on a beach. The sun is setting."),
            [],
            "x.jpg",
            "Golden retriever running on a beach.",
            id="provider-first-sentence-only",
        ),
        pytest.param(
            analysis(subject="golden retriever", alt_text="A cat.", colors=RED),
            [],
            "x.jpg",
            "Golden retriever in red tones.",
            id="provider-text-about-something-else-is-not-used",
        ),
    ],
)
def test_make_alt_text(given: Analysis | None, keywords: list[str], original: str, expected: str) -> None:
    assert make_alt_text(given, keywords=keywords, original_name=original) == expected


def test_a_long_provider_text_is_cut_at_a_word_boundary_not_on_a_dangling_word() -> None:
    sentence = "a golden retriever running along the wide sandy beach with a red ball in its mouth and"
    provided = " ".join([sentence] * 4)
    alt = make_alt_text(analysis(subject="golden retriever", alt_text=provided), keywords=[], original_name="x.jpg")
    assert len(alt) <= 125
    assert alt.endswith(".")
    body = alt[:-1]
    assert provided.lower().startswith(body.lower())
    assert provided[len(body)] == " "  # the cut fell between two words
    assert body.split()[-1].lower() not in {"a", "and", "the", "with", "in", "its"}


@pytest.mark.parametrize(
    "given",
    [
        pytest.param(
            analysis(alt_text="Photo of " + "very " * 60 + "long text", subject="very long text"), id="provider"
        ),
        pytest.param(
            analysis(
                faces=3,
                place=Place(name="Saint-Rémy-de-Provence " * 3, latitude=0, longitude=0),
                colors=RED,
                text=LONG_TEXT,
            ),
            id="composed",
        ),
        pytest.param(analysis(alt_text="x" * 500), id="one-giant-token"),
    ],
)
def test_alt_text_is_one_short_sentence(given: Analysis) -> None:
    original = " ".join(["lavender", "field", "at", "sunset"] * 20) + ".jpg"
    alt = make_alt_text(given, keywords=["provence"], original_name=original)
    assert 0 < len(alt) <= 125
    assert alt.endswith(".") and not alt.endswith("..")
    assert alt[0].isupper()
    assert ". " not in alt[:-1]
    assert not FORBIDDEN_OPENING.match(alt)


@pytest.mark.parametrize(
    ("given", "keywords", "original"),
    [
        pytest.param(analysis(colors=RED, faces=2, place=LYON), ["summer sale"], "leather-handbag.jpg", id="local"),
        pytest.param(analysis(colors=RED), ["summer sale"], "IMG_1234.JPG", id="keyword-fallback"),
        pytest.param(analysis(colors=RED), [], "IMG_1234.JPG", id="descriptive-fallback"),
        pytest.param(None, [], "IMG_1234.JPG", id="nothing"),
        pytest.param(
            analysis(provider="cloud", subject="Golden retriever", alt_text="A dog running on a golden beach"),
            ["pets"],
            "x.jpg",
            id="cloud",
        ),
        pytest.param(None, [], "Москва зимой.jpg", id="cyrillic"),
    ],
)
def test_alt_text_and_filename_share_the_subject(given: Analysis | None, keywords: list[str], original: str) -> None:
    proposal = propose_name(given, keywords=keywords, original_name=original, mime_type="image/jpeg")
    alt_words = set(slug_words(proposal.alt_text))
    assert alt_words & set(proposal.stem.split("-")), (proposal.stem, proposal.alt_text)
