"""Reading Stripe objects of old and new API versions (localstripe speaks 2017-08-15, the SDK
pins a 2026 version), and the settings billing refuses to start without."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from core.billing import webhooks
from core.config import Environment, Settings

PERIOD_END = 1_800_000_000


def test_a_subscriptions_price_and_period_end_in_both_shapes() -> None:
    old = {
        "plan": {"id": "price_pro"},
        "current_period_end": PERIOD_END,
        "items": {"data": [{"plan": {"id": "price_pro"}}]},
    }
    new = {"items": {"data": [{"price": {"id": "price_max"}, "current_period_end": PERIOD_END}]}}
    collapsed = {"items": {"data": [{"price": "price_max"}]}}  # an id, not expanded
    assert webhooks._subscription_price(old) == "price_pro"
    assert webhooks._subscription_price(new) == "price_max"
    assert webhooks._subscription_price(collapsed) == "price_max"
    assert webhooks._subscription_price({}) is None
    expected = datetime.fromtimestamp(PERIOD_END, UTC)
    assert webhooks._period_end(old) == expected == webhooks._period_end(new)
    assert webhooks._period_end({"items": {"data": []}}) is None


def test_an_invoices_subscription_metadata_and_price_in_both_shapes() -> None:
    old = {"subscription": "sub_1", "lines": {"data": [{"plan": {"id": "price_pro"}}]}}
    details = {"subscription": "sub_2", "metadata": {"organization_id": "x"}}
    new = {
        "parent": {"type": "subscription_details", "subscription_details": details},
        "lines": {"data": [{"pricing": {"price_details": {"price": "price_max"}}}]},
    }
    middle = {"subscription": "sub_3", "subscription_details": {"metadata": {"organization_id": "y"}}}
    assert [webhooks._invoice_subscription(i) for i in (old, new, middle)] == ["sub_1", "sub_2", "sub_3"]
    assert webhooks._invoice_metadata(new) == {"organization_id": "x"}
    assert webhooks._invoice_metadata(middle) == {"organization_id": "y"}
    assert webhooks._invoice_metadata(old) == {}
    assert webhooks._invoice_price(old) == "price_pro" and webhooks._invoice_price(new) == "price_max"


def test_the_handled_events() -> None:
    assert set(webhooks.HANDLED_EVENTS) == {
        "checkout.session.completed",
        "checkout.session.expired",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
    }


def test_a_deployment_with_a_stripe_key_needs_the_webhook_secret() -> None:
    secrets = {"secret_key": "s" * 40, "s3_secret_key": "real-secret"}
    with pytest.raises(ValidationError, match="RENAMER_STRIPE_WEBHOOK_SECRET"):
        Settings(environment=Environment.PRODUCTION, stripe_api_key="sk_live_x", **secrets)  # type: ignore[arg-type]
    Settings(environment=Environment.PRODUCTION, stripe_api_key="sk_live_x", stripe_webhook_secret="whsec_x", **secrets)  # type: ignore[arg-type]
    Settings(environment=Environment.PRODUCTION, **secrets)  # type: ignore[arg-type]  # billing off: fine
    Settings(environment=Environment.DEV, stripe_api_key="sk_test_x")  # type: ignore[arg-type]
