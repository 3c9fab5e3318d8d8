"""The batch request schemas that carry naming options: shapes, defaults, readable refusals."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core.batches.schemas import (
    SUPPORTED_LANGUAGES,
    BatchCreate,
    BatchPublic,
    BatchUpdate,
    KeywordSuggestionPublic,
    KeywordSuggestionRequest,
    KeywordSuggestionResponse,
)
from core.naming import KeywordSuggestion


def refusal(model: type[Any], **fields: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        model(**fields)
    return str(refused.value.errors()[0]["msg"])


def test_supported_languages() -> None:
    assert SUPPORTED_LANGUAGES == ("en", "de", "fr", "es", "it", "nl", "pt")
    assert BatchCreate(language="pt").language == "pt"
    assert "language must be one of: en, de, fr, es, it, nl, pt" in refusal(BatchCreate, language="ru")


def test_create_defaults_keep_todays_behaviour() -> None:
    batch = BatchCreate()
    assert (batch.providers, batch.brand, batch.name_template, batch.keep_pattern) == (None, None, None, None)
    assert batch.case_style == "kebab"
    assert not (batch.unicode_names or batch.allow_unsafe_names or batch.write_metadata or batch.strip_gps)


def test_create_cleans_and_normalises_options() -> None:
    batch = BatchCreate(
        providers=[" OpenAI ", "google_vision", "openai"],
        brand="  Acme   Co ",
        name_template=" {Brand}-{subject}-{n} ",
        keep_pattern=r" [A-Z]{2}-\d{4} ",
        case_style="snake",
        unicode_names=True,
    )
    assert batch.providers == ["openai", "google_vision"]
    assert batch.brand == "Acme Co"
    assert batch.name_template == "{brand}-{subject}-{n}"
    assert batch.keep_pattern == r"[A-Z]{2}-\d{4}"
    assert BatchCreate(brand="   ", name_template=" ", keep_pattern="").model_dump(
        include={"brand", "name_template", "keep_pattern"}
    ) == {"brand": None, "name_template": None, "keep_pattern": None}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"providers": ["a", "b", "c", "d"]}, "at most 3 providers can be chained, got 4"),
        ({"providers": ["open-ai"]}, "'open-ai' may only contain lowercase letters and underscores"),
        ({"providers": []}, "must name at least one provider"),
        ({"brand": "x" * 101}, "at most 100 characters"),
        ({"name_template": "{colour}-{n}"}, "unknown field {colour}. Did you mean {color}?"),
        ({"name_template": "x" * 201 + "{n}"}, "is 204 characters long; the limit is 200"),
        ({"keep_pattern": "(a+)+"}, "can take too long to match"),
        ({"keep_pattern": "[A-"}, "is not a valid regular expression"),
        ({"case_style": "camel"}, "'kebab' or 'snake'"),
    ],
)
def test_refusals_read_as_sentences(fields: dict[str, Any], message: str) -> None:
    assert message in refusal(BatchCreate, **fields)
    assert message in refusal(BatchUpdate, **fields)


def test_update_carries_only_what_was_sent() -> None:
    update = BatchUpdate(brand=None, case_style="snake")
    assert update.model_dump(exclude_unset=True) == {"brand": None, "case_style": "snake"}
    assert BatchUpdate(keywords=[" summer  sale ", "Summer Sale"]).keywords == ["summer sale"]
    assert "language must be one of" in refusal(BatchUpdate, language="xx")
    assert "greater than or equal to 20" in refusal(BatchUpdate, max_name_length=5)


def test_public_batch_has_the_options_and_cost_with_defaults() -> None:
    fields = set(BatchPublic.model_fields)
    assert {"providers", "brand", "name_template", "case_style", "keep_pattern", "unicode_names"} <= fields
    assert {"allow_unsafe_names", "write_metadata", "strip_gps", "cost_usd"} <= fields
    assert BatchPublic.model_fields["cost_usd"].default == 0.0


def test_keyword_suggestion_request() -> None:
    request = KeywordSuggestionRequest(keywords=["handbag", "Handbag"], audience="  young   families ")
    assert (request.keywords, request.audience, request.limit) == (["handbag"], "young families", 15)
    assert "less than or equal to 50" in refusal(KeywordSuggestionRequest, limit=51)
    assert "greater than or equal to 1" in refusal(KeywordSuggestionRequest, limit=0)
    assert "at most 200 characters" in refusal(KeywordSuggestionRequest, audience="x" * 201)
    assert "at most 20 items" in refusal(KeywordSuggestionRequest, keywords=[f"k{n}" for n in range(21)])
    response = KeywordSuggestionResponse(suggestions=[{"keyword": "tote bag", "score": 0.9, "source": "provider"}])
    assert response.suggestions[0].keyword == "tote bag" and response.cost_usd == 0.0


def test_a_naming_suggestion_converts_to_its_public_form() -> None:
    suggestion = KeywordSuggestion(keyword="leather handbag", score=0.75, source="analyses")
    public = KeywordSuggestionPublic.model_validate(suggestion)
    assert public.model_dump() == {"keyword": "leather handbag", "score": 0.75, "source": "analyses"}
