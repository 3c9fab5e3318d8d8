"""The options a batch gives the naming engine, and the case styles' separators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.vision.base import Analysis

__all__ = ["DEFAULT_OPTIONS", "CaseStyle", "NamingOptions", "descriptive_allowed", "separator"]

CaseStyle = Literal["kebab", "snake"]
_SEPARATORS: dict[str, str] = {"kebab": "-", "snake": "_"}


def separator(case_style: str) -> str:
    """The character between words: "-" for kebab case, "_" for snake case."""
    try:
        return _SEPARATORS[case_style]
    except KeyError:
        raise ValueError(f"case_style must be one of {sorted(_SEPARATORS)}, got {case_style!r}") from None


@dataclass(frozen=True)
class NamingOptions:
    language: str = "en"
    max_length: int = 60  # characters before the extension
    min_words: int = 3
    max_words: int = 6
    max_keywords: int = 2
    case_style: CaseStyle = "kebab"
    template: str | None = None  # "{brand}-{subject}-{n}", validated by templates.validate_template
    keep_pattern: str | None = None  # a regex, validated by patterns.validate_keep_pattern
    unicode: bool = False  # keep letters of any script ("красная-сумка") instead of transliterating
    brand: str | None = None  # the batch brand
    descriptive: bool = True  # False: flagged unsafe and not allowed; neutral name and alt text

    def __post_init__(self) -> None:
        if not 1 <= self.min_words <= self.max_words:
            raise ValueError(f"need 1 <= min_words <= max_words, got {self.min_words} and {self.max_words}")
        if self.max_length < 10:
            raise ValueError(f"max_length must be at least 10, got {self.max_length}")
        if self.max_keywords < 0:
            raise ValueError(f"max_keywords cannot be negative, got {self.max_keywords}")
        separator(self.case_style)

    @property
    def separator(self) -> str:
        return separator(self.case_style)


DEFAULT_OPTIONS = NamingOptions()


def descriptive_allowed(analysis: Analysis | None, *, allow_unsafe_names: bool) -> bool:
    """Whether the name and alt text may describe the picture: not flagged, or the batch allows it."""
    flagged = analysis is not None and analysis.safety is not None and analysis.safety.flagged
    return allow_unsafe_names or not flagged
