"""Sign-in with any OpenID Connect provider (Google by default): authorization code flow
with state, nonce and PKCE (S256), the ID token checked against the provider's keys.

authlib's OAuth2 client builds the authorization URL and exchanges the code; joserfc
(authlib's own successor for JOSE; `authlib.jose` is deprecated) verifies the ID token's
signature against the provider's JWKS and its iss, aud, exp, iat and nonce claims. The
state, nonce and PKCE verifier live in Redis for ten minutes and are used once.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import redis
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.config import Settings
from core.errors import BadRequest, ServiceUnavailable

STATE_TTL_SECONDS = 600
DISCOVERY_TTL_SECONDS = 3600
HTTP_TIMEOUT = 10.0
STATE_KEY = "renamer:oidc:state:"


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


class OidcError(BadRequest):
    """The sign-in could not be completed; `code` goes back to the web app as ?error=."""

    code = "oidc_failed"


_discovery: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def is_configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret)


def _metadata(settings: Settings) -> dict[str, Any]:
    """The provider's discovery document, cached for an hour."""
    issuer = (settings.oidc_issuer or "").rstrip("/")
    with _lock:
        cached = _discovery.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
    try:
        response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ServiceUnavailable(
            "The sign-in provider cannot be reached right now; try again in a minute or use email and password.",
            code="oidc_unavailable",
        ) from exc
    if document.get("issuer", "").rstrip("/") != issuer:
        raise ServiceUnavailable("The sign-in provider is misconfigured (issuer mismatch).", code="oidc_misconfigured")
    with _lock:
        _discovery[issuer] = (time.monotonic(), document)
    return document


def _client(settings: Settings) -> OAuth2Client:
    assert settings.oidc_client_secret is not None
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        scope="openid email profile",
        redirect_uri=settings.oidc_redirect_url,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


def authorization_url(settings: Settings, cache: redis.Redis) -> str:
    """Where to send the browser; remembers state, nonce and the PKCE verifier."""
    metadata = _metadata(settings)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), generate_token(64)
    cache.set(STATE_KEY + state, json.dumps({"nonce": nonce, "verifier": verifier}), ex=STATE_TTL_SECONDS)
    with _client(settings) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return str(url)


def complete(settings: Settings, cache: redis.Redis, *, code: str, state: str) -> Identity:
    """Exchange the code (with the PKCE verifier) and verify the ID token. Single use per state."""
    stored = cache.getdel(STATE_KEY + state) if state else None
    if stored is None:
        raise OidcError(
            "This sign-in link has expired or was already used; start the sign-in again.", code="oidc_state"
        )
    remembered = json.loads(stored)
    metadata = _metadata(settings)
    try:
        with _client(settings) as client:
            token = client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=remembered["verifier"])
        keys = httpx.get(metadata["jwks_uri"], timeout=HTTP_TIMEOUT)
        keys.raise_for_status()
        key_set = KeySet.import_key_set(keys.json())
    except httpx.HTTPError as exc:
        raise ServiceUnavailable("The sign-in provider cannot be reached right now.", code="oidc_unavailable") from exc
    except Exception as exc:  # authlib raises OAuthError and friends for a refused code exchange
        raise OidcError("The sign-in provider refused the sign-in; start it again.", code="oidc_token") from exc
    id_token = token.get("id_token")
    if not id_token:
        raise OidcError("The sign-in provider sent no ID token.", code="oidc_token")
    return _verified_identity(id_token, key_set, settings, issuer=metadata["issuer"], nonce=remembered["nonce"])


def _verified_identity(id_token: str, key_set: KeySet, settings: Settings, *, issuer: str, nonce: str) -> Identity:
    try:
        decoded = jwt.decode(id_token, key_set, algorithms=["RS256", "ES256"])
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": settings.oidc_client_id or ""},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise OidcError("The sign-in could not be verified; start it again.", code="oidc_invalid_token") from exc
    claims = decoded.claims
    email = claims.get("email")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=str(email).strip().lower() if email else None,
        email_verified=claims.get("email_verified") is True,
        name=str(claims["name"]) if claims.get("name") else None,
    )
