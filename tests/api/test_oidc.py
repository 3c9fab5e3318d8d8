"""OpenID Connect sign-in.

The API side (GET /auth/oidc/login and /auth/oidc/callback through authlib) waits for authlib
to be added to the project. Until then these tests pin down the local provider the flow
tests will run against: that it speaks the authorization-code flow with PKCE the way a real
provider does, and that its ID tokens verify (or fail) against its JWKS with PyJWT's own
JWKS client, so a green flow test later means our client validated a real signature.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from tests.fakes.oidc_provider import FakeOidcProvider

REDIRECT = "http://127.0.0.1:3001/auth/oidc/callback"


@pytest.fixture
def provider() -> Iterator[FakeOidcProvider]:
    with FakeOidcProvider() as running:
        yield running


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize(
    provider: FakeOidcProvider, challenge: str, nonce: str = "n-123", state: str = "s-456"
) -> dict[str, str]:
    config = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    response = httpx.get(
        config["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": REDIRECT,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def _token(provider: FakeOidcProvider, code: str, verifier: str, secret: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{provider.issuer}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
        auth=(provider.client_id, secret or provider.client_secret),
    )


def _verify(provider: FakeOidcProvider, id_token: str, nonce: str) -> dict[str, object]:
    key = jwt.PyJWKClient(f"{provider.issuer}/jwks").get_signing_key_from_jwt(id_token)
    claims: dict[str, object] = jwt.decode(
        id_token, key.key, algorithms=["RS256"], audience=provider.client_id, issuer=provider.issuer
    )
    assert claims["nonce"] == nonce
    return claims


def test_code_flow_with_pkce_returns_an_id_token_that_verifies_against_the_jwks(provider: FakeOidcProvider) -> None:
    provider.user.email, provider.user.name = "Someone@Example.com", "Some One"
    verifier, challenge = _pkce()
    back = _authorize(provider, challenge)
    assert back["state"] == "s-456" and "error" not in back
    reply = _token(provider, back["code"], verifier)
    assert reply.status_code == 200, reply.text
    claims = _verify(provider, reply.json()["id_token"], nonce="n-123")
    assert claims["sub"] == provider.user.subject and claims["name"] == "Some One"
    # Codes are single-use.
    assert _token(provider, back["code"], verifier).json()["error"] == "invalid_grant"


def test_provider_refuses_a_wrong_verifier_or_client_secret(provider: FakeOidcProvider) -> None:
    verifier, challenge = _pkce()
    wrong_secret = _token(provider, _authorize(provider, challenge)["code"], verifier, secret="guess")
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    wrong_verifier = _token(provider, _authorize(provider, challenge)["code"], "not-the-verifier")
    assert wrong_verifier.status_code == 400 and "PKCE" in wrong_verifier.json()["error_description"]


def test_tampered_id_tokens_fail_verification(provider: FakeOidcProvider) -> None:
    verifier, challenge = _pkce()
    provider.sign_with_foreign_key = True
    forged = _token(provider, _authorize(provider, challenge)["code"], verifier).json()["id_token"]
    with pytest.raises(jwt.InvalidSignatureError):
        _verify(provider, forged, nonce="n-123")
    provider.sign_with_foreign_key = False
    provider.id_token_overrides = {"aud": "someone-else"}
    wrong_audience = _token(provider, _authorize(provider, challenge)["code"], verifier).json()["id_token"]
    with pytest.raises(jwt.InvalidAudienceError):
        _verify(provider, wrong_audience, nonce="n-123")


def test_a_refusal_at_the_provider_comes_back_as_an_error_with_the_state(provider: FakeOidcProvider) -> None:
    provider.authorize_error = "access_denied"
    back = _authorize(provider, _pkce()[1], state="keep-me")
    assert back == {"state": "keep-me", "error": "access_denied"}


# --------------------------------------------------------------------------- our routes, end to end


@pytest.fixture
def oidc_settings(client, provider: FakeOidcProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOidcProvider]:  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    from core.accounts import oidc
    from core.config import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "oidc_issuer", provider.issuer)
    monkeypatch.setattr(settings, "oidc_client_id", provider.client_id)
    monkeypatch.setattr(settings, "oidc_client_secret", SecretStr(provider.client_secret))
    monkeypatch.setattr(settings, "oidc_redirect_url", "http://testserver/auth/oidc/callback")
    monkeypatch.setattr(settings, "frontend_url", "http://app.example")
    oidc._discovery.clear()
    yield provider
    client.cookies.clear()  # the shared test client must not stay signed in for other tests


def _sign_in(client, provider: FakeOidcProvider):  # type: ignore[no-untyped-def]
    """Browser steps: our login → provider (no UI) → our callback. Returns the callback response."""
    start = client.get("/auth/oidc/login", follow_redirects=False)
    assert start.status_code == 302, start.text
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert authorize.geturl().startswith(provider.issuer + "/authorize")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0].split()
    back = httpx.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    return client.get(f"{callback.path}?{callback.query}", follow_redirects=False), callback


def test_signing_in_with_the_provider_creates_an_account_without_storing_the_email(
    client, oidc_settings: FakeOidcProvider
) -> None:  # type: ignore[no-untyped-def]
    from core.accounts.models import User
    from core.accounts.security import email_hash
    from core.db import maintenance_transaction

    oidc_settings.user.email = f"oidc-{secrets.token_hex(4)}@example.com"
    done, _ = _sign_in(client, oidc_settings)
    assert done.status_code == 302 and done.headers["location"] == "http://app.example/"
    cookie = done.cookies.get("renamer_session")
    assert cookie, "signed in with the session cookie"
    token_request = oidc_settings.token_requests[-1]
    assert token_request["grant_type"] == "authorization_code" and token_request["code_verifier"]
    me = client.get("/me")  # the cookie jar now holds the session
    assert me.status_code == 200, me.text
    assert me.json()["display_name"] == "Pat Example" and me.json()["email"] is None
    with maintenance_transaction() as session:
        user = session.query(User).filter(User.oidc_subject == oidc_settings.user.subject).one()
        assert user.email is None and user.password_hash is None
        assert user.email_hash == email_hash(oidc_settings.user.email)
        assert user.oidc_issuer == oidc_settings.issuer and user.email_verified_at is not None

    # The same person again: the same account.
    again, _ = _sign_in(client, oidc_settings)
    assert again.status_code == 302
    with maintenance_transaction() as session:
        assert session.query(User).filter(User.oidc_subject == oidc_settings.user.subject).count() == 1


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        ("nonce", "oidc_invalid_token"),
        ("audience", "oidc_invalid_token"),
        ("foreign_key", "oidc_invalid_token"),
        ("expired", "oidc_invalid_token"),
        ("denied", "oidc_cancelled"),
    ],
)
def test_a_sign_in_that_does_not_verify_goes_back_to_the_login_page(
    client, oidc_settings: FakeOidcProvider, tamper: str, error: str
) -> None:  # type: ignore[no-untyped-def]
    import time

    if tamper == "nonce":
        oidc_settings.id_token_overrides["nonce"] = "someone-elses-nonce"
    elif tamper == "audience":
        oidc_settings.id_token_overrides["aud"] = "another-client"
    elif tamper == "foreign_key":
        oidc_settings.sign_with_foreign_key = True
    elif tamper == "expired":
        oidc_settings.id_token_overrides["exp"] = int(time.time()) - 3600
    elif tamper == "denied":
        oidc_settings.authorize_error = "access_denied"
    done, _ = _sign_in(client, oidc_settings)
    assert done.status_code == 302
    assert done.headers["location"] == f"http://app.example/login?error={error}"
    assert "renamer_session" not in done.cookies


def test_a_callback_is_used_once_and_needs_our_state(client, oidc_settings: FakeOidcProvider) -> None:  # type: ignore[no-untyped-def]
    oidc_settings.user.email = f"once-{secrets.token_hex(4)}@example.com"
    done, callback = _sign_in(client, oidc_settings)
    assert done.status_code == 302 and done.headers["location"] == "http://app.example/"
    replay = client.get(f"{callback.path}?{callback.query}", follow_redirects=False)
    assert replay.headers["location"] == "http://app.example/login?error=oidc_state"
    forged = client.get("/auth/oidc/callback?code=abc&state=made-up", follow_redirects=False)
    assert forged.headers["location"] == "http://app.example/login?error=oidc_state"


def test_an_unverified_provider_email_never_takes_over_an_email_account(
    client, oidc_settings: FakeOidcProvider
) -> None:  # type: ignore[no-untyped-def]
    email = f"owner-{secrets.token_hex(4)}@example.com"
    created = client.post("/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert created.status_code == 201
    oidc_settings.user.email, oidc_settings.user.email_verified = email, False
    done, _ = _sign_in(client, oidc_settings)
    assert done.headers["location"] == "http://app.example/login?error=email_taken"


def test_provider_sign_in_is_404_when_not_configured(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 404 and response.json()["code"] == "oidc_not_configured"
