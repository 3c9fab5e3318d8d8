"""Storage tombstones: object-storage prefixes that must be emptied.

A tombstone is written in the same transaction that deletes (or purges) the rows the
objects belong to, so the promise to delete the files commits with the deletion itself.
The objects are deleted after that commit, never while it is open; a tombstone is dropped
only when its prefix has been seen empty after `settle_at`, by which time a task that was
still writing into the prefix (a thumbnail, an upload) has finished. If S3 fails, the
retention sweep tries again: nothing is ever left behind.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel

from core.models import created_at_column, uuid_pk


class TombstoneReason(StrEnum):
    BATCH_DELETED = "batch_deleted"
    ACCOUNT_DELETED = "account_deleted"
    RETENTION = "retention"  # the batch stays; its files went after retention_days


class StorageTombstone(SQLModel, table=True):
    __tablename__ = "storage_tombstones"
    __table_args__ = (Index("ix_storage_tombstones_next_attempt_at", "next_attempt_at"),)

    id: uuid.UUID = uuid_pk()
    prefix: str = Field(max_length=512)  # always ends with "/": orgs/{oid}/ or orgs/{oid}/batches/{bid}/
    reason: str = Field(max_length=32)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_column()
    # Writers that were in flight when the rows went are done by then; the prefix is checked again after it.
    settle_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    # Claimed by a pass (a lease), retried after a failure (backoff) or due for the check after settle_at.
    next_attempt_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
