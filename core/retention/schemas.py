from __future__ import annotations

from pydantic import BaseModel, Field


class AccountDeletion(BaseModel):
    """A person confirms deleting their account by typing their password again."""

    password: str | None = Field(default=None, max_length=256, description="Required for email accounts.")
