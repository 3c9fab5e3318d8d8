"""Name templates: rendering, empty fields, the length limit, validation messages."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from core.errors import ValidationFailed
from core.naming import TEMPLATE_FIELDS, NamingOptions, propose_name, validate_template
from core.naming.templates import render_template
from core.vision.base import Analysis, DominantColor, Place

PRODUCT = Analysis(
    provider="cloud",
    width=1200,
    height=800,
    orientation="landscape",
    aspect_ratio=1.5,
    subject="leather handbag",
    objects=["handbag", "wallet"],
    attributes=["navy", "leather"],
    setting="studio",
    brand="ACME",
    landmark="Eiffel Tower",
    place=Place(name="Paris", latitude=48.86, longitude=2.35),
    colors=[DominantColor(name="red", hex="#d71920", share=0.6)],
    text="NEW SEASON",
    captured_at=datetime(2024, 6, 17, 10, 30),
    camera="Canon EOS R5",
)


def render(
    template: str, *, given: Analysis | None = PRODUCT, keywords: list[str] | None = None, **options: Any
) -> str:
    proposal = propose_name(
        given,
        keywords=["summer sale", "handbags"] if keywords is None else keywords,
        original_name="AB-1234 vintage tote IMG_1.jpg",
        mime_type="image/jpeg",
        options=NamingOptions(template=template, keep_pattern=r"[A-Z]{2}-\d{4}", **options),
        fallback_number=7,
    )
    return proposal.stem


@pytest.mark.parametrize(
    ("template", "stem"),
    [
        pytest.param("{brand}-{subject}-{color}-{keyword}-{n}", "acme-leather-handbag-navy-summer-sale-7", id="brief"),
        pytest.param("{subject}", "leather-handbag", id="one-field"),
        pytest.param("{object}", "wallet", id="object-is-not-the-subject"),
        pytest.param("{material}-{color}", "leather-navy", id="material-and-colour-attribute"),
        pytest.param("{setting}_{place}", "studio-eiffel-tower-paris", id="setting-and-place"),
        pytest.param("{keyword2}-{keywords}", "handbags-summer-sale", id="keywords-skip-used-words"),
        pytest.param("{text}-{original}", "new-season-vintage-tote", id="text-and-original-without-sku"),
        pytest.param("{sku}-{date}-{camera}", "ab-1234-2024-06-17-canon-eos-r5", id="sku-date-camera"),
        pytest.param("shop / {subject} :: {n}", "shop-leather-handbag-7", id="literal-words-and-separators"),
        pytest.param("{subject}-bag", "leather-handbag-bag", id="literal-kept"),
        pytest.param("{color}-{subject}-leather", "navy-handbag-leather", id="literal-word-not-repeated-by-a-field"),
    ],
)
def test_rendering(template: str, stem: str) -> None:
    assert render(template) == stem


def test_separators_follow_the_case_style() -> None:
    assert render("{brand}-{subject}-{sku}-{n}", case_style="snake") == "acme_leather_handbag_ab_1234_7"


def test_empty_fields_vanish_with_their_separator() -> None:
    bare = Analysis(provider="local", width=10, height=10, orientation="square", aspect_ratio=1.0)
    assert render("{brand}-{setting}-{keyword}-{camera}-{n}", given=bare) == "summer-sale-7"


@pytest.mark.parametrize(
    "template",
    [pytest.param("{n}", id="only-the-number"), pytest.param("{brand}-{date}-{n}", id="everything-empty")],
)
def test_a_template_with_nothing_but_the_number_falls_back_to_the_normal_proposal(template: str) -> None:
    normal = render("", given=None, keywords=["summer sale"])
    assert render(template, given=None, keywords=["summer sale"]) == normal == "vintage-tote-summer-sale-ab-1234"


def test_the_length_limit_drops_elastic_then_trailing_fields_never_cutting_a_word() -> None:
    template = "{subject}-{keywords}-{place}-{sku}-{n}"
    full = render(template, max_length=120)
    assert full == "leather-handbag-summer-sale-eiffel-tower-paris-ab-1234-7"  # "handbags" is the subject's
    cut = render(template, max_length=30)
    assert cut == "leather-handbag-ab-1234-7"
    assert len(cut) <= 30
    assert render("{subject}-{setting}-{sku}-{n}", max_length=20) == "leather-ab-1234-7"


def test_a_template_that_cannot_fit_falls_back() -> None:
    stem = render("averyveryverylongliteralword-{sku}-{n}", max_length=20)
    assert len(stem) <= 20 and "averyveryverylongliteralword" not in stem


def test_render_template_directly() -> None:
    values = {"subject": ["red", "bag"], "color": ["red"], "n": ["3"]}
    assert render_template("{subject}-{color}-{n}", values, max_length=60, language="en") == ["red", "bag", "3"]
    assert render_template("{color}-{n}", {"n": ["3"]}, max_length=60, language="en") is None


@pytest.mark.parametrize(
    ("template", "normalised"),
    [("{brand}-{subject}-{n}", "{brand}-{subject}-{n}"), ("  { Subject }_{N} ", "{subject}_{n}")],
)
def test_valid_templates_are_normalised(template: str, normalised: str) -> None:
    assert validate_template(template) == normalised


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param(
            "{colour}-{n}",
            r"unknown field \{colour\}\. Did you mean \{color\}\? The fields are: \{subject\}",
            id="unknown-field-with-suggestion",
        ),
        pytest.param("{banana}", r"unknown field \{banana\}\. The fields are: .*\{camera\}\.", id="unknown-field"),
        pytest.param("{subject", r"a “\{” that is never closed", id="unclosed"),
        pytest.param("subject}-{n}", r"a “\}” without a matching “\{” at character 8", id="stray-close"),
        pytest.param("{sub{ject}}", r"inside another at character 5", id="nested"),
        pytest.param("my-photo", r"has no field; add at least one", id="no-field"),
        pytest.param("{}", r"unknown field \{ \}", id="empty-field"),
        pytest.param("{subject}" + "-x" * 100, r"is 209 characters long; the limit is 200", id="too-long"),
    ],
)
def test_invalid_templates_are_refused_with_an_actionable_sentence(template: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        validate_template(template)
    assert refused.value.code == "invalid_template"
    assert refused.value.detail.endswith((".", "?"))


def test_every_field_is_documented_and_rendered() -> None:
    assert all(description.endswith(".") for description in TEMPLATE_FIELDS.values())
    for field in TEMPLATE_FIELDS:
        assert validate_template(f"{{{field}}}") == f"{{{field}}}"
        stem = render(f"{field}-{{{field}}}-{{n}}", max_length=120)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem), (field, stem)
        if field != "n":
            assert stem != f"{re.sub('[^a-z0-9]', '', field)}-7", f"{{{field}}} rendered empty"
