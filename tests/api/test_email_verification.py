"""Email verification and password reset by mail: links are single-use, expire, are stored
only hashed, and a reset request never says whether an address has an account."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from core.config import Settings
from tests.conftest import PG_URL, TEST_DB
from tests.fakes.smtp_server import FakeSmtpServer

PASSWORD = "correct horse battery"
LINK = re.compile(r"https?://\S+/(verify-email|reset-password)\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture(autouse=True)
def generous_signin_limit(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Verify and reset share the sign-in budget (10 a minute per address); these tests make
    # more calls than that from one test-client address. The limit itself is tested elsewhere.
    monkeypatch.setattr(settings, "signin_per_ip_per_minute", 100_000)


@pytest.fixture
def mailbox(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Mail written to the log by the console sender (no smtp_url in tests)."""
    with caplog.at_level(logging.INFO, logger="core.accounts.mail"):
        yield caplog


def _links(mailbox: pytest.LogCaptureFixture, kind: str, to: str) -> list[str]:
    found = []
    for record in mailbox.records:
        if record.name == "core.accounts.mail" and record.args and record.args[0] == to:  # type: ignore[index]
            found += [token for link_kind, token in LINK.findall(record.getMessage()) if link_kind == kind]
    return found


def _sign_up(client: TestClient) -> tuple[str, dict[str, str]]:
    email = f"mail-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    assert response.json()["user"]["email_verified_at"] is None
    return email, {"Authorization": f"Bearer {response.json()['access_token']}"}


def _sql(query: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(PG_URL.replace("+psycopg", "") + f"/{TEST_DB}", autocommit=True) as conn:
        cursor = conn.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def test_signup_mails_a_link_that_verifies_the_address_once(
    client: TestClient, mailbox: pytest.LogCaptureFixture
) -> None:
    email, auth = _sign_up(client)
    [token] = _links(mailbox, "verify-email", email)
    assert client.get("/me", headers=auth).json()["email_verified_at"] is None

    verified = client.post("/auth/verify", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified_at"] is not None
    assert client.get("/me", headers=auth).json()["email_verified_at"] == verified.json()["email_verified_at"]

    again = client.post("/auth/verify", json={"token": token})
    assert again.status_code == 400 and again.json()["code"] == "token_invalid"
    assert "new one" in again.json()["detail"]
    resend = client.post("/auth/verify/resend", headers=auth)
    assert resend.status_code == 409 and resend.json()["code"] == "already_verified"


def test_mailed_tokens_are_stored_only_as_hashes(client: TestClient, mailbox: pytest.LogCaptureFixture) -> None:
    email, _ = _sign_up(client)
    [token] = _links(mailbox, "verify-email", email)
    rows = _sql("SELECT t.token_hash FROM account_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = %s", email)
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert not _sql("SELECT 1 FROM account_tokens WHERE token_hash = %s", token)


def test_expired_or_unknown_verification_link_is_refused(client: TestClient, mailbox: pytest.LogCaptureFixture) -> None:
    email, auth = _sign_up(client)
    [token] = _links(mailbox, "verify-email", email)
    _sql(
        "UPDATE account_tokens SET expires_at = now() - interval '1 minute', created_at = now() - interval '49 hours' "
        "WHERE user_id = (SELECT id FROM users WHERE email = %s)",
        email,
    )
    expired = client.post("/auth/verify", json={"token": token})
    assert expired.status_code == 400 and expired.json()["code"] == "token_expired"
    unknown = client.post("/auth/verify", json={"token": "made-up-token"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "token_invalid"
    assert client.get("/me", headers=auth).json()["email_verified_at"] is None

    # A fresh link works; a second resend within the minute sends nothing more.
    assert client.post("/auth/verify/resend", headers=auth).status_code == 202
    assert client.post("/auth/verify/resend", headers=auth).status_code == 202
    fresh = _links(mailbox, "verify-email", email)
    assert len(fresh) == 2 and fresh[-1] != token
    assert client.post("/auth/verify", json={"token": fresh[-1]}).status_code == 200


def test_unverified_accounts_may_upload(client: TestClient) -> None:
    _, auth = _sign_up(client)
    created = client.post("/batches", json={}, headers=auth)
    assert created.status_code == 201, created.text


def test_password_reset_sets_the_password_and_signs_out_every_session(
    client: TestClient, mailbox: pytest.LogCaptureFixture
) -> None:
    email, auth = _sign_up(client)
    second_device = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
    requested = client.post("/auth/password-reset", json={"email": email.upper()})
    assert requested.status_code == 202
    [token] = _links(mailbox, "reset-password", email)

    short = client.post("/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert short.status_code == 422
    done = client.post("/auth/password-reset/confirm", json={"token": token, "password": "a brand new passphrase"})
    assert done.status_code == 204, done.text

    for headers in (auth, {"Authorization": f"Bearer {second_device}"}):
        refused = client.get("/me", headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    old = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    new = client.post("/auth/login", json={"email": email, "password": "a brand new passphrase"})
    assert new.status_code == 200
    # Opening the mailed link proved the mailbox.
    assert new.json()["user"]["email_verified_at"] is not None

    reused = client.post("/auth/password-reset/confirm", json={"token": token, "password": "yet another passphrase"})
    assert reused.status_code == 400 and reused.json()["code"] == "token_invalid"


def test_password_reset_does_not_reveal_whether_an_account_exists(
    client: TestClient, mailbox: pytest.LogCaptureFixture
) -> None:
    email, _ = _sign_up(client)
    stranger = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    known = client.post("/auth/password-reset", json={"email": email})
    unknown = client.post("/auth/password-reset", json={"email": stranger})
    assert (
        (known.status_code, known.json())
        == (unknown.status_code, unknown.json())
        == (
            202,
            {"detail": "If an account uses this address, a reset link is on its way."},
        )
    )
    assert len(_links(mailbox, "reset-password", email)) == 1
    assert _links(mailbox, "reset-password", stranger) == []
    # A second request within the minute answers the same and sends nothing.
    assert client.post("/auth/password-reset", json={"email": email}).status_code == 202
    assert len(_links(mailbox, "reset-password", email)) == 1


def test_signup_mail_goes_through_smtp_when_configured(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSmtpServer() as smtp:
        monkeypatch.setattr(settings, "smtp_url", SecretStr(f"smtp://mailer:s3cret@127.0.0.1:{smtp.port}"))
        monkeypatch.setattr(settings, "mail_from", "Renamer <hello@renamer.test>")
        email, _ = _sign_up(client)
        [mail] = smtp.wait_for(1)
    assert mail.recipients == [email] and mail.login == "mailer"
    assert mail.message["From"] == "Renamer <hello@renamer.test>"
    assert mail.message["Subject"] == "Confirm your email for Image Renamer"
    body = mail.message.get_content()
    [(kind, token)] = LINK.findall(body)
    assert kind == "verify-email" and body.startswith(f"Hello {email.split('@')[0]}")
    assert client.post("/auth/verify", json={"token": token}).status_code == 200


def test_signup_succeeds_when_the_mail_server_is_down(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Port 9 (discard) refuses at once: the account is created, the failure is logged, and
    # the person can ask for the mail again.
    monkeypatch.setattr(settings, "smtp_url", SecretStr("smtp://127.0.0.1:9"))
    with caplog.at_level(logging.ERROR, logger="core.accounts.mail"):
        email, auth = _sign_up(client)
    assert client.get("/me", headers=auth).status_code == 200
    assert any("could not send mail" in r.getMessage() and email in r.getMessage() for r in caplog.records)
