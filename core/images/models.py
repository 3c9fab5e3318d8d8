from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, UniqueConstraint, func, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from core.models import created_at_column, optional_timestamp, updated_at_column, uuid_pk


class ImageStatus(StrEnum):
    PENDING = "PENDING"  # row written, not yet handed to the queue
    QUEUED = "QUEUED"  # job enqueued (or to be re-enqueued by the sweep)
    PROCESSING = "PROCESSING"  # a worker holds the claim
    NAMED = "NAMED"
    FAILED = "FAILED"


class Image(SQLModel, table=True):
    __tablename__ = "images"
    __table_args__ = (
        # A file appears once per batch: the duplicate check is enforced by the database.
        UniqueConstraint("batch_id", "checksum", name="uq_images_batch_id_checksum"),
        Index("ix_images_batch_id_status", "batch_id", "status"),
        Index("ix_images_checksum", "checksum"),
        Index("ix_images_status_updated_at", "status", "updated_at"),
        # Names are unique within a batch, case-insensitively (ZIP members, file systems).
        Index(
            "uq_images_batch_id_final_name",
            "batch_id",
            func.lower(text("final_name")),
            unique=True,
            postgresql_where=text("final_name IS NOT NULL"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    batch_id: uuid.UUID = Field(foreign_key="batches.id", ondelete="CASCADE")
    # Who uploaded it (None once they deleted their account; the image stays with the organization).
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL", index=True)
    # The tenant, kept on the row itself so that row-level security needs no join.
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", index=True)
    # The calendar month (UTC) whose quota this image was reserved in; a refund goes back there.
    quota_period: date | None = Field(default=None, sa_type=Date)
    original_name: str = Field(max_length=255)  # sanitized, display only, never in a storage key
    storage_key: str = Field(max_length=512)
    thumbnail_key: str | None = Field(default=None, max_length=512)
    file_size: int = Field(sa_type=BigInteger)
    mime_type: str = Field(max_length=64)
    checksum: str = Field(max_length=64)  # SHA-256 hex
    crc32: int = Field(sa_type=BigInteger)  # lets the ZIP store files without buffering
    width: int
    height: int
    analysis: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    proposed_name: str | None = Field(default=None, max_length=255)
    final_name: str | None = Field(default=None, max_length=255)
    name_edited: bool = False
    alt_text: str | None = Field(default=None, max_length=300)
    status: ImageStatus = Field(
        default=ImageStatus.PENDING,
        sa_type=SAEnum(ImageStatus, native_enum=False, length=16, create_constraint=True, name="status"),
    )
    provider: str | None = Field(default=None, max_length=32)  # who analysed it
    cost_usd: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    unsafe: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})  # SafeSearch / NudeNet
    phash: str | None = Field(default=None, max_length=16)  # 64-bit perceptual hash, hex
    # The earlier image of this batch this one nearly duplicates (perceptual hash distance).
    near_duplicate_of: uuid.UUID | None = Field(default=None, foreign_key="images.id", ondelete="SET NULL")
    failure_code: str | None = Field(default=None, max_length=64)
    failure_reason: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    # Who holds the work: a reclaim after a crash issues a new token, so a late finisher
    # from the old claim cannot write a second result.
    claim_token: uuid.UUID | None = None
    claimed_at: datetime | None = optional_timestamp()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    processed_at: datetime | None = optional_timestamp()
