from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from core.organizations.models import OrganizationRole


@dataclass(frozen=True)
class Principal:
    """Who is acting, and for which tenant. Every ownership check goes through this one
    object: batches and images belong to `organization_id`, and any member sees them.

    `user_id` is the signed-in person, or for an API key the member who created it (a key
    acts for its creator with member rights, and stops working when they leave). `role` is
    the caller's role in the organization; API keys are always MEMBER, so they never manage
    members, keys or billing."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: OrganizationRole = OrganizationRole.MEMBER
    api_key_id: uuid.UUID | None = None

    @property
    def caller_id(self) -> str:
        """The per-caller rate-limit subject (core.ratelimits): each API key has its own budget."""
        return f"key:{self.api_key_id}" if self.api_key_id is not None else f"user:{self.user_id}"


_COOKIE_FIELD = Field(
    default=False,
    description="Browsers: true sets an HttpOnly session cookie and returns a CSRF token instead of a bearer token.",
)


class SignupRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=10, max_length=256, description="At least 10 characters.")
    display_name: str = Field(default="", max_length=200)
    use_cookie: bool = _COOKIE_FIELD


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(max_length=256)
    use_cookie: bool = _COOKIE_FIELD


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str | None
    display_name: str
    # Unverified accounts may upload (the web app shows a banner); verification proves the
    # mailbox before it is used for password resets and receipts.
    email_verified_at: datetime | None = None
    created_at: datetime


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    user: UserPublic
    organization_id: uuid.UUID | None = Field(default=None, description="The organization this session works in.")


class CookieSessionResponse(BaseModel):
    """The session itself is in the HttpOnly cookie; send csrf_token as X-CSRF-Token on every
    POST, PUT, PATCH and DELETE made with the cookie."""

    csrf_token: str
    expires_in: int
    user: UserPublic
    organization_id: uuid.UUID | None = Field(default=None, description="The organization this session works in.")


class CsrfTokenResponse(BaseModel):
    csrf_token: str


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    jti: str
    expires_in: int
    user: UserPublic
    organization_id: uuid.UUID | None = None


class VerifyEmailRequest(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=256, description="At least 10 characters.")
