from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from core.models import created_at_column, optional_timestamp, updated_at_column, uuid_pk


class User(SQLModel, table=True):
    __tablename__ = "users"
    # One account per identity at one provider; the issuer is part of the key so that two
    # providers' subject ids can never collide.
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),)

    id: uuid.UUID = uuid_pk()
    # Stored lowercased, only for email sign-in, which needs the address for mail. OpenID
    # Connect sign-in keeps the subject id and email_hash only, as the target design does.
    email: str | None = Field(default=None, max_length=320, unique=True)
    email_hash: str = Field(max_length=64, unique=True)  # SHA-256 hex of the lowercased email
    google_id: str | None = Field(default=None, max_length=255, unique=True)
    oidc_issuer: str | None = Field(default=None, max_length=255)
    oidc_subject: str | None = Field(default=None, max_length=255)
    display_name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    email_verified_at: datetime | None = optional_timestamp()
    # Part of every access token; bumping it (password reset) ends every session at once.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class RevokedToken(SQLModel, table=True):
    """Access tokens ended by logout before their expiry. A row is useless once the token
    has expired anyway, so rows past expires_at may be deleted at any time."""

    __tablename__ = "revoked_tokens"

    jti: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)


class AccountTokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105  (a purpose, not a secret)


class AccountToken(SQLModel, table=True):
    """A single-use token mailed to a person. Only its SHA-256 is stored: the token is 32
    random bytes, so a fast hash is enough, and a leaked table cannot be replayed."""

    __tablename__ = "account_tokens"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    purpose: AccountTokenPurpose = Field(
        sa_type=SAEnum(AccountTokenPurpose, native_enum=False, length=16, create_constraint=True, name="purpose"),
    )
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = optional_timestamp()
    created_at: datetime = created_at_column()
