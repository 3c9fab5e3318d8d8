"""The payment provider behind a small interface: Stripe through the official SDK.

`StripeGateway` builds a `stripe.StripeClient` from settings (api key, api base, timeout), so
tests point it at local servers (localstripe and tests/fakes/stripe_server.py) and the real
SDK code runs. With no key configured there is no gateway: `get_gateway` says so in a 503,
while plans and quotas keep working.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache

import stripe
from pydantic import SecretStr

from core.config import Settings
from core.errors import ServiceUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    amount_total: int | None
    currency: str | None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _unavailable(action: str, exc: stripe.StripeError) -> ServiceUnavailable:
    if isinstance(exc, stripe.InvalidRequestError | stripe.AuthenticationError | stripe.PermissionError):
        # Our request or our key is wrong, not Stripe's availability: an operator must look.
        log.error("Stripe refused to %s: %s", action, exc.user_message or exc, extra={"stripe_code": exc.code})
        return ServiceUnavailable(
            f"Stripe refused to {action}; billing is misconfigured on this server and it has been logged.",
            code="billing_misconfigured",
        )
    log.warning("Stripe could not %s: %s", action, exc)
    return ServiceUnavailable(
        f"Stripe could not {action} just now; try again in a minute.", code="payments_unavailable"
    )


class StripeGateway:
    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeGateway:
        api_key = secret_value(settings.stripe_api_key)
        assert api_key is not None
        return _cached_gateway(api_key, settings.stripe_api_base, settings.stripe_timeout_seconds)

    def create_customer(self, *, organization_id: uuid.UUID, name: str) -> str:
        try:
            customer = self.client.v1.customers.create(
                params={"name": name, "metadata": {"organization_id": str(organization_id)}},
                # A retry after a timeout (the request rolled back, so no id was kept) must not make a
                # second customer; the name is part of the key, as Stripe refuses a reused key with
                # other parameters.
                options={"idempotency_key": f"customer-{organization_id}-{_digest(name)}"},
            )
        except stripe.StripeError as exc:
            raise _unavailable("create a customer", exc) from exc
        return str(customer.id)

    def create_checkout_session(
        self,
        *,
        customer_id: str,
        price_id: str,
        organization_id: uuid.UUID,
        plan: str,
        user_id: uuid.UUID,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutSession:
        # The organization travels in the session and in the subscription it creates, so every
        # webhook (session, subscription and, through it, invoice events) names its tenant.
        metadata = {"organization_id": str(organization_id), "plan": plan}
        try:
            session = self.client.v1.checkout.sessions.create(
                params={
                    "mode": "subscription",
                    "customer": customer_id,
                    "line_items": [{"price": price_id, "quantity": 1}],
                    "client_reference_id": str(organization_id),
                    "metadata": {**metadata, "user_id": str(user_id)},
                    "subscription_data": {"metadata": metadata},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                }
            )
        except stripe.StripeError as exc:
            raise _unavailable("start a checkout", exc) from exc
        if not session.url:
            raise ServiceUnavailable("Stripe returned a checkout without a page to open; try again.")
        return CheckoutSession(
            id=session.id, url=session.url, amount_total=session.amount_total, currency=session.currency
        )

    def create_portal_session(self, *, customer_id: str, return_url: str) -> str:
        try:
            portal = self.client.v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            raise _unavailable("open the billing portal", exc) from exc
        return str(portal.url)


@lru_cache(maxsize=4)
def _cached_gateway(api_key: str, api_base: str | None, timeout: float) -> StripeGateway:
    client = stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        # requests: the SDK's own dependency (its httpx client sends bodies in a deprecated way).
        http_client=stripe.RequestsClient(timeout=timeout),
        max_network_retries=2,  # the SDK adds idempotency keys to its POST retries
    )
    return StripeGateway(client)


def secret_value(secret: SecretStr | None) -> str | None:
    """The secret, or None when unset or empty (an empty env var must not count as a key)."""
    value = secret.get_secret_value().strip() if secret is not None else ""
    return value or None


def get_gateway(settings: Settings) -> StripeGateway:
    if not billing_enabled(settings):
        raise ServiceUnavailable(
            "Billing is not set up on this server (RENAMER_STRIPE_API_KEY is not set); plans and quotas still apply.",
            code="billing_not_configured",
        )
    return StripeGateway.from_settings(settings)


def billing_enabled(settings: Settings) -> bool:
    return secret_value(settings.stripe_api_key) is not None
