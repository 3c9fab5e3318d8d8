"""Stripe webhooks: verified, attributed to their organization, applied once, in order.

- Verified by `stripe.Webhook.construct_event` with the endpoint's secret: unsigned, wrongly
  signed or stale (older than the tolerance) requests are refused with 400 and change nothing.
- Attributed: the organization comes from the event itself (Checkout Session metadata and
  client_reference_id, the subscription's metadata, an invoice's subscription_details), or
  else from the Stripe customer id we stored; then the tenant is set for the transaction, so
  row-level security applies to everything the event changes.
- Idempotent: the event id goes into stripe_events in the same transaction as its effect; a
  replay (or a concurrent duplicate delivery, which waits on that key) is acknowledged and skipped.
- Out-of-order safe: subscriptions.stripe_event_at holds the `created` time of the newest
  event applied to the plan; an older event arriving later records its payment, if any, but
  never rolls the plan or status back. Events about a subscription other than the current one
  never touch the plan.

Handled: checkout.session.completed/.expired, customer.subscription.created/.updated/.deleted,
invoice.paid (and its twin invoice.payment_succeeded), invoice.payment_failed. A cancelled plan
keeps its paid plan until Stripe deletes the subscription at the period end (.deleted drops it
to BASIC); a failed payment sets past_due and keeps the plan until then too.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import stripe
from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.billing import quota, repository
from core.billing.gateway import secret_value
from core.billing.models import Payment, PaymentStatus, Subscription
from core.billing.repository import FREE_PLAN
from core.config import Settings
from core.db import after_commit, maintenance_transaction, transaction
from core.errors import BadRequest, ServiceUnavailable

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"  # this event id was applied before
    STALE = "stale"  # older than what the plan already reflects: recorded, plan untouched
    IGNORED = "ignored"  # a type we do not act on, or no organization of ours
    FAILED = "failed"
    INVALID_SIGNATURE = "invalid_signature"


# Statuses in which a subscription gives its plan; the rest (incomplete, canceled,
# incomplete_expired) do not. past_due and unpaid keep it until Stripe deletes the subscription.
_GRANTING = ("active", "trialing", "past_due", "unpaid", "paused")
_ENDED = ("canceled", "incomplete_expired")


@dataclass(frozen=True)
class StripeEvent:
    id: str
    type: str
    created: datetime
    object: dict[str, Any]


def _count(event_type: str, outcome: Outcome) -> None:
    metrics.PAYMENT_WEBHOOKS.labels(event=event_type, outcome=outcome.value).inc()


def verify(payload: bytes, signature: str | None, *, settings: Settings) -> StripeEvent:
    """The event, once its Stripe-Signature header proves it came from Stripe recently."""
    secret = secret_value(settings.stripe_webhook_secret)
    if secret is None:
        raise ServiceUnavailable(
            "Stripe webhooks are not set up on this server (RENAMER_STRIPE_WEBHOOK_SECRET is not set).",
            code="billing_not_configured",
        )
    tolerance = settings.stripe_webhook_tolerance_seconds
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
        raw = json.loads(payload)
        event = StripeEvent(
            id=str(raw["id"]),
            type=str(raw["type"]),
            created=datetime.fromtimestamp(int(raw["created"]), UTC),
            object=dict(raw["data"]["object"]),
        )
    except stripe.SignatureVerificationError as exc:
        _count("unknown", Outcome.INVALID_SIGNATURE)
        log.warning("Stripe webhook refused: %s", exc.user_message or exc)
        raise BadRequest(
            "This request does not carry a valid Stripe-Signature for this endpoint's secret, or it was signed "
            f"more than {tolerance} seconds ago; nothing was applied.",
            code="invalid_signature",
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        _count("unknown", Outcome.FAILED)
        raise BadRequest("The body is not a Stripe event; nothing was applied.", code="invalid_event") from exc
    return event


def receive(
    payload: bytes, signature: str | None, *, settings: Settings, sessions: sessionmaker[Session] | None = None
) -> Outcome:
    """Verify and apply one webhook delivery; what happened to it."""
    event = verify(payload, signature, settings=settings)
    handler = _HANDLERS.get(event.type)
    if handler is None:
        _count(event.type, Outcome.IGNORED)
        return Outcome.IGNORED
    try:
        organization_id = _organization_of(event)
        if organization_id is None:
            log.warning("Stripe event names no organization of ours", extra={"stripe_event": event.id})
            outcome = Outcome.IGNORED
        else:
            with transaction(sessions, tenant=organization_id) as session:
                if not repository.organization_exists(session, organization_id):
                    outcome = Outcome.IGNORED  # deleted since: nothing left to bill
                elif not repository.record_event(session, event.id, event.type, event.created):
                    outcome = Outcome.DUPLICATE
                else:
                    outcome = handler(session, organization_id, event, settings)
    except Exception:
        _count(event.type, Outcome.FAILED)
        log.exception("Stripe event could not be applied", extra={"stripe_event": event.id, "type": event.type})
        raise
    _count(event.type, outcome)
    log.info("Stripe event %s: %s", event.type, outcome.value, extra={"stripe_event": event.id})
    return outcome


# --- reading Stripe objects (old and new API versions) -----------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    """An id whether the field holds it or an expanded object."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) and value else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = _dict(subscription.get("items")).get("data") or []
    return _dict(items[0]) if items else {}


def _subscription_price(subscription: dict[str, Any]) -> str | None:
    item = _first_item(subscription)
    return _id(item.get("price")) or _id(item.get("plan")) or _id(subscription.get("plan"))


def _period_end(subscription: dict[str, Any]) -> datetime | None:
    # Newer API versions moved the period onto the subscription items.
    return _time(subscription.get("current_period_end")) or _time(_first_item(subscription).get("current_period_end"))


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    details = _dict(_dict(invoice.get("parent")).get("subscription_details"))
    return _id(invoice.get("subscription")) or _id(details.get("subscription"))


def _invoice_metadata(invoice: dict[str, Any]) -> dict[str, Any]:
    nested = _dict(_dict(invoice.get("parent")).get("subscription_details")).get("metadata")
    return _dict(invoice.get("subscription_details")).get("metadata") or _dict(nested)


def _invoice_price(invoice: dict[str, Any]) -> str | None:
    lines = _dict(invoice.get("lines")).get("data") or []
    for line in lines:
        line = _dict(line)
        pricing = _dict(_dict(line.get("pricing")).get("price_details"))
        price = _id(line.get("price")) or _id(line.get("plan")) or _id(pricing.get("price"))
        if price:
            return price
    return None


def _organization_of(event: StripeEvent) -> uuid.UUID | None:
    """From the event itself, else from the customer or subscription ids we stored (a lookup
    across tenants, before the tenant is known)."""
    obj = event.object
    kind = obj.get("object")
    candidates: list[Any] = [_dict(obj.get("metadata")).get("organization_id")]
    if kind == "checkout.session":
        candidates.append(obj.get("client_reference_id"))
    if kind == "invoice":
        candidates.append(_dict(_invoice_metadata(obj)).get("organization_id"))
    for candidate in candidates:
        if (found := _uuid(candidate)) is not None:
            return found
    customer = _id(obj.get("customer"))
    subscription = _id(obj.get("id")) if kind == "subscription" else _id(obj.get("subscription"))
    if kind == "invoice":
        subscription = _invoice_subscription(obj)
    with maintenance_transaction() as session:
        if customer and (found := repository.organization_for_customer(session, customer)) is not None:
            return found
        if subscription:
            return repository.organization_for_subscription(session, subscription)
    return None


# --- applying ----------------------------------------------------------------------------


def _plan_for_price(session: Session, price_id: str | None, *, settings: Settings) -> str | None:
    if price_id is None:
        return None
    for terms in quota.all_plans(session, settings=settings):
        if terms.stripe_price_id == price_id:
            return terms.code
    log.warning("Stripe price %s is no plan of ours (RENAMER_STRIPE_PRICE_IDS)", price_id)
    return None


def _known_plan(session: Session, code: Any) -> str | None:
    return code if isinstance(code, str) and repository.plan(session, code) is not None else None


def _newer(row: Subscription, event: StripeEvent) -> bool:
    """Same second counts as newer: Stripe sends a checkout's events within one second."""
    return row.stripe_event_at is None or event.created >= row.stripe_event_at


def _concerns_current(row: Subscription, subscription_id: str | None) -> bool:
    """An event about this subscription may change the plan: it is the current one, or there
    is none (or only an ended one) to protect."""
    if subscription_id is None:
        return False
    return row.stripe_subscription_id in (None, subscription_id) or row.status in (*_ENDED, "free")


def _checkout_completed(
    session: Session, organization_id: uuid.UUID, event: StripeEvent, settings: Settings
) -> Outcome:
    obj = event.object
    if obj.get("mode") != "subscription":
        return Outcome.IGNORED
    metadata = _dict(obj.get("metadata"))
    subscription_id = _id(obj.get("subscription"))
    payment = repository.payment_by_session(session, str(obj["id"]))
    if payment is None:  # started elsewhere (the Stripe dashboard, or its row was lost): record it now
        plan = _known_plan(session, metadata.get("plan")) or FREE_PLAN
        payment = Payment(organization_id=organization_id, stripe_session_id=str(obj["id"]), plan=plan, amount_cents=0)
        session.add(payment)
    plan_code = _known_plan(session, metadata.get("plan")) or payment.plan
    newly_paid = payment.status != PaymentStatus.PAID and obj.get("payment_status") in ("paid", "no_payment_required")
    if newly_paid:
        payment.status = PaymentStatus.PAID
        payment.completed_at = event.created
    if isinstance(obj.get("amount_total"), int):
        payment.amount_cents = int(obj["amount_total"])
    payment.currency = str(obj.get("currency") or payment.currency)
    payment.stripe_subscription_id = subscription_id or payment.stripe_subscription_id
    invoice_id = _id(obj.get("invoice"))
    earlier = repository.payment_by_invoice(session, invoice_id) if invoice_id is not None else None
    if earlier is not None and earlier.id != payment.id:
        # The first invoice's event came first and made its own row: one row per checkout. (When
        # it comes later, invoice.paid links itself to this row through the subscription.)
        if earlier.status == PaymentStatus.PAID and payment.status != PaymentStatus.PAID:
            payment.status, payment.completed_at = PaymentStatus.PAID, earlier.completed_at
        session.delete(earlier)
        session.flush()
        payment.stripe_invoice_id = invoice_id
    if newly_paid:
        after_commit(session, lambda: metrics.CHECKOUTS_COMPLETED.labels(plan=plan_code).inc())

    row = repository.ensure_subscription(session, organization_id)
    row.stripe_customer_id = row.stripe_customer_id or _id(obj.get("customer"))
    if payment.status != PaymentStatus.PAID or not _newer(row, event):
        return Outcome.STALE if payment.status == PaymentStatus.PAID else Outcome.PROCESSED
    row.plan = plan_code
    row.status = "active"
    row.stripe_subscription_id = subscription_id or row.stripe_subscription_id
    row.cancel_at_period_end = False
    row.stripe_event_at = event.created
    return Outcome.PROCESSED


def _checkout_expired(session: Session, organization_id: uuid.UUID, event: StripeEvent, settings: Settings) -> Outcome:
    payment = repository.payment_by_session(session, str(event.object["id"]))
    if payment is not None and payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.EXPIRED
        payment.completed_at = event.created
    return Outcome.PROCESSED


def _subscription_changed(
    session: Session, organization_id: uuid.UUID, event: StripeEvent, settings: Settings
) -> Outcome:
    obj = event.object
    row = repository.ensure_subscription(session, organization_id)
    subscription_id = _id(obj.get("id"))
    if not _concerns_current(row, subscription_id) or not _newer(row, event):
        return Outcome.STALE
    status = str(obj.get("status") or row.status)
    if status in _ENDED:
        plan = FREE_PLAN
    elif status in _GRANTING:
        price_plan = _plan_for_price(session, _subscription_price(obj), settings=settings)
        plan = price_plan or _known_plan(session, _dict(obj.get("metadata")).get("plan")) or row.plan
    else:  # incomplete: the first payment has not gone through, so nothing is granted yet
        plan = row.plan
    row.plan = plan
    row.status = status
    row.stripe_subscription_id = subscription_id
    row.stripe_customer_id = row.stripe_customer_id or _id(obj.get("customer"))
    row.current_period_end = _period_end(obj) or row.current_period_end
    # The portal cancels at the period end (cancel_at_period_end, or cancel_at in newer versions).
    row.cancel_at_period_end = status not in _ENDED and (
        bool(obj.get("cancel_at_period_end")) or obj.get("cancel_at") is not None
    )
    row.stripe_event_at = event.created
    return Outcome.PROCESSED


def _subscription_deleted(
    session: Session, organization_id: uuid.UUID, event: StripeEvent, settings: Settings
) -> Outcome:
    obj = event.object
    row = repository.ensure_subscription(session, organization_id)
    subscription_id = _id(obj.get("id"))
    if row.stripe_subscription_id not in (None, subscription_id) or not _newer(row, event):
        return Outcome.STALE
    row.plan = FREE_PLAN
    row.status = "canceled"
    row.stripe_subscription_id = subscription_id
    row.cancel_at_period_end = False
    row.current_period_end = _time(obj.get("ended_at")) or _period_end(obj) or row.current_period_end
    row.stripe_event_at = event.created
    return Outcome.PROCESSED


def _invoice_payment(
    session: Session, organization_id: uuid.UUID, invoice: dict[str, Any], *, settings: Settings
) -> tuple[Payment, bool]:
    """The payment row for an invoice (created if new) and whether it was already paid."""
    invoice_id = str(invoice["id"])
    subscription_id = _invoice_subscription(invoice)
    payment = repository.payment_by_invoice(session, invoice_id)
    was_paid = payment is not None and payment.status == PaymentStatus.PAID
    if payment is None and subscription_id and invoice.get("billing_reason") in (None, "subscription_create"):
        # The subscription's first invoice belongs to the checkout that created it.
        payment = repository.checkout_payment_without_invoice(session, subscription_id)
    if payment is None:
        current = repository.subscription(session, organization_id)
        plan = _plan_for_price(session, _invoice_price(invoice), settings=settings) or (
            current.plan if current is not None else FREE_PLAN
        )
        payment = Payment(organization_id=organization_id, plan=plan, amount_cents=0)
        session.add(payment)
    payment.stripe_invoice_id = invoice_id
    payment.stripe_subscription_id = subscription_id or payment.stripe_subscription_id
    payment.currency = str(invoice.get("currency") or payment.currency)
    return payment, was_paid


def _invoice_paid(session: Session, organization_id: uuid.UUID, event: StripeEvent, settings: Settings) -> Outcome:
    invoice = event.object
    payment, was_paid = _invoice_payment(session, organization_id, invoice, settings=settings)
    amount = invoice.get("amount_paid")
    payment.amount_cents = int(amount) if isinstance(amount, int) else payment.amount_cents
    payment.status = PaymentStatus.PAID
    paid_at = _time(_dict(invoice.get("status_transitions")).get("paid_at"))
    payment.completed_at = payment.completed_at or paid_at or event.created
    if not was_paid and payment.currency.lower() == "usd" and payment.amount_cents > 0:
        plan, dollars = payment.plan, payment.amount_cents / 100
        after_commit(session, lambda: metrics.REVENUE_USD.labels(plan=plan).inc(dollars))
    return Outcome.PROCESSED


def _invoice_failed(session: Session, organization_id: uuid.UUID, event: StripeEvent, settings: Settings) -> Outcome:
    invoice = event.object
    payment, was_paid = _invoice_payment(session, organization_id, invoice, settings=settings)
    if not was_paid:  # a late failure of an attempt that a retry has since paid changes nothing
        amount = invoice.get("amount_due")
        payment.amount_cents = int(amount) if isinstance(amount, int) else payment.amount_cents
        payment.status = PaymentStatus.FAILED
        payment.completed_at = event.created
    row = repository.ensure_subscription(session, organization_id)
    subscription_id = _invoice_subscription(invoice)
    if was_paid or row.stripe_subscription_id != subscription_id or not _newer(row, event):
        return Outcome.STALE
    if row.status not in _ENDED:
        row.status = "past_due"  # the plan stays until Stripe gives up and deletes the subscription
    row.stripe_event_at = event.created
    return Outcome.PROCESSED


_Handler = Callable[[Session, uuid.UUID, StripeEvent, Settings], Outcome]
_HANDLERS: dict[str, _Handler] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _checkout_expired,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.paid": _invoice_paid,
    "invoice.payment_succeeded": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
}
HANDLED_EVENTS = tuple(_HANDLERS)
