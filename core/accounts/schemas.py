from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, EmailStr, Field


@dataclass(frozen=True)
class Principal:
    """Who is acting. Every ownership check goes through this one object; organizations
    (a later issue) add a tenant id here rather than new checks at every call site."""

    user_id: uuid.UUID


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


class CookieSessionResponse(BaseModel):
    """The session itself is in the HttpOnly cookie; send csrf_token as X-CSRF-Token on every
    POST, PUT, PATCH and DELETE made with the cookie."""

    csrf_token: str
    expires_in: int
    user: UserPublic


class CsrfTokenResponse(BaseModel):
    csrf_token: str


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    jti: str
    expires_in: int
    user: UserPublic


class VerifyEmailRequest(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=256, description="At least 10 characters.")
