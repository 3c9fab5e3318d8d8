"""The analysis cache: one provider's result for one image content, so it is never paid for twice.

Keyed by the image's SHA-256, the provider and the prompt key (prompt version plus a
digest of the context that went into the prompt: keywords, language, brand). Derived
from content alone, so it is shared across batches; only whoever holds the same bytes
can hit an entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from core.models import created_at_column


class AnalysisCacheEntry(SQLModel, table=True):
    __tablename__ = "analysis_cache"

    checksum: str = Field(primary_key=True, max_length=64)
    provider: str = Field(primary_key=True, max_length=32)
    prompt_key: str = Field(primary_key=True, max_length=80)
    analysis: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = created_at_column()
