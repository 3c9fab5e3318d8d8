"""Accounts in a real browser: signing in through a local OpenID Connect provider with the
session in an HttpOnly cookie (nothing in localStorage) and logout that revokes it; an
organization with a teammate invited by mail, switched between in the header; an API key
shown once that works as a bearer token until it is revoked.

The stack's API talks to tests/fakes/oidc_provider.py and mails through
tests/fakes/smtp_server.py, both on 127.0.0.1.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.oidc_provider import FakeOidcProvider, ProviderUser
from tests.fakes.smtp_server import FakeSmtpServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PASSWORD = "correct horse battery"
INVITE_LINK = re.compile(r"https?://\S+/invitations/accept\?token=[A-Za-z0-9_\-%]+")


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[FakeOidcProvider]:
    with FakeOidcProvider() as provider:
        yield provider


@pytest.fixture(scope="module")
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def stack_env(oidc_provider: FakeOidcProvider, smtp: FakeSmtpServer) -> dict[str, str]:
    return {
        "RENAMER_OIDC_ISSUER": oidc_provider.issuer,
        "RENAMER_OIDC_CLIENT_ID": oidc_provider.client_id,
        "RENAMER_OIDC_CLIENT_SECRET": oidc_provider.client_secret,
        "NEXT_PUBLIC_OIDC_PROVIDER_NAME": "Google",
        "RENAMER_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
        # Several sign-ins from 127.0.0.1 within a minute; the limit has tests of its own.
        "RENAMER_SIGNIN_PER_IP_PER_MINUTE": "1000",
    }


def _session_cookie(context: Any) -> dict[str, Any]:
    [cookie] = [c for c in context.cookies() if c["name"] == "renamer_session"]
    return dict(cookie)


def _sign_up(page: Any, base: str, email: str, name: str = "") -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/signup")
    if name:
        page.get_by_label("Your name").fill(name)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()


def _mail_to(smtp: FakeSmtpServer, address: str, subject_contains: str, timeout: float = 20.0) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in list(smtp.inbox):
            if address in mail.recipients and subject_contains in str(mail.message["Subject"]):
                return str(mail.message.get_content())
        time.sleep(0.2)
    subjects = [(m.recipients, str(m.message["Subject"])) for m in smtp.inbox]
    raise AssertionError(f"no mail to {address} about {subject_contains!r}; inbox: {subjects}")


def test_sign_in_with_the_oidc_provider_keeps_the_session_in_an_httponly_cookie(
    stack: Any, watched: Any, oidc_provider: FakeOidcProvider, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    base = stack.frontend_url
    oidc_provider.user = ProviderUser(email=f"pat-{uuid.uuid4().hex[:8]}@example.com", name="Pat Provider")
    page = watched.new_page()

    page.goto(f"{base}/signup")
    expect(page.get_by_role("link", name="Sign up with Google")).to_be_visible()
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/login"))
    # The full round trip: API -> provider's /authorize -> API callback (code + PKCE, ID token
    # checked against the provider's keys) -> the app, signed in.
    page.screenshot(path=artifacts / "accounts-0-login.png")
    page.get_by_role("link", name="Sign in with Google").click()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()
    assert page.url.rstrip("/") == base
    expect(page.get_by_test_id("user-chip")).to_contain_text("Pat Provider")
    assert oidc_provider.token_requests and oidc_provider.token_requests[-1]["code_verifier"]

    # The token is out of reach of scripts: an HttpOnly cookie, nothing in storage.
    cookie = _session_cookie(watched)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert "renamer_session" not in page.evaluate("document.cookie")
    storage = page.evaluate("JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert cookie["value"] not in storage and "token" not in storage.lower()

    # The organization switcher shows the personal organization made at the first sign-in.
    expect(page.get_by_test_id("org-switcher")).not_to_contain_text("Loading")

    # A reload stays signed in (the app asks the API, the cookie answers).
    page.reload()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()

    # Logout revokes the session on the server, not only in this browser.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))
    stolen = httpx.get(f"{stack.api_url}/me", cookies={"renamer_session": cookie["value"]})
    assert stolen.status_code == 401, stolen.text
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/login"))

    # A refusal at the provider comes back as a sentence on the login page.
    oidc_provider.authorize_error = "access_denied"
    try:
        page.get_by_role("link", name="Sign in with Google").click()
        page.wait_for_url(re.compile(r"/login\?error=oidc_cancelled"))
        expect(page.get_by_text("The sign-in was cancelled at the provider.")).to_be_visible()
    finally:
        oidc_provider.authorize_error = None


def test_organization_switcher_invitation_by_mail_and_an_api_key_shown_once(
    stack: Any, watched: Any, browser: Any, smtp: FakeSmtpServer, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    base = stack.frontend_url
    owner_email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    teammate_email = f"teammate-{uuid.uuid4().hex[:8]}@example.com"
    team = f"Acme marketing {uuid.uuid4().hex[:4]}"
    page = watched.new_page()
    _sign_up(page, base, owner_email, name="Olivia Owner")

    # ------------------------------------------------------------ a new organization
    switcher = page.get_by_test_id("org-switcher")
    expect(switcher).not_to_contain_text("Loading")
    personal = switcher.inner_text().strip()
    switcher.click()
    page.get_by_role("button", name="Create organization").click()
    page.get_by_label("New organization").fill(team)
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_url(re.compile(r"/settings$"))
    expect(page.get_by_test_id("organization-name")).to_have_text(team)
    expect(page.get_by_test_id("organization-role")).to_have_text("Owner")
    expect(switcher).to_contain_text(team)

    # ------------------------------------------------------------ invite a teammate by mail
    invitations = page.get_by_test_id("invitations-section")
    invitations.get_by_label("Email address").fill(teammate_email)
    invitations.get_by_label("Role").select_option("admin")
    invitations.get_by_role("button", name="Send invitation").click()
    expect(invitations.get_by_text(f"Invitation sent to {teammate_email}")).to_be_visible()
    expect(invitations.get_by_test_id("invitation-row")).to_have_count(1)
    expect(invitations.get_by_test_id("invitation-row")).to_contain_text("Admin")
    body = _mail_to(smtp, teammate_email, team)
    [link] = INVITE_LINK.findall(body)
    assert link.startswith(f"{base}/invitations/accept?token=")

    # ------------------------------------------------------------ an API key, shown once
    keys = page.get_by_test_id("api-keys-section")
    keys.get_by_label("Key name").fill("nightly import")
    keys.get_by_role("button", name="Create API key").click()
    shown = keys.get_by_test_id("new-api-key")
    expect(shown).to_contain_text("shown only once")
    key = keys.get_by_test_id("new-api-key-value").input_value()
    page.screenshot(path=artifacts / "accounts-1-settings-new-key.png", full_page=True)
    assert len(key) > 20
    expect(keys.get_by_test_id("api-key-row")).to_have_count(1)
    row = keys.get_by_test_id("api-key-row")
    expect(row).to_contain_text("nightly import")
    expect(row).to_contain_text("Never")
    prefix = row.locator("code").inner_text().rstrip("…")
    assert key.startswith(prefix)
    # The key works as a bearer token, in this organization.
    as_key = httpx.get(f"{stack.api_url}/organizations/current", headers={"Authorization": f"Bearer {key}"})
    assert as_key.status_code == 200 and as_key.json()["name"] == team, as_key.text
    keys.get_by_role("button", name="I have stored the key").click()
    expect(shown).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("api-key-row")).to_have_count(1)
    expect(page.get_by_test_id("api-key-row")).not_to_contain_text("Never")  # last used just now
    assert key not in page.content()  # never shown again

    # ------------------------------------------------------------ the teammate accepts
    teammate = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = teammate.new_page()
        other.goto(link)
        other.wait_for_url(re.compile(r"/login\?next="))  # signed out: log in or sign up first
        other.get_by_role("link", name="Create an account").click()
        other.get_by_label("Your name").fill("Theo Teammate")
        other.get_by_label("Work email").fill(teammate_email)
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Create account").click()
        other.wait_for_url(re.compile(r"/invitations/accept\?token="))  # back to the invitation
        other.get_by_role("button", name="Accept invitation").click()
        expect(other.get_by_role("heading", name=f"You joined {team}")).to_be_visible()
        other.get_by_role("button", name=f"Open {team}").click()
        expect(other.get_by_role("heading", name="Your batches")).to_be_visible()
        expect(other.get_by_test_id("org-switcher")).to_contain_text(team)
    finally:
        teammate.close()

    page.reload()
    members = page.get_by_test_id("members-section").get_by_test_id("member-row")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="Theo Teammate")).to_contain_text(teammate_email)
    switcher.click()
    page.screenshot(path=artifacts / "accounts-2-switcher-members.png", full_page=True)
    switcher.click()
    expect(page.get_by_test_id("invitation-row")).to_have_count(0)  # accepted: no longer pending
    # Owners change roles in place.
    page.get_by_label("Role of Theo Teammate").select_option("member")
    page.reload()
    expect(page.get_by_label("Role of Theo Teammate")).to_have_value("member")

    # ------------------------------------------------------------ revoke the key, with a confirmation
    page.get_by_test_id("api-key-row").get_by_role("button", name="Revoke").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("nightly import")
    dialog.get_by_role("button", name="Revoke key").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("api-key-row")).to_have_count(0)
    revoked = httpx.get(f"{stack.api_url}/organizations/current", headers={"Authorization": f"Bearer {key}"})
    assert revoked.status_code == 401, revoked.text

    # ------------------------------------------------------------ switch back to the personal organization
    switcher.click()
    organizations = page.get_by_role("list", name="Your organizations")
    organizations.get_by_role("button", name=re.compile(re.escape(personal))).click()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()
    expect(switcher).to_contain_text(personal)
    page.goto(f"{base}/settings")
    expect(page.get_by_test_id("organization-name")).to_have_text(personal)
    expect(page.get_by_test_id("members-section").get_by_test_id("member-row")).to_have_count(1)


def test_mail_links_confirm_the_address_and_reset_the_password(stack: Any, watched: Any, smtp: FakeSmtpServer) -> None:
    from playwright.sync_api import expect

    base = stack.frontend_url
    email = f"mailer-{uuid.uuid4().hex[:8]}@example.com"
    page = watched.new_page()
    _sign_up(page, base, email)

    verify = re.search(r"https?://\S+/verify-email\?token=\S+", _mail_to(smtp, email, "Confirm your email"))
    assert verify is not None
    page.goto(verify.group(0))
    expect(page.get_by_text(f"{email} is confirmed")).to_be_visible()
    me = page.evaluate("async (api) => (await fetch(api + '/me', {credentials: 'include'})).json()", stack.api_url)
    assert me["email_verified_at"] is not None, me

    page.get_by_role("link", name="Go to your batches").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("a reset link is on its way")).to_be_visible()
    reset = re.search(r"https?://\S+/reset-password\?token=\S+", _mail_to(smtp, email, "password"))
    assert reset is not None
    page.goto(reset.group(0))
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Use at least 10 characters")).to_be_visible()
    page.get_by_label("New password").fill("a much better passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password", exact=True).fill("a much better passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()
