from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from core.models import created_at_column, optional_timestamp, updated_at_column, uuid_pk


class OrganizationRole(StrEnum):
    OWNER = "owner"  # everything, billing and deleting the organization included
    ADMIN = "admin"  # members, invitations and API keys
    MEMBER = "member"  # batches


def _role_type() -> SAEnum:
    return SAEnum(
        OrganizationRole,
        native_enum=False,
        length=16,
        create_constraint=True,
        name="role",
        values_callable=lambda roles: [role.value for role in roles],
    )


class Organization(SQLModel, table=True):
    """The tenant: batches, images, usage, payments and API keys belong to one organization.
    Everyone gets a personal one at sign-up."""

    __tablename__ = "organizations"

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200)
    personal: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True, index=True)
    role: OrganizationRole = Field(default=OrganizationRole.MEMBER, sa_type=_role_type())
    created_at: datetime = created_at_column()


class Invitation(SQLModel, table=True):
    """An invitation mailed to an address. Only hashes are kept: the address's SHA-256 (to
    match the person who accepts) and the token's."""

    __tablename__ = "invitations"

    id: uuid.UUID = uuid_pk()
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", index=True)
    email_hash: str = Field(max_length=64)
    # What the list shows of the address ("al…@example.com"): enough to recognise it, not to mail it.
    email_hint: str | None = Field(default=None, max_length=120)
    role: OrganizationRole = Field(default=OrganizationRole.MEMBER, sa_type=_role_type())
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    accepted_at: datetime | None = optional_timestamp()
    revoked_at: datetime | None = optional_timestamp()
    created_at: datetime = created_at_column()


class ApiKey(SQLModel, table=True):
    """An organization's key for the API, shown once. Only its SHA-256 is stored (the key is
    32 random bytes, so a fast hash is enough); `prefix` lets people tell keys apart."""

    __tablename__ = "api_keys"

    id: uuid.UUID = uuid_pk()
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_column()
    last_used_at: datetime | None = optional_timestamp()
    revoked_at: datetime | None = optional_timestamp()
