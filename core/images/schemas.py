from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from core.images.models import ImageStatus


class ImagePublic(BaseModel):
    id: uuid.UUID
    batch_id: uuid.UUID
    original_name: str
    status: ImageStatus
    mime_type: str
    file_size: int
    width: int
    height: int
    proposed_name: str | None
    final_name: str | None
    name_edited: bool
    alt_text: str | None
    failure_code: str | None
    failure_reason: str | None
    thumbnail_url: str | None = None
    created_at: datetime
    processed_at: datetime | None


class ImagePage(BaseModel):
    items: list[ImagePublic]
    total: int
    page: int
    page_size: int


class ImageEdit(BaseModel):
    name: str | None = Field(default=None, max_length=300, description="New filename, with or without extension.")
    alt_text: str | None = Field(default=None, max_length=300)
