from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from core.batches.models import BatchStatus

SUPPORTED_LANGUAGES = ("en",)  # more languages arrive with the naming issue


class BatchCreate(BaseModel):
    name: str = Field(default="", max_length=200)
    keywords: list[str] = Field(default_factory=list, max_length=20, description="Up to 20 keywords or phrases.")
    language: str = "en"
    max_name_length: int = Field(default=60, ge=20, le=120, description="Characters before the extension.")

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, value: list[str]) -> list[str]:
        cleaned: list[str] = []
        for keyword in value:
            text = " ".join(keyword.split())
            if len(text) > 60:
                raise ValueError(f"keyword '{text[:20]}…' is longer than 60 characters")
            if text and text.lower() not in (k.lower() for k in cleaned):
                cleaned.append(text)
        return cleaned

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"language must be one of: {', '.join(SUPPORTED_LANGUAGES)}")
        return value


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
