from __future__ import annotations

import uuid

from sqlalchemy.orm import Session
from sqlmodel import select

from core.accounts.models import User


def get_by_email_hash(session: Session, digest: str) -> User | None:
    return session.execute(select(User).where(User.email_hash == digest)).scalar_one_or_none()


def get(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user
