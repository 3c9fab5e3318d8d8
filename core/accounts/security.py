"""Password hashing (argon2 via pwdlib) and access tokens (JWT, HS256, 24 h by default)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from pwdlib import PasswordHash

from core.config import Settings
from core.errors import Unauthorized

_hasher = PasswordHash.recommended()
ALGORITHM = "HS256"


@lru_cache
def _dummy_hash() -> str:
    """Verifying against a fixed hash when the user does not exist keeps login timing
    flat; computed on first use (argon2 costs ~65 MB and 0.5 s, not for every process)."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return bool(_hasher.verify(password, password_hash or _dummy_hash())) and password_hash is not None


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def create_access_token(user_id: uuid.UUID, settings: Settings) -> tuple[str, int]:
    ttl = timedelta(hours=settings.access_token_ttl_hours)
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + ttl, "typ": "access"}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), int(ttl.total_seconds())


def decode_access_token(token: str, settings: Settings) -> uuid.UUID:
    try:
        claims = jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        if claims.get("typ") != "access":
            raise jwt.InvalidTokenError("wrong token type")
        return uuid.UUID(str(claims["sub"]))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Your session has expired; log in again.", code="token_expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("The access token is not valid; log in again.", code="invalid_token") from exc
