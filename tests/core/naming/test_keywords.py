"""Keyword suggestions: from a text-capable provider, and from the batch's own analyses."""

from __future__ import annotations

from typing import Any

import pytest

from core.naming import KeywordSuggestion, suggest_keywords
from core.naming.keywords import suggest_keywords_with_usage
from core.vision.base import Analysis, KeywordSuggester, Place, Usage


def analysis(**fields: Any) -> Analysis:
    values: dict[str, Any] = {"provider": "cloud", "width": 10, "height": 10, "orientation": "square"}
    values["aspect_ratio"] = 1.0
    values.update(fields)
    return Analysis(**values)


BATCH = [
    analysis(subject="leather handbag", attributes=["leather", "black"], labels=["Handbag", "Fashion accessory"]),
    analysis(objects=["handbag", "wallet"], attributes=["leather"], labels=["Fashion accessory"], text="SALE 50%"),
    analysis(subject="handbag", attributes=["leather", "brown"], brand="Acme", labels=["Shoulder bag"]),
    analysis(
        subject="woman",
        objects=["handbag"],
        landmark="Eiffel Tower",
        place=Place(name="Paris", latitude=0, longitude=0),
        text="the 2024 collection",
    ),
]


class FakeSuggester:
    """A KeywordSuggester standing in for a text provider: the ranked list it would return."""

    name = "fake"

    def __init__(self, ranked: list[str]) -> None:
        self.ranked = ranked
        self.calls: list[dict[str, Any]] = []

    def suggest_keywords(
        self, keywords: list[str], *, audience: str | None, language: str, limit: int
    ) -> tuple[list[str], Usage]:
        self.calls.append({"keywords": keywords, "audience": audience, "language": language, "limit": limit})
        return self.ranked, Usage(model="fake-1", input_tokens=20, output_tokens=30, requests=1, cost_usd=0.0004)


def keywords_of(suggestions: list[KeywordSuggestion]) -> list[str]:
    return [suggestion.keyword for suggestion in suggestions]


def test_without_a_provider_suggestions_come_from_what_the_batch_shows() -> None:
    suggestions = suggest_keywords(["handbag"], audience=None, language="en", limit=6, analyses=BATCH)
    words = keywords_of(suggestions)
    assert words[0] == "leather handbag"  # the keyword joined with the attribute seen on three of its images
    assert "leather" in words and "fashion accessory" in words
    assert all(s.source == "analyses" for s in suggestions)
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0 and all(0 < s <= 1 for s in scores)


def test_analysis_suggestions_leave_out_given_keywords_stop_words_numbers_and_filler() -> None:
    words = keywords_of(suggest_keywords(["Handbags"], audience=None, language="en", limit=50, analyses=BATCH))
    assert "handbag" not in words and "handbags" not in words
    assert not {"the", "2024", "50", "image", "photo"} & set(words)
    assert len(words) == len({word.lower() for word in words})


def test_subjects_and_objects_weigh_more_than_visible_text() -> None:
    words = keywords_of(suggest_keywords([], audience=None, language="en", limit=50, analyses=BATCH))
    assert words.index("wallet") < words.index("sale")
    assert words.index("handbag") < words.index("collection")


def test_pairs_follow_the_languages_word_order() -> None:
    batch = [analysis(subject="sac", attributes=["cuir"]), analysis(objects=["sac"], attributes=["cuir"])]
    assert keywords_of(suggest_keywords(["sac"], audience=None, language="fr", limit=1, analyses=batch)) == ["sac cuir"]
    batch = [analysis(subject="Tasche", attributes=["Leder"])]
    assert keywords_of(suggest_keywords(["Tasche"], audience=None, language="de", limit=1, analyses=batch)) == [
        "leder tasche"
    ]


def test_no_analyses_and_no_provider_suggest_nothing() -> None:
    assert suggest_keywords(["handbag"], audience=None, language="en", limit=10, analyses=[]) == []


def test_a_provider_ranking_comes_first_deduplicated_against_the_given_keywords() -> None:
    suggester = FakeSuggester(
        ["Leather Handbags", "  tote   bag ", "HANDBAG", "handbags", "tote bags", "", "crossbody"]
    )
    assert isinstance(suggester, KeywordSuggester)
    suggestions, usage = suggest_keywords_with_usage(
        ["handbag", "leather handbag"],
        audience="young professionals",
        language="en",
        limit=5,
        analyses=BATCH,
        suggester=suggester,
    )
    assert keywords_of(suggestions)[:2] == ["tote bag", "crossbody"]
    assert [s.source for s in suggestions] == ["provider", "provider", "analyses", "analyses", "analyses"]
    provider_scores = [s.score for s in suggestions[:2]]
    assert provider_scores[0] == 1.0 and provider_scores[1] < 1.0
    assert all(s.score <= 0.5 for s in suggestions[2:])
    assert suggester.calls == [
        {"keywords": ["handbag", "leather handbag"], "audience": "young professionals", "language": "en", "limit": 5}
    ]
    assert usage is not None and usage.cost_usd == pytest.approx(0.0004)


def test_a_provider_list_longer_than_the_limit_is_cut() -> None:
    suggester = FakeSuggester([f"keyword {chr(97 + n)}" for n in range(30)])
    suggestions = suggest_keywords([], audience=None, language="en", limit=3, analyses=BATCH, suggester=suggester)
    assert keywords_of(suggestions) == ["keyword a", "keyword b", "keyword c"]


def test_plural_folds_of_the_batch_language_deduplicate_provider_suggestions() -> None:
    suggester = FakeSuggester(["borse", "borsa di pelle", "zaino"])
    suggestions = suggest_keywords(["borsa"], audience=None, language="it", limit=5, analyses=[], suggester=suggester)
    assert keywords_of(suggestions) == ["borsa di pelle", "zaino"]
