"""Billing and quotas in a real browser.

* Upgrade: the billing page's Upgrade sends the browser to Stripe Checkout (the URL the API
  got from tests/fakes/stripe_server.py; the page itself is Stripe's, so the test answers it
  with a stand-in), the payment completes in localstripe and the signed
  checkout.session.completed webhook reaches the stack's API, and the page Stripe returns to
  shows the new plan.
* Quota: an organization near its monthly limit (BASIC set to 5 images for this stack) drops
  more files than fit: the upload flow says so before anything is sent, uploads only what
  fits, and nothing beyond the limit is stored, even when its quota reading is out of date.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.stripe_server import API_KEY, FakeStripe, stripe_stack
from tests.fixtures import images as fixtures

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PASSWORD = "correct horse battery"
SECRET = "whsec_test_renamer_browser"
BASIC_IMAGES = 5
CHECKOUT = re.compile(r"^https://checkout\.stripe\.com/c/pay/(cs_test_[0-9a-f]+)$")


@pytest.fixture(scope="module")
def stripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeStripe]:
    # The stack's API port is not known yet: the webhook URL is registered once it runs.
    with stripe_stack(
        webhook_url="http://127.0.0.1:9/not-yet", webhook_secret=SECRET, log_dir=tmp_path_factory.mktemp("stripe")
    ) as fake:
        yield fake


@pytest.fixture(scope="module")
def prices(stripe: FakeStripe) -> dict[str, str]:
    return {"PRO": stripe.create_price("Pro", 1900)["id"], "MAX": stripe.create_price("Max", 3900)["id"]}


@pytest.fixture(scope="module")
def stack_env(stripe: FakeStripe, prices: dict[str, str]) -> dict[str, str]:
    return {
        "RENAMER_STRIPE_API_KEY": API_KEY,
        "RENAMER_STRIPE_API_BASE": stripe.base_url,
        "RENAMER_STRIPE_WEBHOOK_SECRET": SECRET,
        "RENAMER_STRIPE_PRICE_IDS": json.dumps(prices),
        "RENAMER_PLAN_MONTHLY_IMAGES": json.dumps({"BASIC": BASIC_IMAGES}),
        "RENAMER_SIGNIN_PER_IP_PER_MINUTE": "1000",
    }


@pytest.fixture(scope="module")
def billing_stack(stack: Any, stripe: FakeStripe) -> Any:
    stripe.webhook_url = f"{stack.api_url}/billing/webhook"
    stripe.local.register_webhook(stripe.webhook_url, SECRET)
    return stack


def _sign_up(page: Any, base: str, api_url: str) -> dict[str, str]:
    """Signs up in the browser; returns bearer headers of the same account, for setting up."""
    from playwright.sync_api import expect

    email = f"billing-ui-{uuid.uuid4().hex[:10]}@example.com"
    page.goto(f"{base}/signup")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()
    login = httpx.post(f"{api_url}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _billing(api_url: str, auth: dict[str, str]) -> dict[str, Any]:
    response = httpx.get(f"{api_url}/billing", headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_upgrade_goes_through_checkout_and_the_webhook_changes_the_plan(
    billing_stack: Any, watched: Any, stripe: FakeStripe, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    stack = billing_stack
    page = watched.new_page()
    auth = _sign_up(page, stack.frontend_url, stack.api_url)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    expect(page.get_by_test_id("current-plan-name")).to_have_text("Basic")
    expect(page.get_by_test_id("usage-meter")).to_contain_text(f"0 of {BASIC_IMAGES}")
    expect(page.get_by_test_id("plan-card")).to_have_count(3)
    page.screenshot(path=artifacts / "billing-1-basic.png", full_page=True)

    # Stripe's Checkout page is on the internet: a stand-in answers for it here.
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Stripe Checkout (stand-in)</h1>"),
    )
    page.get_by_role("button", name="Upgrade to Pro").click()
    page.wait_for_url(CHECKOUT)
    match = CHECKOUT.match(page.url)
    assert match is not None
    session = stripe.session(match.group(1))
    assert session["mode"] == "subscription" and session["status"] == "open"
    assert session["success_url"].startswith(f"{stack.frontend_url}/billing?checkout=success")

    # The person pays; Stripe sends the signed checkout.session.completed to the stack's API.
    completed = stripe.complete_checkout(session["id"])
    delivered = [d for d in stripe.deliveries if d.type == "checkout.session.completed"]
    assert delivered and delivered[-1].status == 200, delivered

    # ... and sends the browser back to the success URL.
    page.goto(completed["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
    expect(page.get_by_test_id("current-plan-name")).to_have_text("Pro")
    expect(page.get_by_test_id("usage-meter")).to_contain_text("0 of 500")
    expect(page.get_by_text("Your plan is updated.")).to_be_visible()
    expect(page.get_by_role("button", name="Manage billing")).to_be_visible()
    expect(page.locator('[data-testid=plan-card][data-plan="PRO"]')).to_contain_text("Current plan")
    page.screenshot(path=artifacts / "billing-2-pro.png", full_page=True)
    assert _billing(stack.api_url, auth)["plan"]["code"] == "PRO"

    # Manage billing opens Stripe's billing portal.
    page.route(
        "https://billing.stripe.com/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Billing portal (stand-in)</h1>"),
    )
    page.get_by_role("button", name="Manage billing").click()
    page.wait_for_url(re.compile(r"^https://billing\.stripe\.com/p/session/bps_test_"))


def test_a_drop_over_the_quota_uploads_only_what_fits(
    billing_stack: Any, watched: Any, artifacts: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from core.storage import batch_root, get_storage

    stack = billing_stack
    api = stack.api_url
    page = watched.new_page()
    auth = _sign_up(page, stack.frontend_url, api)
    organization_id = httpx.get(f"{api}/organizations/current", headers=auth).json()["id"]

    # Three of the five images of the month are used already (another batch).
    earlier = httpx.post(f"{api}/batches", json={"name": "Earlier", "keywords": ["spring"]}, headers=auth).json()
    files = [("files", (name, data, "application/octet-stream")) for name, data in fixtures.mixed_set(3, seed=11)]
    uploaded = httpx.post(f"{api}/batches/{earlier['id']}/images", files=files, headers=auth, timeout=120)
    assert uploaded.status_code == 200, uploaded.text
    assert _billing(api, auth)["usage"]["used"] == 3

    batch = httpx.post(f"{api}/batches", json={"name": "Summer", "keywords": ["summer sale"]}, headers=auth).json()
    page.goto(f"{stack.frontend_url}/batches/{batch['id']}")
    expect(page.get_by_test_id("batch-workspace")).to_be_visible()

    def drop(names: list[str], seed: int) -> None:
        paths = []
        for index, (_, data) in enumerate(fixtures.mixed_set(len(names), seed=seed)):
            path = tmp_path / names[index]
            path.write_bytes(data)
            paths.append(str(path))
        page.get_by_test_id("file-input").set_input_files(paths)

    # Four files, two fit: said before anything is sent.
    drop(["a1.jpg", "a2.jpg", "a3.jpg", "a4.jpg"], seed=21)
    prompt = page.get_by_test_id("quota-prompt")
    expect(prompt.get_by_test_id("quota-message")).to_have_text(
        "3 of 5 images used this month; 2 more fit. Upgrade or remove files."
    )
    expect(prompt.get_by_role("link", name="Upgrade")).to_have_attribute("href", "/billing")
    expect(page.get_by_test_id("upload-row")).to_have_count(0)
    page.screenshot(path=artifacts / "billing-3-quota-prompt.png", full_page=True)
    prompt.get_by_role("button", name="Upload the 2 files that fit").click()
    rows = page.get_by_test_id("upload-row")
    expect(rows).to_have_count(2)
    expect(
        page.locator(
            "[data-testid=upload-row][data-state=queued],[data-testid=upload-row][data-state=naming],"
            "[data-testid=upload-row][data-state=named]"
        )
    ).to_have_count(2, timeout=120_000)

    # The quota is used up: nothing more fits, and there is no "upload what fits".
    drop(["b1.jpg"], seed=31)
    expect(prompt.get_by_test_id("quota-message")).to_have_text(
        "5 of 5 images used this month; no more fit this month. Upgrade or remove files."
    )
    expect(prompt.get_by_role("button", name=re.compile("^Upload the"))).to_have_count(0)
    prompt.get_by_role("button", name="Remove these files").click()
    expect(prompt).to_have_count(0)
    expect(rows).to_have_count(2)

    # Out of date: a quota read from before another member used the rest (served stale here).
    # The files go, and the server refuses each one with its own sentence.
    stale = _billing(api, auth)
    stale["usage"].update(used=3, remaining=2)
    page.route(f"{api}/billing", lambda route: route.fulfill(status=200, json=stale))
    drop(["c1.jpg", "c2.jpg"], seed=41)
    over = page.locator("[data-testid=upload-row][data-state=rejected]")
    expect(over).to_have_count(2, timeout=60_000)
    expect(over.first).to_contain_text("Over quota")
    expect(over.first.get_by_test_id("upload-detail")).to_contain_text("no more fit this month")
    page.unroute(f"{api}/billing")
    page.screenshot(path=artifacts / "billing-4-over-quota.png", full_page=True)

    # Nothing beyond the limit was stored or counted.
    assert _billing(api, auth)["usage"]["used"] == BASIC_IMAGES
    mine = httpx.get(f"{api}/batches/{batch['id']}", headers=auth).json()
    assert mine["total_images"] == 2, mine
    originals = [
        k
        for k in get_storage().list_keys(batch_root(uuid.UUID(organization_id), uuid.UUID(batch["id"])))
        if "/originals/" in k
    ]
    assert len(originals) == 2, originals
