from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlmodel import col, select

from core.accounts.models import AccountToken, AccountTokenPurpose, RevokedToken, User


def get_by_email_hash(session: Session, digest: str) -> User | None:
    return session.execute(select(User).where(User.email_hash == digest)).scalar_one_or_none()


def get(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def get_for_update(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id, with_for_update=True)


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def is_revoked(session: Session, jti: str) -> bool:
    return session.get(RevokedToken, jti) is not None


def revoke(session: Session, *, jti: str, user_id: uuid.UUID, expires_at: datetime, now: datetime) -> None:
    # A second logout with the same token (two tabs) is not an error.
    session.execute(
        insert(RevokedToken)
        .values(jti=jti, user_id=user_id, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["jti"])
    )
    # Rows of expired tokens protect nothing; logout is rare enough to prune them here (indexed).
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))  # type: ignore[arg-type]


def add_token(session: Session, token: AccountToken) -> None:
    session.add(token)
    session.flush()


def latest_unused_token(session: Session, user_id: uuid.UUID, purpose: AccountTokenPurpose) -> AccountToken | None:
    query = (
        select(AccountToken)
        .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))  # type: ignore[union-attr]
        .order_by(AccountToken.created_at.desc())  # type: ignore[attr-defined]
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def token_for_update(session: Session, token_hash: str, purpose: AccountTokenPurpose) -> AccountToken | None:
    """Locked, so that two requests with the same token cannot both use it."""
    query = (
        select(AccountToken)
        .where(AccountToken.token_hash == token_hash, AccountToken.purpose == purpose)
        .with_for_update()
    )
    return session.execute(query).scalar_one_or_none()


def use_all_tokens(session: Session, user_id: uuid.UUID, purpose: AccountTokenPurpose, now: datetime) -> None:
    session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))  # type: ignore[union-attr,arg-type]
        .values(used_at=now)
    )


def get_by_oidc_identity(session: Session, issuer: str, subject: str) -> User | None:
    query = select(User).where(col(User.oidc_issuer) == issuer, col(User.oidc_subject) == subject)
    return session.execute(query).scalar_one_or_none()
