"""Shared column helpers for the table models (each area keeps its own models.py).

SQLModel's Field() is typed as returning Any; the helpers are typed as the column's Python type
so that model attributes keep their real types.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, func
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def uuid_pk() -> uuid.UUID:
    return Field(default_factory=uuid.uuid4, primary_key=True)  # type: ignore[no-any-return]


def created_at_column() -> datetime:
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )


def updated_at_column() -> datetime:
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "onupdate": func.now(), "nullable": False},
    )


def optional_timestamp() -> datetime | None:
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)  # type: ignore[no-any-return]
