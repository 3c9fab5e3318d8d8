"""Password hashing (argon2 via pwdlib), access tokens (JWT, HS256, 24 h by default), CSRF tokens
of cookie sessions and the single-use tokens sent by mail."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says: whose it is, which token (jti, for logout), the
    account's token version when it was issued, and when it expires."""

    user_id: uuid.UUID
    jti: str
    version: int
    expires_at: datetime
    # The organization the session works in (claim `org`); None in tokens issued before
    # organizations existed, which then work in the person's personal organization.
    organization_id: uuid.UUID | None = None


def new_token_id() -> str:
    return secrets.token_urlsafe(16)


def create_access_token(
    user_id: uuid.UUID,
    settings: Settings,
    *,
    version: int = 0,
    jti: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> tuple[str, int]:
    ttl = timedelta(hours=settings.access_token_ttl_hours)
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + ttl,
        "typ": "access",
        "jti": jti or new_token_id(),
        "ver": version,
    }
    if organization_id is not None:
        claims["org"] = str(organization_id)
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), int(ttl.total_seconds())


def decode_access_token(token: str, settings: Settings) -> AccessClaims:
    try:
        claims = jwt.decode(
            token, settings.secret_key, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "jti"]}
        )
        if claims.get("typ") != "access":
            raise jwt.InvalidTokenError("wrong token type")
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            jti=str(claims["jti"]),
            version=int(claims.get("ver", 0)),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            organization_id=uuid.UUID(str(claims["org"])) if claims.get("org") else None,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Your session has expired; log in again.", code="token_expired") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthorized("The access token is not valid; log in again.", code="invalid_token") from exc


def csrf_token_for(jti: str, settings: Settings) -> str:
    """The CSRF token of one cookie session: an HMAC of the session's token id.

    Bound to the session and keyed by the server secret, so it needs no storage, another
    session's token does not fit, and an attacker who can plant cookies (a sibling
    subdomain) still cannot forge one, which a plain double-submit cookie would allow."""
    return hmac.new(settings.secret_key.encode(), f"csrf:{jti}".encode(), hashlib.sha256).hexdigest()


def csrf_token_matches(candidate: str | None, jti: str, settings: Settings) -> bool:
    return candidate is not None and hmac.compare_digest(candidate, csrf_token_for(jti, settings))


API_KEY_PREFIX = "rk_"


def new_api_key() -> tuple[str, str]:
    """An API key to show once (`rk_` + 256 random bits, URL-safe) and the SHA-256 hex stored instead."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, api_key_hash(key)


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)


def new_mail_token() -> tuple[str, str]:
    """A token to mail (URL-safe, 256 bits) and the SHA-256 hex that is stored instead of it."""
    token = secrets.token_urlsafe(32)
    return token, mail_token_hash(token)


def mail_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
