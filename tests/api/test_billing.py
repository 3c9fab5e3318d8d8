"""Billing through Stripe: the real `stripe` SDK against localstripe (customers, payment
methods, subscriptions, invoices, payment intents, and the signed webhooks it sends itself)
behind tests/fakes/stripe_server.py (Prices, Checkout Sessions, the billing portal).

The API runs as a real HTTP server in this process, so localstripe can deliver webhooks to it
and the test reads the same metrics registry. Webhooks are driven with correct signatures,
wrong and missing ones, stale ones, replays, concurrent duplicates and events out of order.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlmodel import col

from core.billing.models import Payment, StripeEvent, Subscription
from core.config import get_settings
from core.db import maintenance_transaction
from core.metrics import registry
from core.organizations.models import Membership, OrganizationRole
from scripts.stack import free_port
from tests.fakes.stripe_server import API_KEY, FakeStripe, sign, stripe_stack

SECRET = "whsec_test_renamer_billing"
pytestmark = pytest.mark.slow


class InThreadApi:
    """create_app() under uvicorn on a free port, in a thread of this process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> InThreadApi:
        from api.app import create_app

        config = uvicorn.Config(create_app(), host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=20)


@dataclass
class Billing:
    fake: FakeStripe
    http: httpx.Client
    prices: dict[str, str]  # plan code -> Stripe price id


@pytest.fixture(scope="module")
def stack(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Billing]:
    api = InThreadApi()
    settings = get_settings()
    with (
        pytest.MonkeyPatch.context() as patch,
        stripe_stack(
            webhook_url=f"{api.url}/billing/webhook",
            webhook_secret=SECRET,
            log_dir=tmp_path_factory.mktemp("stripe"),
        ) as fake,
    ):
        prices = {"PRO": fake.create_price("Pro", 1900)["id"], "MAX": fake.create_price("Max", 3900)["id"]}
        patch.setattr(settings, "stripe_api_key", SecretStr(API_KEY))
        patch.setattr(settings, "stripe_api_base", fake.base_url)
        patch.setattr(settings, "stripe_webhook_secret", SecretStr(SECRET))
        patch.setattr(settings, "stripe_price_ids", prices)
        api.start()
        try:
            with httpx.Client(base_url=api.url, timeout=60) as http:
                yield Billing(fake, http, prices)
        finally:
            api.stop()


# ----------------------------------------------------------------------------- helpers


def _sign_up(http: httpx.Client) -> tuple[dict[str, str], uuid.UUID]:
    email = f"billing-{uuid.uuid4().hex[:12]}@example.com"
    response = http.post("/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert response.status_code == 201, response.text
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return auth, uuid.UUID(http.get("/organizations/current", headers=auth).json()["id"])


def _billing(http: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    response = http.get("/billing", headers=auth)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _wait(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _payments(org: uuid.UUID) -> list[Payment]:
    with maintenance_transaction() as session:
        query = select(Payment).where(Payment.organization_id == org).order_by(col(Payment.created_at))
        return list(session.execute(query).scalars())


def _subscription(org: uuid.UUID) -> Subscription:
    with maintenance_transaction() as session:
        return session.get_one(Subscription, org)


def _events_recorded(*ids: str) -> int:
    with maintenance_transaction() as session:
        query = select(func.count()).select_from(StripeEvent).where(col(StripeEvent.id).in_(ids))
        return int(session.execute(query).scalar_one())


def _metric(name: str, **labels: str) -> float:
    return registry().get_sample_value(name, labels) or 0.0


def _checkout(stack: Billing, auth: dict[str, str], plan: str = "PRO") -> dict[str, Any]:
    response = stack.http.post("/billing/checkout", json={"plan": plan}, headers=auth)
    assert response.status_code == 200, response.text
    session_id = response.json()["url"].rsplit("/", 1)[-1]
    assert response.json()["url"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    return stack.fake.session(session_id)


def _upgraded(stack: Billing, plan: str = "PRO") -> tuple[dict[str, str], uuid.UUID, dict[str, Any]]:
    """An organization that went through Checkout, with every event of it applied."""
    auth, org = _sign_up(stack.http)
    session = stack.fake.complete_checkout(_checkout(stack, auth, plan)["id"])
    _wait(
        lambda: (
            [p for p in _payments(org) if p.stripe_invoice_id and p.status == "paid"]
            and _subscription(org).current_period_end
        ),
        "localstripe's subscription and invoice events",
    )
    return auth, org, session


def _subscription_event(
    stack: Billing,
    org: uuid.UUID,
    *,
    event_type: str = "customer.subscription.updated",
    subscription_id: str,
    created: int,
    plan: str = "PRO",
    status: str = "active",
    cancel_at_period_end: bool = False,
    period_end: int | None = None,
) -> httpx.Response:
    """A subscription object in the shape Stripe sends (price on the item, period on the item)."""
    period_end = period_end or created + 30 * 86400
    subscription = {
        "id": subscription_id,
        "object": "subscription",
        "customer": f"cus_test_{org.hex[:12]}",
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "cancel_at": period_end if cancel_at_period_end else None,
        "metadata": {"organization_id": str(org), "plan": plan},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_test_{uuid.uuid4().hex[:10]}",
                    "object": "subscription_item",
                    "price": {"id": stack.prices[plan], "object": "price"},
                    "current_period_start": created,
                    "current_period_end": period_end,
                }
            ],
        },
    }
    _, response = stack.fake.send_event(event_type, subscription, created=created)
    return response


# ----------------------------------------------------------------------------- the upgrade


def test_upgrade_through_checkout_with_the_webhooks_that_complete_it(stack: Billing) -> None:
    http, fake = stack.http, stack.fake
    auth, org = _sign_up(http)
    before = _billing(http, auth)
    assert before["plan"]["code"] == "BASIC" and before["status"] == "free"
    assert before["usage"]["limit"] == 50 and before["usage"]["used"] == 0
    assert [(p["code"], p["monthly_images"], p["price_cents"], p["purchasable"]) for p in before["plans"]] == [
        ("BASIC", 50, 0, False),
        ("PRO", 500, 1900, True),
        ("MAX", 1000, 3900, True),
    ]
    assert (before["can_manage"], before["has_billing_account"], before["billing_enabled"]) == (True, False, True)
    started = _metric("renamer_checkouts_started_total", plan="PRO")
    completed = _metric("renamer_checkouts_completed_total", plan="PRO")
    revenue = _metric("renamer_revenue_usd_total", plan="PRO")

    session = _checkout(stack, auth, "pro")  # plan codes in any case
    # What Stripe received: a subscription for the Pro price, for a customer tagged with the organization.
    assert session["mode"] == "subscription" and session["status"] == "open"
    assert session["client_reference_id"] == str(org)
    assert session["metadata"]["organization_id"] == str(org) and session["metadata"]["plan"] == "PRO"
    assert session["success_url"].startswith(f"{get_settings().frontend_url}/billing?checkout=success")
    assert fake.state.sessions[session["id"]]["_line_items"] == [{"price": stack.prices["PRO"], "quantity": "1"}]
    assert fake.state.sessions[session["id"]]["_subscription_data"]["metadata"]["organization_id"] == str(org)
    customer = fake.local_request("GET", f"/v1/customers/{session['customer']}")
    assert customer["metadata"] == {"organization_id": str(org)}
    [pending] = _payments(org)
    assert (pending.stripe_session_id, pending.status, pending.plan) == (session["id"], "pending", "PRO")
    assert (pending.amount_cents, pending.currency) == (1900, "usd")
    # Nothing changes until Stripe confirms the payment.
    waiting = _billing(http, auth)
    assert waiting["plan"]["code"] == "BASIC" and waiting["has_billing_account"] is True
    assert _metric("renamer_checkouts_started_total", plan="PRO") == started + 1

    # The customer pays on Checkout's page: localstripe holds the subscription and its paid invoice.
    paid = fake.complete_checkout(session["id"])
    assert fake.deliveries[-1].type == "checkout.session.completed" and fake.deliveries[-1].status == 200
    assert '"outcome":"processed"' in fake.deliveries[-1].body
    after = _billing(http, auth)
    assert after["plan"]["code"] == "PRO" and after["status"] == "active"
    assert after["usage"]["limit"] == 500 and after["usage"]["remaining"] == 500

    # localstripe's own signed events (subscription created, invoice paid) land too: the period end
    # appears, and the first invoice joins the checkout's payment row instead of making a second one.
    _wait(lambda: _subscription(org).current_period_end, "customer.subscription.created from localstripe")
    subscription = fake.subscription(paid["subscription"])
    row = _subscription(org)
    assert row.stripe_subscription_id == paid["subscription"] and row.stripe_customer_id == session["customer"]
    assert int(row.current_period_end.timestamp()) == subscription["current_period_end"]  # type: ignore[union-attr]
    [payment] = _wait(lambda: [p for p in _payments(org) if p.stripe_invoice_id], "the invoice's payment row")
    assert len(_payments(org)) == 1
    assert (payment.stripe_session_id, payment.stripe_invoice_id) == (session["id"], subscription["latest_invoice"])
    assert (payment.status, payment.amount_cents, payment.stripe_subscription_id) == (
        "paid",
        1900,
        paid["subscription"],
    )
    assert payment.completed_at is not None
    assert _metric("renamer_checkouts_completed_total", plan="PRO") == completed + 1
    assert _metric("renamer_revenue_usd_total", plan="PRO") == revenue + 19

    # A second checkout would be a second subscription: plan changes go through the portal.
    again = http.post("/billing/checkout", json={"plan": "MAX"}, headers=auth)
    assert again.status_code == 409 and again.json()["code"] == "already_subscribed"
    assert "billing portal" in again.json()["detail"]
    portal = http.post("/billing/portal", headers=auth)
    assert portal.status_code == 200, portal.text
    assert portal.json()["url"].startswith("https://billing.stripe.com/p/session/")
    assert fake.state.portal_sessions[-1]["customer"] == session["customer"]
    assert fake.state.portal_sessions[-1]["return_url"] == f"{get_settings().frontend_url}/billing"


def test_a_cancelled_plan_stays_until_the_period_ends_then_drops_to_basic(stack: Billing) -> None:
    auth, _, session = _upgraded(stack)
    subscription_id = session["subscription"]
    # In the portal the customer cancels: Stripe marks the subscription and says so.
    cancelled = stack.fake.local_request(
        "POST", f"/v1/subscriptions/{subscription_id}", {"cancel_at_period_end": "true"}
    )
    _, response = stack.fake.send_event("customer.subscription.updated", cancelled)
    assert response.status_code == 200 and response.json()["outcome"] == "processed", response.text
    state = _billing(stack.http, auth)
    assert (state["plan"]["code"], state["status"], state["cancel_at_period_end"]) == ("PRO", "active", True)
    assert state["current_period_end"] is not None

    # At the period end Stripe deletes the subscription; localstripe sends the signed event itself.
    stack.fake.local_request("DELETE", f"/v1/subscriptions/{subscription_id}")
    _wait(lambda: _billing(stack.http, auth)["plan"]["code"] == "BASIC", "customer.subscription.deleted")
    state = _billing(stack.http, auth)
    assert (state["status"], state["cancel_at_period_end"], state["usage"]["limit"]) == ("canceled", False, 50)
    # Back on Basic, a new checkout is possible again.
    assert stack.http.post("/billing/checkout", json={"plan": "MAX"}, headers=auth).status_code == 200


def test_a_failed_renewal_marks_past_due_and_keeps_the_plan_until_stripe_gives_up(stack: Billing) -> None:
    auth, org, session = _upgraded(stack)
    first = stack.fake.local_request(
        "GET", f"/v1/invoices/{stack.fake.subscription(session['subscription'])['latest_invoice']}"
    )
    renewal = {
        **first,
        "id": f"in_test_{uuid.uuid4().hex[:14]}",
        "status": "open",
        "billing_reason": "subscription_cycle",
        "amount_paid": 0,
        "amount_due": 1900,
        "status_transitions": {"paid_at": None},
    }
    revenue = _metric("renamer_revenue_usd_total", plan="PRO")
    _, failed = stack.fake.send_event("invoice.payment_failed", renewal)
    assert failed.status_code == 200 and failed.json()["outcome"] == "processed", failed.text
    state = _billing(stack.http, auth)
    assert (state["plan"]["code"], state["status"]) == ("PRO", "past_due")
    [row] = [p for p in _payments(org) if p.stripe_invoice_id == renewal["id"]]
    assert (row.status, row.amount_cents, row.plan) == ("failed", 1900, "PRO")

    # Stripe's retry succeeds: the same invoice is paid and the subscription is active again.
    paid = {**renewal, "status": "paid", "amount_paid": 1900, "status_transitions": {"paid_at": int(time.time())}}
    stack.fake.send_event("invoice.paid", paid, created=int(time.time()) + 1)
    subscription = stack.fake.subscription(session["subscription"])
    stack.fake.send_event("customer.subscription.updated", subscription, created=int(time.time()) + 2)
    state = _billing(stack.http, auth)
    assert (state["plan"]["code"], state["status"]) == ("PRO", "active")
    [row] = [p for p in _payments(org) if p.stripe_invoice_id == renewal["id"]]
    assert row.status == "paid"
    assert _metric("renamer_revenue_usd_total", plan="PRO") == revenue + 19
    # A late copy of the failure changes neither the paid row nor the status.
    _, late = stack.fake.send_event("invoice.payment_failed", renewal, created=int(time.time()) - 5)
    assert late.json()["outcome"] == "stale"
    assert _billing(stack.http, auth)["status"] == "active"
    assert [p.status for p in _payments(org) if p.stripe_invoice_id == renewal["id"]] == ["paid"]


# ----------------------------------------------------------------------------- who may pay


def test_only_the_owner_changes_the_plan_and_plans_must_be_sold(stack: Billing) -> None:
    http = stack.http
    owner, org = _sign_up(http)
    member, _ = _sign_up(http)
    member_id = uuid.UUID(http.get("/me", headers=member).json()["id"])
    with maintenance_transaction() as session:
        session.add(Membership(organization_id=org, user_id=member_id, role=OrganizationRole.MEMBER))
    switched = http.post("/auth/switch-organization", json={"organization_id": str(org)}, headers=member)
    assert switched.status_code == 200, switched.text
    member = {"Authorization": f"Bearer {switched.json()['access_token']}"}

    assert _billing(http, member)["can_manage"] is False
    for path, body in (("/billing/checkout", {"plan": "PRO"}), ("/billing/portal", None)):
        refused = http.post(path, json=body, headers=member)
        assert refused.status_code == 403 and refused.json()["code"] == "owner_only", refused.text
        assert "owner" in refused.json()["detail"]

    free = http.post("/billing/checkout", json={"plan": "BASIC"}, headers=owner)
    assert free.status_code == 422 and free.json()["code"] == "free_plan"
    unknown = http.post("/billing/checkout", json={"plan": "GOLD"}, headers=owner)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_plan"
    assert "PRO, MAX" in unknown.json()["detail"]
    portal = http.post("/billing/portal", headers=owner)
    assert portal.status_code == 409 and portal.json()["code"] == "no_billing_account"
    assert _payments(org) == []


def test_without_stripe_configured_checkout_says_so_and_quotas_still_work(
    stack: Billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth, _ = _sign_up(stack.http)
    monkeypatch.setattr(get_settings(), "stripe_api_key", None)
    refused = stack.http.post("/billing/checkout", json={"plan": "PRO"}, headers=auth)
    assert refused.status_code == 503 and refused.json()["code"] == "billing_not_configured"
    assert "RENAMER_STRIPE_API_KEY" in refused.json()["detail"]
    state = _billing(stack.http, auth)
    assert state["billing_enabled"] is False and not any(p["purchasable"] for p in state["plans"])
    assert state["usage"]["limit"] == 50


# ----------------------------------------------------------------------------- the webhook itself


def test_unsigned_wrongly_signed_and_stale_webhooks_are_refused_and_change_nothing(stack: Billing) -> None:
    fake = stack.fake
    auth, org = _sign_up(stack.http)
    sub_id = f"sub_test_{uuid.uuid4().hex[:14]}"
    obj = {
        "id": sub_id,
        "object": "subscription",
        "status": "active",
        "metadata": {"organization_id": str(org)},
        "items": {"data": [{"price": {"id": stack.prices["MAX"]}, "current_period_end": int(time.time()) + 86400}]},
    }
    event = fake.event("customer.subscription.updated", obj)
    payload = fake.payload_of(event)
    refused_before = _metric("renamer_payment_webhooks_total", event="unknown", outcome="invalid_signature")
    now = int(time.time())
    attempts = {
        "unsigned": None,
        "another secret": sign(payload, "whsec_someone_else"),
        "six minutes old": sign(payload, SECRET, timestamp=now - 360),
        "another body": sign(payload.replace(b'"active"', b'"trialing"'), SECRET),
        "garbage": "t=soon,v1=nothing",
        "no v1 scheme": sign(payload, SECRET).replace("v1=", "v0="),
    }
    for name, signature in attempts.items():
        response = fake.deliver(payload, signature)
        assert response.status_code == 400, (name, response.text)
        body = response.json()
        assert (body["error"], body["code"]) == ("BadRequest", "invalid_signature"), name
        assert "nothing was applied" in body["detail"]
    assert _events_recorded(event["id"]) == 0
    assert _billing(stack.http, auth)["plan"]["code"] == "BASIC"
    assert _metric("renamer_payment_webhooks_total", event="unknown", outcome="invalid_signature") == (
        refused_before + len(attempts)
    )

    # Within the tolerance (five minutes) the same event is accepted.
    ok = fake.deliver(payload, sign(payload, SECRET, timestamp=now - 240))
    assert ok.status_code == 200 and ok.json() == {"received": True, "outcome": "processed"}
    assert _billing(stack.http, auth)["plan"]["code"] == "MAX"
    assert fake.deliver(b"{not json", sign(b"{not json", SECRET)).json()["code"] == "invalid_event"


def test_a_replayed_event_is_acknowledged_and_applied_once(stack: Billing) -> None:
    fake = stack.fake
    _, org = _sign_up(stack.http)
    invoice = {
        "id": f"in_test_{uuid.uuid4().hex[:14]}",
        "object": "invoice",
        "customer": "cus_test_replay",
        "billing_reason": "subscription_cycle",
        "amount_paid": 3900,
        "currency": "usd",
        "status": "paid",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": "sub_test_replay", "metadata": {"organization_id": str(org)}},
        },
        "lines": {"data": [{"pricing": {"price_details": {"price": stack.prices["MAX"]}}}]},
    }
    event = fake.event("invoice.paid", invoice)
    payload = fake.payload_of(event)
    signature = sign(payload, SECRET)
    revenue = _metric("renamer_revenue_usd_total", plan="MAX")

    first = fake.deliver(payload, signature)
    second = fake.deliver(payload, signature)  # Stripe redelivers when it missed our 200
    assert [first.json()["outcome"], second.json()["outcome"]] == ["processed", "duplicate"]
    # Ten deliveries at once: one applies, the rest wait on the event's key and skip.
    with ThreadPoolExecutor(max_workers=10) as pool:
        burst_event = fake.event("invoice.paid", {**invoice, "id": f"in_test_{uuid.uuid4().hex[:14]}"})
        burst = fake.payload_of(burst_event)
        outcomes = list(pool.map(lambda _: fake.deliver(burst, sign(burst, SECRET)).json()["outcome"], range(10)))
    assert sorted(outcomes) == ["duplicate"] * 9 + ["processed"]

    assert _events_recorded(event["id"], burst_event["id"]) == 2
    rows = _payments(org)
    assert len(rows) == 2 and {(p.plan, p.status, p.amount_cents) for p in rows} == {("MAX", "paid", 3900)}
    assert _metric("renamer_revenue_usd_total", plan="MAX") == revenue + 2 * 39

    # invoice.payment_succeeded is the same news for the same invoice: no second row, no second revenue.
    _, twin = fake.send_event("invoice.payment_succeeded", invoice)
    assert twin.json()["outcome"] == "processed"
    assert len(_payments(org)) == 2 and _metric("renamer_revenue_usd_total", plan="MAX") == revenue + 2 * 39


def test_events_out_of_order_never_roll_the_plan_back(stack: Billing) -> None:
    auth, org = _sign_up(stack.http)
    sub_id = f"sub_test_{uuid.uuid4().hex[:14]}"
    t0 = int(time.time())

    def state() -> tuple[str, str, bool]:
        billing = _billing(stack.http, auth)
        return billing["plan"]["code"], billing["status"], billing["cancel_at_period_end"]

    newer = _subscription_event(
        stack, org, subscription_id=sub_id, created=t0 + 10, plan="MAX", cancel_at_period_end=True
    )
    assert newer.json()["outcome"] == "processed"
    assert state() == ("MAX", "active", True)

    # An older update (sent before the upgrade to Max and the cancellation) arrives late: ignored.
    older = _subscription_event(stack, org, subscription_id=sub_id, created=t0 + 5, plan="PRO")
    assert older.status_code == 200 and older.json()["outcome"] == "stale"
    assert state() == ("MAX", "active", True)
    # So is an older deletion.
    old_delete = _subscription_event(
        stack,
        org,
        event_type="customer.subscription.deleted",
        subscription_id=sub_id,
        created=t0 + 3,
        status="canceled",
    )
    assert old_delete.json()["outcome"] == "stale"
    # And a deletion of some other subscription, however new, does not end this one.
    other = _subscription_event(
        stack, org, event_type="customer.subscription.deleted", subscription_id="sub_test_other", created=t0 + 30,
        status="canceled",
    )  # fmt: skip
    assert other.json()["outcome"] == "stale"
    assert state() == ("MAX", "active", True)
    stale_before = _metric("renamer_payment_webhooks_total", event="customer.subscription.updated", outcome="stale")
    assert stale_before >= 1

    # The real end, newer than everything applied: Basic.
    ended = _subscription_event(
        stack,
        org,
        event_type="customer.subscription.deleted",
        subscription_id=sub_id,
        created=t0 + 40,
        status="canceled",
    )
    assert ended.json()["outcome"] == "processed"
    assert state() == ("BASIC", "canceled", False)
    assert _subscription(org).stripe_event_at is not None
    assert int(_subscription(org).stripe_event_at.timestamp()) == t0 + 40  # type: ignore[union-attr]


def test_events_we_do_not_handle_or_cannot_place_are_acknowledged(stack: Billing) -> None:
    ignored_before = _metric("renamer_payment_webhooks_total", event="customer.created", outcome="ignored")
    _, response = stack.fake.send_event("customer.created", {"id": "cus_test_x", "object": "customer"})
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert _metric("renamer_payment_webhooks_total", event="customer.created", outcome="ignored") == ignored_before + 1
    # A subscription of an organization we do not have (another app on the same Stripe account).
    stranger = {"id": "sub_test_stranger", "object": "subscription", "customer": "cus_test_stranger",
                "status": "active", "metadata": {"organization_id": str(uuid.uuid4())}}  # fmt: skip
    _, response = stack.fake.send_event("customer.subscription.updated", stranger)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
