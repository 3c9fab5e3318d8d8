"""What the organizations API takes and returns."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from core.organizations.models import OrganizationRole


class OrganizationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class OrganizationUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class OrganizationPublic(BaseModel):
    id: uuid.UUID
    name: str
    personal: bool = Field(description="Everyone's own organization, made at sign-up; it goes with the account.")
    role: OrganizationRole = Field(description="Your role in it.")
    created_at: datetime


class SwitchOrganization(BaseModel):
    organization_id: uuid.UUID
    use_cookie: bool = Field(
        default=False,
        description="As at login: true sets the HttpOnly session cookie (and returns a CSRF token) instead of "
        "returning a bearer token.",
    )


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    display_name: str
    email: str | None = Field(description="Only for accounts that sign in with email; provider accounts keep none.")
    role: OrganizationRole
    joined_at: datetime


class MemberUpdate(BaseModel):
    role: OrganizationRole


class InvitationCreate(BaseModel):
    email: EmailStr
    role: OrganizationRole = OrganizationRole.MEMBER


class InvitationPublic(BaseModel):
    """A pending invitation. The address itself is not stored (only its hash): `email_hint`
    is what is shown of it, taken when the invitation was made."""

    id: uuid.UUID
    organization_id: uuid.UUID
    role: OrganizationRole
    email_hint: str | None = None
    invited_by: uuid.UUID | None
    created_at: datetime
    expires_at: datetime
    expired: bool


class InvitationAccept(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the key is for, e.g. “nightly import”.")


class ApiKeyPublic(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_by: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="Shown only now: store it safely. Send it as `Authorization: Bearer <key>`.")
