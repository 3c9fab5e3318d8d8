"""The analysis cache: one provider's result for one image content, so it is never paid for twice.

Keyed by the organization, the image's SHA-256, the provider and the prompt key (prompt
version plus a digest of the context that went into the prompt: keywords, language, brand).
Shared across an organization's batches, never across organizations: what a provider said
about a picture is that tenant's data (row-level security, like every tenant-owned table).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from core.models import created_at_column


class AnalysisCacheEntry(SQLModel, table=True):
    __tablename__ = "analysis_cache"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", primary_key=True)
    checksum: str = Field(primary_key=True, max_length=64)
    provider: str = Field(primary_key=True, max_length=32)
    prompt_key: str = Field(primary_key=True, max_length=80)
    analysis: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = created_at_column()
