"""What the OpenAI-style providers ask for and how their replies are checked.

Shared by `OpenAIProvider` and `OpenAICompatibleProvider` (core.vision.openai_vision):
the strict JSON schema sent as structured output, the prompt text, PROMPT_VERSION (part
of the analysis cache key) and the validation that turns a reply into trusted fields.

Replies are validated twice: by pydantic (types, required fields, no extras) and by the
semantic rules a schema cannot express everywhere (a subject and filename words that are
not blank, strings of a sane length). Whatever fails either check is described in one
short sentence, which is what the repair request shows the model.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from core.vision.base import AnalysisContext

# Bump on any change to the schema, the prompt or the mapping to Analysis: cached
# analyses made with another version are not reused.
PROMPT_VERSION = "openai-2026-11-1"

ANALYSIS_SCHEMA_NAME = "image_analysis"
KEYWORDS_SCHEMA_NAME = "keyword_suggestions"
CONTENT_WARNINGS = ("none", "nudity", "sexual", "violence", "gore", "other")
ALT_TEXT_MAX = 125
# Past these a reply is junk (a model looping, or a whole paragraph where a word was asked).
_PHRASE_MAX = 120
_WORD_MAX = 40
_ALT_TEXT_HARD_MAX = 2 * ALT_TEXT_MAX
_VISIBLE_TEXT_MAX = 1000
_LIST_MAX = 30

_LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "nb": "Norwegian", "fi": "Finnish",
    "pl": "Polish", "cs": "Czech", "ro": "Romanian", "hu": "Hungarian", "el": "Greek", "tr": "Turkish",
    "ru": "Russian", "uk": "Ukrainian", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "ar": "Arabic",
}  # fmt: skip

_ANALYSIS_PROPERTIES: dict[str, Any] = {
    "subject": {"type": "string", "description": "The main subject as a short, specific noun phrase."},
    "objects": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Visible things, most prominent first.",
    },
    "attributes": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Colours, materials, patterns and styles that are visible.",
    },
    "setting": {"type": "string", "description": "Where the picture is set; empty when it cannot be told."},
    "visible_text": {"type": "string", "description": "Legible text copied exactly; empty when there is none."},
    "brand": {
        "type": ["string", "null"],
        "description": "A brand or logo that is legible in the picture; null when none is legible.",
    },
    "filename_words": {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 3,
        "maxItems": 6,
        "description": "3 to 6 lowercase words for the file name, most important first.",
    },
    "alt_text": {"type": "string", "description": f"Alt text of at most {ALT_TEXT_MAX} characters."},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1, "description": "How sure you are, 0 to 1."},
    "content_warning": {"type": "string", "enum": list(CONTENT_WARNINGS)},
}
# Strict structured outputs want every property required (brand may be null instead).
ANALYSIS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": _ANALYSIS_PROPERTIES,
    "required": list(_ANALYSIS_PROPERTIES),
    "additionalProperties": False,
}

KEYWORDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"keywords": {"type": "array", "items": {"type": "string"}}},
    "required": ["keywords"],
    "additionalProperties": False,
}

_Phrase = Annotated[str, StringConstraints(strip_whitespace=True, max_length=_PHRASE_MAX)]
_Word = Annotated[str, StringConstraints(strip_whitespace=True, max_length=_WORD_MAX)]
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL | re.IGNORECASE)
_ALT_PREFIX = re.compile(r"^(?:an?\s+)?(?:image|picture|photo|photograph)\s+of\s+", re.IGNORECASE)


class ReplyProblem(ValueError):
    """A reply that cannot be used; the message is shown to the model in the repair request."""


def clean_list(values: list[str]) -> list[str]:
    """Blank entries dropped and case-insensitive duplicates removed, order kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


class ImageDescription(BaseModel):
    """A validated reply to the analysis prompt."""

    model_config = ConfigDict(extra="forbid", strict=True)

    subject: _Phrase = Field(min_length=1)
    objects: list[_Phrase] = Field(max_length=_LIST_MAX)
    attributes: list[_Phrase] = Field(max_length=_LIST_MAX)
    setting: _Phrase
    visible_text: Annotated[str, StringConstraints(max_length=_VISIBLE_TEXT_MAX)]
    brand: _Phrase | None
    # The schema asks for 3 to 6; fewer or a few more are still usable and cheaper than a repair.
    filename_words: list[_Word] = Field(max_length=12)
    alt_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=_ALT_TEXT_HARD_MAX)]
    confidence: float = Field(ge=0, le=1)
    content_warning: Literal["none", "nudity", "sexual", "violence", "gore", "other"]

    @field_validator("objects", "attributes")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return clean_list(values)

    @field_validator("filename_words")
    @classmethod
    def _words(cls, values: list[str]) -> list[str]:
        words = clean_list([value.lower() for value in values])
        if not words:
            raise ValueError("filename_words must hold at least one non-empty word")
        return words

    @field_validator("visible_text")
    @classmethod
    def _whitespace(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("brand")
    @classmethod
    def _no_blank_brand(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("alt_text")
    @classmethod
    def _alt_text(cls, value: str) -> str:
        # Models still open with "Image of" now and then; it is noise for a screen reader.
        value = _ALT_PREFIX.sub("", value)
        value = value[:1].upper() + value[1:]
        if len(value) > ALT_TEXT_MAX:  # a few characters over is not worth a second paid request
            value = value[: ALT_TEXT_MAX + 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
        return value


class KeywordList(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    keywords: list[_Phrase] = Field(max_length=100)


def language_name(code: str) -> str:
    """ "fr-CA" -> "French (fr-CA)"; an unknown code is given as it is."""
    name = _LANGUAGE_NAMES.get(code.split("-")[0].split("_")[0].lower())
    return f"{name} ({code})" if name else code


def system_prompt(language: str) -> str:
    return (
        "You name images for search engines. Look at the image and describe only what is visible: "
        'literal, specific words a person would type into an image search ("red leather handbag", '
        'not "object", "item" or "product"). Never invent or guess a brand, model or place.\n'
        "Reply with one JSON object that follows the schema:\n"
        "- subject: the main subject as a short, specific noun phrase.\n"
        "- objects: visible things, most prominent first.\n"
        "- attributes: visible colours, materials, patterns and styles.\n"
        "- setting: where the picture is set (studio, white background, kitchen, beach at sunset), "
        "or an empty string.\n"
        "- visible_text: legible text copied exactly as written, or an empty string.\n"
        "- brand: a brand or logo that is actually legible in the image, or null. If the batch brand is the "
        "one you see, use its spelling; do not name the batch brand when it is not visible.\n"
        "- filename_words: 3 to 6 lowercase words for the file name, most important first, no stop words, "
        "no file extension, no numbers unless a visible model number.\n"
        f"- alt_text: one sentence of at most {ALT_TEXT_MAX} characters for someone who cannot see the image; "
        'do not start with "image of", "picture of" or "photo of".\n'
        "- confidence: from 0 to 1, how sure you are of the subject.\n"
        f"- content_warning: one of {', '.join(CONTENT_WARNINGS)}.\n"
        f"Write subject, objects, attributes, setting, filename_words and alt_text in {language_name(language)}; "
        "keep brand names and visible text as written."
    )


def user_prompt(context: AnalysisContext) -> str:
    # User-supplied values are JSON-quoted so they read as data, not as instructions.
    lines = [
        "Describe this image.",
        f"Language: {language_name(context.language)}.",
        "Batch keywords (use those that truly describe the image; never force one in): "
        + (json.dumps(context.keywords, ensure_ascii=False) if context.keywords else "none"),
        "Batch brand: " + (json.dumps(context.brand, ensure_ascii=False) if context.brand else "none"),
        "Original file name (often meaningless, e.g. from a camera): "
        + (json.dumps(context.original_name, ensure_ascii=False) if context.original_name else "unknown"),
    ]
    return "\n".join(lines)


def keywords_prompt(keywords: list[str], *, audience: str | None, language: str, limit: int) -> str:
    return (
        f"Suggest up to {limit} related search keywords for images described by these keywords: "
        f"{json.dumps(keywords, ensure_ascii=False)}.\n"
        f"Audience: {json.dumps(audience, ensure_ascii=False) if audience else 'general'}.\n"
        f"Write them in {language_name(language)}, most relevant first, each one to three words, "
        "specific and literal, without repeating the given keywords. "
        'Reply with a JSON object {"keywords": [...]}.'
    )


def repair_prompt(problem: str) -> str:
    return (
        f"Your previous reply could not be used: {problem} "
        "Reply again with only the corrected JSON object, following the schema exactly."
    )


def _json_text(content: str | None) -> str:
    if content is None or not content.strip():
        raise ReplyProblem("The reply was empty.")
    text = content.strip()
    # Some OpenAI-compatible servers wrap the object in a Markdown fence despite the schema.
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "reply"
        parts.append(f"{where}: {item['msg']}")
    return "The JSON object does not match the schema (" + "; ".join(parts) + ")."


def parse_description(content: str | None) -> ImageDescription:
    """The reply as validated fields, or ReplyProblem saying what is wrong."""
    text = _json_text(content)
    try:
        return ImageDescription.model_validate_json(text)
    except ValidationError as exc:
        if any(item["type"] == "json_invalid" for item in exc.errors()):
            raise ReplyProblem("The reply was not valid JSON.") from exc
        raise ReplyProblem(_describe(exc)) from exc


def parse_keywords(content: str | None) -> list[str]:
    text = _json_text(content)
    try:
        return KeywordList.model_validate_json(text).keywords
    except ValidationError as exc:
        if any(item["type"] == "json_invalid" for item in exc.errors()):
            raise ReplyProblem("The reply was not valid JSON.") from exc
        raise ReplyProblem(_describe(exc)) from exc
