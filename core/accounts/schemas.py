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


class SignupRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=10, max_length=256, description="At least 10 characters.")
    display_name: str = Field(default="", max_length=200)


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(max_length=256)


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str | None
    display_name: str
    created_at: datetime


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    user: UserPublic
