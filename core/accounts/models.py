from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models import created_at_column, updated_at_column, uuid_pk


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = uuid_pk()
    # Stored lowercased; email sign-in needs the address for mail. Google sign-in (later)
    # keeps only google_id and email_hash, as the target design does.
    email: str | None = Field(default=None, max_length=320, unique=True)
    email_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the lowercased email
    google_id: str | None = Field(default=None, max_length=255, unique=True)
    display_name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
