from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.batches.models import BatchStatus
from core.errors import ValidationFailed
from core.naming.languages import LANGUAGES
from core.naming.patterns import validate_keep_pattern
from core.naming.templates import validate_template

SUPPORTED_LANGUAGES: tuple[str, ...] = LANGUAGES  # en de fr es it nl pt
MAX_PROVIDERS = 3
_PROVIDER_NAME = re.compile(r"[a-z_]+")

CaseStyle = Literal["kebab", "snake"]


def _clean_keywords(value: list[str]) -> list[str]:
    cleaned: list[str] = []
    for keyword in value:
        text = " ".join(keyword.split())
        if len(text) > 60:
            raise ValueError(f"keyword '{text[:20]}…' is longer than 60 characters")
        if text and text.lower() not in (k.lower() for k in cleaned):
            cleaned.append(text)
    return cleaned


def _known_language(value: str) -> str:
    if value not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language must be one of: {', '.join(SUPPORTED_LANGUAGES)}")
    return value


def _provider_names(value: list[str] | None) -> list[str] | None:
    """Shape only: which names exist is checked by the batch service against the configured providers."""
    if value is None:
        return None
    names: list[str] = []
    for name in value:
        name = name.strip().lower()
        if not _PROVIDER_NAME.fullmatch(name):
            raise ValueError(f"provider name '{name[:30]}' may only contain lowercase letters and underscores")
        if name not in names:
            names.append(name)
    if not names:
        raise ValueError("providers must name at least one provider, or be left out to use the default")
    if len(names) > MAX_PROVIDERS:
        raise ValueError(f"at most {MAX_PROVIDERS} providers can be chained, got {len(names)}")
    return names


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def _template(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return validate_template(value)
    except ValidationFailed as exc:  # pydantic shows a ValueError's message to the person
        raise ValueError(exc.detail) from None


def _pattern(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return validate_keep_pattern(value)
    except ValidationFailed as exc:
        raise ValueError(exc.detail) from None


class BatchOptions(BaseModel):
    """Naming and delivery options shared by creation (BatchCreate) and PATCH (BatchUpdate)."""

    providers: list[str] | None = Field(
        default=None, description="Vision providers to try in order (at most 3); leave out for the default chain."
    )
    brand: str | None = Field(default=None, max_length=100, description="The brand, used in names and alt text.")
    name_template: str | None = Field(
        default=None, description="A name pattern such as {brand}-{subject}-{n}; see the fields list."
    )
    case_style: CaseStyle | None = Field(default=None, description="kebab (red-handbag) or snake (red_handbag).")
    keep_pattern: str | None = Field(
        default=None, description="A regular expression; its match in the original name is kept."
    )
    unicode_names: bool | None = Field(default=None, description="Keep letters of any script instead of ASCII.")
    allow_unsafe_names: bool | None = Field(
        default=None, description="Describe pictures flagged unsafe in their names and alt text."
    )
    write_metadata: bool | None = Field(default=None, description="Write the alt text into the file's metadata.")
    strip_gps: bool | None = Field(default=None, description="Remove GPS position from delivered files.")

    @field_validator("providers")
    @classmethod
    def _providers(cls, value: list[str] | None) -> list[str] | None:
        return _provider_names(value)

    @field_validator("brand")
    @classmethod
    def _brand(cls, value: str | None) -> str | None:
        return _optional_text(value)

    @field_validator("name_template")
    @classmethod
    def _name_template(cls, value: str | None) -> str | None:
        return _template(value)

    @field_validator("keep_pattern")
    @classmethod
    def _keep_pattern(cls, value: str | None) -> str | None:
        return _pattern(value)


class BatchCreate(BatchOptions):
    name: str = Field(default="", max_length=200)
    keywords: list[str] = Field(default_factory=list, max_length=20, description="Up to 20 keywords or phrases.")
    language: str = "en"
    max_name_length: int = Field(default=60, ge=20, le=120, description="Characters before the extension.")
    case_style: CaseStyle = Field(default="kebab", description="kebab (red-handbag) or snake (red_handbag).")
    unicode_names: bool = Field(default=False, description="Keep letters of any script instead of ASCII.")
    allow_unsafe_names: bool = Field(
        default=False, description="Describe pictures flagged unsafe in their names and alt text."
    )
    write_metadata: bool = Field(default=False, description="Write the alt text into the file's metadata.")
    strip_gps: bool = Field(default=False, description="Remove GPS position from delivered files.")

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        return _clean_keywords(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return _known_language(value)


class BatchUpdate(BatchOptions):
    """PATCH: every field optional; a field left out keeps its value. Send null for brand,
    name_template, keep_pattern or providers to clear them."""

    name: str | None = Field(default=None, max_length=200)
    keywords: list[str] | None = Field(default=None, max_length=20, description="Up to 20 keywords or phrases.")
    language: str | None = None
    max_name_length: int | None = Field(default=None, ge=20, le=120, description="Characters before the extension.")

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _clean_keywords(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else _known_language(value)


class BatchPublic(BaseModel):
    id: uuid.UUID
    name: str
    status: BatchStatus
    keywords: list[str]
    language: str
    max_name_length: int
    total_images: int
    processed_images: int
    failed_images: int
    download_ready: bool
    created_at: datetime
    completed_at: datetime | None
    # Defaults keep the batch service's to_public working until it fills them from the row.
    providers: list[str] | None = None
    brand: str | None = None
    name_template: str | None = None
    case_style: CaseStyle = "kebab"
    keep_pattern: str | None = None
    unicode_names: bool = False
    allow_unsafe_names: bool = False
    write_metadata: bool = False
    strip_gps: bool = False
    cost_usd: float = 0.0
    files_deleted_at: datetime | None = Field(
        default=None, description="When the originals and ZIP were deleted under the retention policy."
    )


class KeywordSuggestionRequest(BaseModel):
    keywords: list[str] = Field(default_factory=list, max_length=20, description="Up to 20 keywords or phrases.")
    audience: str | None = Field(
        default=None, max_length=200, description="Who the pictures are for, e.g. 'young families in Lyon'."
    )
    limit: int = Field(default=15, ge=1, le=50, description="How many suggestions to return, 1 to 50.")

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        return _clean_keywords(value)

    @field_validator("audience")
    @classmethod
    def _audience(cls, value: str | None) -> str | None:
        return _optional_text(value)


class KeywordSuggestionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from core.naming.keywords.KeywordSuggestion

    keyword: str
    score: float = Field(ge=0, le=1)
    source: Literal["provider", "analyses"]


class KeywordSuggestionResponse(BaseModel):
    keywords: list[str] = Field(default_factory=list, description="The keywords the suggestions relate to.")
    suggestions: list[KeywordSuggestionPublic]
    note: str | None = Field(default=None, description="Why the provider was not asked, when it was not.")
    provider: str | None = None  # the provider that suggested, None when derived from the analyses
    cost_usd: float = 0.0


class TemplateField(BaseModel):
    name: str
    description: str


class BatchPage(BaseModel):
    items: list[BatchPublic]
    total: int
    page: int
    page_size: int


class DownloadLink(BaseModel):
    url: str
    expires_in: int
    size: int | None
    filename: str


class FileResult(BaseModel):
    filename: str
    status: Literal["accepted", "rejected"]
    image_id: uuid.UUID | None = None
    mime_type: str | None = None
    code: str | None = None
    detail: str | None = None


class UploadResults(BaseModel):
    accepted: int
    rejected: int
    results: list[FileResult]


class PresignRequestFile(BaseModel):
    name: str = Field(max_length=1024)
    size: int = Field(ge=0)


class PresignRequest(BaseModel):
    files: list[PresignRequestFile] = Field(min_length=1, max_length=500)


class PresignedUpload(BaseModel):
    filename: str
    upload_id: uuid.UUID | None = None
    url: str | None = None
    fields: dict[str, str] | None = None
    expires_in: int | None = None
    code: str | None = None
    detail: str | None = None


class PresignResponse(BaseModel):
    uploads: list[PresignedUpload]


class CompleteRequest(BaseModel):
    upload_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
