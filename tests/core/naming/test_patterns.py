"""validate_keep_pattern: safe patterns pass, patterns that could hang a worker are refused."""

from __future__ import annotations

import re
import time

import pytest

from core.errors import ValidationFailed
from core.naming import validate_keep_pattern
from core.naming.patterns import MAX_FILENAME_LENGTH, kept_text


@pytest.mark.parametrize(
    "pattern",
    [
        r"[A-Z]{2}-\d{4}",
        r"sku[-_](\w+)",
        r"\b[A-Z]{2,4}\d{3,6}\b",
        r"(?i)art\.?\s*nr\.?\s*(\d{4,8})",
        r"[A-Z]+-\d+",
        r"(?:AB|CD)-\d{4}",
    ],
)
def test_safe_patterns_are_accepted(pattern: str) -> None:
    assert validate_keep_pattern(f"  {pattern} ") == pattern


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param("", "is empty", id="empty"),
        pytest.param(
            "[A-Z", r"is not a valid regular expression \(unterminated character set at position 0\)", id="syntax"
        ),
        pytest.param("(a+)+$", "repeats a group that itself repeats", id="nested-quantifier"),
        pytest.param(r"(\w*)*x", "repeats a group that itself repeats", id="nested-star"),
        pytest.param("(a|aa)+$", "has alternatives", id="alternation-under-a-quantifier"),
        pytest.param(r"(\d+-)+x", "repeats a group", id="quantified-group-with-quantifier"),
        pytest.param(r"(a)\1", "backreference", id="backreference"),
        pytest.param(r"\d+\w+\d+x", "more than 2 open-ended quantifiers", id="three-unbounded"),
        pytest.param(r"\d*", "can match an empty text", id="matches-empty"),
        pytest.param("x" * 101, "is 101 characters long; the limit is 100", id="too-long"),
    ],
)
def test_risky_or_useless_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        validate_keep_pattern(pattern)
    assert refused.value.code == "invalid_pattern"
    assert "for example “[A-Z]{2}-\\d{4}”" in refused.value.detail


def test_an_accepted_pattern_runs_fast_on_the_worst_filename() -> None:
    pattern = validate_keep_pattern(r"[A-Za-z]+\d+X")
    worst = "a1" * (MAX_FILENAME_LENGTH // 2)
    started = time.perf_counter()
    assert re.search(pattern, worst) is None
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize(
    ("pattern", "original", "expected"),
    [
        (r"[A-Z]{2}-\d{4}", "photos/AB-1234 red bag.JPG", ("AB-1234", "  red bag")),
        (r"sku_(\w+)", "img sku_ZX9.png", ("ZX9", "img  ")),
        (r"[A-Z]{2}-\d{4}", "red bag.jpg", None),
        (r"jpg", "red bag.jpg", None),  # the extension is not part of the name
        (None, "AB-1234.jpg", None),
    ],
)
def test_kept_text(pattern: str | None, original: str, expected: tuple[str, str] | None) -> None:
    assert kept_text(pattern, original) == expected
