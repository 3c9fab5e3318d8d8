from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ARRAY, BigInteger, Column, Index, Text, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from core.models import created_at_column, optional_timestamp, updated_at_column, uuid_pk


class BatchStatus(StrEnum):
    PENDING = "PENDING"  # created, no file yet
    UPLOADING = "UPLOADING"  # files arriving (and already being processed)
    PROCESSING = "PROCESSING"  # uploads closed, remaining images being named
    COMPLETED = "COMPLETED"  # every image named
    PARTIAL = "PARTIAL"  # some named, some failed
    FAILED = "FAILED"  # none could be named


OPEN_FOR_UPLOAD = frozenset({BatchStatus.PENDING, BatchStatus.UPLOADING})
FINISHED = frozenset({BatchStatus.COMPLETED, BatchStatus.PARTIAL, BatchStatus.FAILED})


class Batch(SQLModel, table=True):
    __tablename__ = "batches"
    __table_args__ = (
        Index("ix_batches_owner_id_created_at", "owner_id", text("created_at DESC")),
        Index("ix_batches_status", "status"),
        Index("ix_batches_organization_id_created_at", "organization_id", text("created_at DESC")),
        # The retention sweep looks for finished batches whose files are still stored.
        Index("ix_batches_completed_at_unpurged", "completed_at", postgresql_where=text("purged_at IS NULL")),
    )

    id: uuid.UUID = uuid_pk()
    # Who created it; the batch belongs to the organization and stays when they leave or
    # delete their account (then None).
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # The tenant: row-level security shows a batch only to transactions of this organization.
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE")
    name: str = Field(default="", max_length=200)
    status: BatchStatus = Field(
        default=BatchStatus.PENDING,
        sa_type=SAEnum(BatchStatus, native_enum=False, length=16, create_constraint=True, name="status"),
    )
    keywords: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}")
    )
    language: str = Field(default="en", max_length=16)
    max_name_length: int = Field(default=60)
    # Naming and delivery options (validated by core.batches.schemas.BatchOptions).
    # The provider chain for this batch; None: the operator's chain (settings.vision_provider).
    providers: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text), nullable=True))
    brand: str | None = Field(default=None, max_length=100)
    name_template: str | None = Field(default=None, max_length=200)  # "{brand}-{subject}-{color}-{n}"
    case_style: str = Field(default="kebab", max_length=8, sa_column_kwargs={"server_default": "kebab"})
    keep_pattern: str | None = Field(default=None, max_length=200)  # regex: part of the original name to keep
    unicode_names: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    allow_unsafe_names: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    write_metadata: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    strip_gps: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    cost_usd: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})  # provider cost so far
    total_images: int = 0
    processed_images: int = 0
    failed_images: int = 0
    # Every edit bumps content_version; the ZIP is current when zip_version equals it.
    content_version: int = 1
    event_seq: int = Field(
        default=0, sa_column_kwargs={"server_default": "0"}
    )  # last realtime event's sequence number (core.events)
    zip_version: int | None = None
    zip_key: str | None = Field(default=None, max_length=512)
    zip_size: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    completed_at: datetime | None = optional_timestamp()
    zip_built_at: datetime | None = optional_timestamp()
    # When the retention sweep deleted the batch's files (originals, thumbnails, ZIPs); the
    # batch, its names, alt text and manifest stay.
    purged_at: datetime | None = optional_timestamp()
