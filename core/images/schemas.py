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
    provider: str | None = Field(default=None, description="The vision provider that analysed it.")
    cost_usd: float = Field(default=0.0, description="Estimated provider cost of its analysis (0 when cached).")
    unsafe: bool = Field(default=False, description="Flagged by SafeSearch or NudeNet: no descriptive name.")
    near_duplicate_of: uuid.UUID | None = Field(
        default=None, description="An earlier image of this batch that looks nearly the same."
    )
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
