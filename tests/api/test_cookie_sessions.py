"""Browser sessions: an HttpOnly SameSite cookie, a CSRF token on state-changing cookie
requests (bearer requests need none), and logout that ends the session for good."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient

from core.accounts.sessions import CookiePolicy
from core.config import Environment, Settings

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def generous_signin_limit(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Many logins from one test-client address; the limit itself is tested in test_rate_limits.
    monkeypatch.setattr(settings, "signin_per_ip_per_minute", 100_000)


@pytest.fixture
def browser(client: TestClient) -> Iterator[TestClient]:
    """A client with its own cookie jar, so cookies never leak into the shared client."""
    yield TestClient(client.app)


def _account(client: TestClient) -> str:
    email = f"cookie-{uuid.uuid4().hex[:12]}@example.com"
    assert client.post("/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 201
    return email


def _cookie_login(browser: TestClient, email: str) -> str:
    response = browser.post("/auth/login", json={"email": email, "password": PASSWORD, "use_cookie": True})
    assert response.status_code == 200, response.text
    assert "access_token" not in response.json()  # the token stays out of reach of scripts
    return str(response.json()["csrf_token"])


def _set_cookies(response_headers: list[str]) -> dict[str, SimpleCookie]:
    parsed = {}
    for header in response_headers:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        parsed.update({name: cookie for name in cookie})
    return parsed


def test_cookie_login_sets_an_httponly_lax_session_cookie(client: TestClient, browser: TestClient) -> None:
    email = _account(client)
    response = browser.post("/auth/login", json={"email": email, "password": PASSWORD, "use_cookie": True})
    cookies = _set_cookies(response.headers.get_list("set-cookie"))
    session = cookies["renamer_session"]["renamer_session"]
    csrf = cookies["renamer_csrf"]["renamer_csrf"]
    assert session["httponly"] is True and session["samesite"].lower() == "lax" and session["path"] == "/"
    assert int(session["max-age"]) == 24 * 3600
    assert not csrf["httponly"] and csrf.value == response.json()["csrf_token"]
    assert not session["secure"]  # test runs over http; see test_cookies_are_secure_outside_development

    me = browser.get("/me")
    assert me.status_code == 200 and me.json()["email"] == email
    assert browser.get("/auth/csrf").json()["csrf_token"] == response.json()["csrf_token"]


def test_cookies_are_secure_outside_development(
    client: TestClient, browser: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = Settings(environment=Environment.PRODUCTION, secret_key="x" * 40, s3_secret_key="real")
    assert CookiePolicy.from_settings(production).secure is True
    assert CookiePolicy.from_settings(settings).secure is False
    monkeypatch.setattr(settings, "session_cookie_secure", True)
    email = _account(client)
    response = browser.post("/auth/login", json={"email": email, "password": PASSWORD, "use_cookie": True})
    cookies = _set_cookies(response.headers.get_list("set-cookie"))
    assert cookies["renamer_session"]["renamer_session"]["secure"] is True
    assert cookies["renamer_csrf"]["renamer_csrf"]["secure"] is True


def test_state_changing_cookie_requests_need_this_sessions_csrf_token(client: TestClient, browser: TestClient) -> None:
    email = _account(client)
    other_session_csrf = _cookie_login(TestClient(client.app), email)
    csrf = _cookie_login(browser, email)

    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": other_session_csrf}):
        refused = browser.post("/batches", json={}, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed", headers
        assert "X-CSRF-Token" in refused.json()["detail"]
    assert browser.get("/batches").json()["items"] == []  # nothing was created by the refused posts

    created = browser.post("/batches", json={}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    assert [b["id"] for b in browser.get("/batches").json()["items"]] == [created.json()["id"]]


def test_bearer_requests_need_no_csrf_token_and_win_over_a_cookie(client: TestClient, browser: TestClient) -> None:
    cookie_owner = _account(client)
    _cookie_login(browser, cookie_owner)
    bearer_owner = f"bearer-{uuid.uuid4().hex[:12]}@example.com"
    token = client.post("/auth/signup", json={"email": bearer_owner, "password": PASSWORD}).json()["access_token"]

    created = browser.post("/batches", json={}, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.text
    assert browser.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["email"] == bearer_owner
    # Another scheme is refused outright rather than falling back to the cookie.
    assert browser.get("/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_cookie_logout_revokes_the_session_and_clears_the_cookies(client: TestClient, browser: TestClient) -> None:
    email = _account(client)
    csrf = _cookie_login(browser, email)
    other_device = TestClient(client.app)
    _cookie_login(other_device, email)
    stolen_cookie = browser.cookies["renamer_session"]

    forged = browser.post("/auth/logout")
    assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
    assert browser.get("/me").status_code == 200

    logout = browser.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert logout.status_code == 204
    cleared = _set_cookies(logout.headers.get_list("set-cookie"))
    assert cleared["renamer_session"]["renamer_session"]["max-age"] == "0"
    assert "renamer_session" not in browser.cookies

    replay = TestClient(client.app, cookies={"renamer_session": stolen_cookie}).get("/me")
    assert replay.status_code == 401 and replay.json()["code"] == "token_revoked"
    assert replay.headers["www-authenticate"] == "Bearer"
    assert other_device.get("/me").status_code == 200  # logging out one device leaves the others


def test_bearer_logout_revokes_the_token(client: TestClient) -> None:
    email = _account(client)
    token = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/me", headers=headers).status_code == 200
    assert client.post("/auth/logout", headers=headers).status_code == 204
    after = client.get("/me", headers=headers)
    assert after.status_code == 401 and after.json()["code"] == "token_revoked"
    assert client.post("/auth/logout", headers=headers).status_code == 401
    again = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert client.get("/me", headers={"Authorization": f"Bearer {again.json()['access_token']}"}).status_code == 200


def test_cors_lets_the_frontend_send_cookies_and_the_csrf_header(client: TestClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-csrf-token",
    }
    allowed = client.options("/batches", headers={"Origin": "http://127.0.0.1:3000", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "x-csrf-token" in allowed.headers["access-control-allow-headers"].lower()
    refused = client.options("/batches", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers
