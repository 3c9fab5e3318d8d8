"""The web app keeps no token in reach of scripts: its socket authenticates with the API's
HttpOnly session cookie, from an allowed origin only, and stops working after logout."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import socketio
from fastapi.testclient import TestClient

from core.config import get_settings
from tests.realtime.harness import Client, RealtimeProcess
from tests.support.api import create_batch

APP_ORIGIN = "http://127.0.0.1:3000"  # in the default RENAMER_CORS_ORIGINS


def _cookie_session(client: TestClient) -> tuple[TestClient, str, str]:
    """A browser-like client signed up in cookie mode: (client, session cookie, csrf token)."""
    browser = TestClient(client.app)
    email = f"socket-cookie-{uuid.uuid4().hex[:10]}@example.com"
    response = browser.post(
        "/auth/signup", json={"email": email, "password": "correct horse battery", "use_cookie": True}
    )
    assert response.status_code == 201, response.text
    cookie = browser.cookies.get(get_settings().session_cookie_name)
    assert cookie
    return browser, cookie, response.json()["csrf_token"]


def test_the_session_cookie_authenticates_a_socket_from_the_app(
    client: TestClient, new_client: Callable[..., Client], realtime: RealtimeProcess
) -> None:
    browser, cookie, csrf = _cookie_session(client)
    batch = browser.post("/batches", json={"keywords": ["summer"]}, headers={"X-CSRF-Token": csrf})
    assert batch.status_code == 201, batch.text
    name = get_settings().session_cookie_name
    headers = {"Cookie": f"other=1; {name}={cookie}", "Origin": APP_ORIGIN}

    socket = new_client().connect(headers=headers)
    ack = socket.join(batch.json()["id"])
    assert ack["ok"] is True and ack["seq"] == 0

    # Someone else's batch stays out of reach with a cookie too.
    theirs = create_batch(client, _bearer(client), name="Theirs")
    assert socket.join(theirs["id"])["code"] == "not_found"


def test_a_cookie_socket_is_refused_from_another_site_or_after_logout(
    client: TestClient, new_client: Callable[..., Client], realtime: RealtimeProcess
) -> None:
    browser, cookie, csrf = _cookie_session(client)
    cookie_header = f"{get_settings().session_cookie_name}={cookie}"

    # Another site's page: Engine.IO refuses the origin before our handler runs.
    with pytest.raises(socketio.exceptions.ConnectionError):
        new_client().connect(headers={"Cookie": cookie_header, "Origin": "https://attacker.example"})

    assert browser.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    revoked = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        revoked.connect(headers={"Cookie": cookie_header, "Origin": APP_ORIGIN})
    assert isinstance(revoked.refusal, dict) and revoked.refusal["data"]["code"] == "token_revoked"

    # No token and no cookie at all: the message says what to send.
    anonymous = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(headers={"Cookie": "unrelated=1", "Origin": APP_ORIGIN})
    assert anonymous.refusal["data"]["code"] == "not_authenticated"
    assert "session cookie" in anonymous.refusal["data"]["detail"]


def _bearer(client: TestClient) -> dict[str, str]:
    email = f"socket-other-{uuid.uuid4().hex[:10]}@example.com"
    response = client.post("/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
