"""A local OpenID Connect provider on 127.0.0.1 for tests: discovery document, JWKS with a
generated RSA key, /authorize that redirects straight back with a code (no UI: the test
follows the redirect), and /token that checks the code, the redirect URI, the PKCE (S256)
verifier and the client secret, then returns an RS256 ID token carrying the nonce.

Shapes follow OpenID Connect Core 1.0 and Discovery 1.0, and RFC 7636 (PKCE), so a real
client library talks to it unchanged. Tests steer it through `user`, `id_token_overrides`
(bad aud, exp, nonce ...), `sign_with_foreign_key` and `authorize_error`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass
class ProviderUser:
    subject: str = field(default_factory=lambda: secrets.token_hex(10))
    email: str = "person@example.com"
    name: str = "Pat Example"
    email_verified: bool = True


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    user: ProviderUser


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeOidcProvider:
    def __init__(self, *, client_id: str = "renamer-test", client_secret: str = "renamer-test-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.user = ProviderUser()
        self.id_token_overrides: dict[str, Any] = {}
        self.sign_with_foreign_key = False
        self.authorize_error: str | None = None  # e.g. "access_denied": the person said no
        self.token_requests: list[dict[str, str]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._foreign_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(4)
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "nonce"],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self._kid, "use": "sig", "alg": "RS256"}]}

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.user.subject,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 3600,
            "email": grant.user.email,
            "email_verified": grant.user.email_verified,
            "name": grant.user.name,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        claims.update(self.id_token_overrides)
        key = self._foreign_key if self.sign_with_foreign_key else self._key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._kid})

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any] | None]:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or not redirect_uri:
            # Never redirect to an unchecked URI (RFC 6749 4.1.2.1): answer here instead.
            return 400, {}, {"error": "invalid_request", "error_description": "unknown client or no redirect_uri"}
        back: dict[str, str] = {"state": query["state"]} if "state" in query else {}
        if self.authorize_error is not None:
            back["error"] = self.authorize_error
        elif query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            back["error"] = "invalid_request"
        elif query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            back["error"] = "invalid_request"
            back["error_description"] = "PKCE with S256 is required"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._grants[code] = _Grant(
                    self.client_id, redirect_uri, query["code_challenge"], query.get("nonce"), self.user
                )
            back["code"] = code
        separator = "&" if urlsplit(redirect_uri).query else "?"
        return 302, {"Location": f"{redirect_uri}{separator}{urlencode(back)}"}, None

    def _token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # codes are single-use
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "unknown, used or mismatched code"}
        if _s256(form.get("code_verifier", "")) != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid email profile",
            "id_token": self._id_token(grant),
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif parts.path == "/jwks":
                    self._send(200, provider.jwks())
                elif parts.path == "/authorize":
                    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
                    status, headers, body = provider._authorize(query)
                    self._send(status, body, headers)
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                if urlsplit(self.path).path != "/token":
                    self._send(404, {"error": "not_found"})
                    return
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                form = {name: values[0] for name, values in parse_qs(raw).items()}
                status, body = provider._token(form, self.headers.get("Authorization"))
                self._send(status, body)

        return Handler

    def __enter__(self) -> FakeOidcProvider:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
