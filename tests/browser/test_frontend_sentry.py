"""The web app reports a browser error to Sentry, tagged and scrubbed.

`next start` gets NEXT_PUBLIC_SENTRY_* pointing at tests/fakes/sentry_server.py (read at run
time, so the shared build is used as it is); the assertions read the raw envelope, so an
email or token that left the browser in any field would be found.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.stack import Stack
from tests.fakes.sentry_server import FakeSentry

pytestmark = pytest.mark.slow

EMAIL = "dana.customer@example.com"
ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkYW5hIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
RESET_TOKEN = "reset-link-token-5f4e3d2c1b"
RELEASE = "web-rev-9a8b7c6"
ENVIRONMENT = "browser-test"


@pytest.fixture(scope="module")
def fake_sentry() -> Iterator[FakeSentry]:
    with FakeSentry() as fake:
        yield fake


def _web_stack(log_dir: Path, env: dict[str, str]) -> Any:
    """The API and the frontend only: nothing here needs a worker or the realtime service."""
    stack = Stack(log_dir=log_dir, env=env, with_worker=False, with_realtime=False)
    return stack.start(timeout=120)


@pytest.fixture(scope="module")
def sentry_stack(services: None, frontend_build: None, artifacts: Path, fake_sentry: FakeSentry) -> Iterator[Any]:
    env = {
        "NEXT_PUBLIC_SENTRY_DSN": fake_sentry.dsn,
        "NEXT_PUBLIC_SENTRY_RELEASE": RELEASE,
        "NEXT_PUBLIC_SENTRY_ENVIRONMENT": ENVIRONMENT,
    }
    stack = _web_stack(artifacts / "logs-sentry", env)
    try:
        yield stack
    finally:
        stack.stop()


def test_a_browser_error_reaches_sentry_with_release_and_environment_and_no_secrets(
    sentry_stack: Any, browser: Any, fake_sentry: FakeSentry
) -> None:
    page = browser.new_page()
    try:
        # A reset link carries its token in the URL, as the mail sends it.
        query = urllib.parse.urlencode({"token": RESET_TOKEN})
        page.goto(f"{sentry_stack.frontend_url}/reset-password?{query}")
        page.wait_for_load_state("networkidle")
        page.evaluate(
            """([email, token]) => {
                console.log(`signed in as ${email} with Bearer ${token}`);
                setTimeout(() => { throw new Error(`upload failed for ${email} (token ${token})`); }, 0);
            }""",
            [EMAIL, ACCESS_TOKEN],
        )
        envelope, event = fake_sentry.wait_for_event(
            lambda e: "upload failed" in json.dumps(e.get("exception", {})), timeout=30
        )
    finally:
        page.close()

    assert event["release"] == RELEASE
    assert event["environment"] == ENVIRONMENT
    assert event["tags"]["service"] == "frontend"
    assert event["platform"] == "javascript"
    message = event["exception"]["values"][0]["value"]
    assert message == "upload failed for [email] (token [token])"
    raw = envelope.raw.decode(errors="replace")
    for secret in (EMAIL, ACCESS_TOKEN, RESET_TOKEN, "dana.customer"):
        assert secret not in raw, f"{secret} left the browser"
    # The page's URL is still there, its token is not; the console line became a scrubbed breadcrumb.
    assert "/reset-password?token=[filtered]" in event["request"]["url"]
    consoles = [b.get("message", "") for b in event.get("breadcrumbs", []) if b.get("category") == "console"]
    assert "signed in as [email] with Bearer [token]" in consoles


def test_sentry_stays_off_without_a_dsn(
    services: None, frontend_build: None, artifacts: Path, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without NEXT_PUBLIC_SENTRY_DSN the page carries no Sentry settings and sends nothing."""
    monkeypatch.delenv("NEXT_PUBLIC_SENTRY_DSN", raising=False)
    stack = _web_stack(artifacts / "logs-sentry-off", {})
    page = browser.new_page()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/envelope/" in r.url else None)
    try:
        page.goto(f"{stack.frontend_url}/login")
        page.wait_for_load_state("networkidle")
        config = json.loads(page.locator("#renamer-env").text_content() or "{}")
        page.evaluate("() => setTimeout(() => { throw new Error('nobody listens'); }, 0)")
        page.wait_for_timeout(1500)
    finally:
        page.close()
        stack.stop()
    assert config["apiUrl"] == stack.api_url and "sentry" not in config
    assert sent == []
