"""Sign-up, log-in and token resolution. Services never commit."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts import repository
from core.accounts.models import User
from core.accounts.schemas import LoginRequest, Principal, SignupRequest, TokenResponse, UserPublic
from core.accounts.security import (
    create_access_token,
    decode_access_token,
    email_hash,
    hash_password,
    verify_password,
)
from core.config import Settings
from core.errors import Conflict, Unauthorized


def _token_response(user: User, settings: Settings) -> TokenResponse:
    token, ttl = create_access_token(user.id, settings)
    return TokenResponse(access_token=token, expires_in=ttl, user=UserPublic.model_validate(user, from_attributes=True))


def sign_up(session: Session, *, request: SignupRequest, settings: Settings) -> TokenResponse:
    email = str(request.email).strip().lower()
    digest = email_hash(email)
    if repository.get_by_email_hash(session, digest) is not None:
        raise Conflict("An account with this email already exists; log in instead.", code="email_taken")
    user = User(
        email=email,
        email_hash=digest,
        display_name=request.display_name.strip() or email.split("@", 1)[0],
        password_hash=hash_password(request.password),
    )
    try:
        with session.begin_nested():
            repository.add(session, user)
    except IntegrityError as exc:  # a concurrent sign-up with the same address
        raise Conflict("An account with this email already exists; log in instead.", code="email_taken") from exc
    return _token_response(user, settings)


def log_in(session: Session, *, request: LoginRequest, settings: Settings) -> TokenResponse:
    user = repository.get_by_email_hash(session, email_hash(str(request.email)))
    if not verify_password(request.password, user.password_hash if user else None) or user is None:
        raise Unauthorized("Email or password is not right.", code="invalid_credentials")
    return _token_response(user, settings)


def resolve_principal(session: Session, *, token: str, settings: Settings) -> Principal:
    user_id = decode_access_token(token, settings)
    if repository.get(session, user_id) is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    return Principal(user_id=user_id)
