"""Plans and billing per organization: the overview, Checkout to upgrade, the portal to manage.

A cancelled plan is not dropped here: Stripe ends the subscription at the end of the paid
period and sends customer.subscription.deleted, which the webhook applies (core.billing.webhooks).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import metrics
from core.accounts.schemas import Principal
from core.billing import quota, repository
from core.billing.gateway import StripeGateway, billing_enabled
from core.billing.models import Payment, PaymentStatus
from core.billing.schemas import BillingPublic, BillingRedirect, PlanPublic, PlanTerms
from core.config import Settings
from core.db import after_commit
from core.errors import Conflict, Forbidden, ServiceUnavailable, ValidationFailed
from core.organizations.models import OrganizationRole

# Statuses in which the organization holds its paid plan; a new checkout would be a second
# subscription, so changes go through the portal instead.
HOLDING = ("active", "trialing", "past_due", "unpaid")


def overview(session: Session, principal: Principal, *, settings: Settings) -> BillingPublic:
    organization_id = principal.organization_id
    enabled = billing_enabled(settings)
    row = repository.subscription(session, organization_id)
    terms = quota.plan_terms(session, organization_id, settings=settings)
    plans = quota.all_plans(session, settings=settings)
    used_now = quota.allowance(session, organization_id, settings=settings)
    return BillingPublic(
        plan=PlanPublic.of(terms, billing_enabled=enabled),
        status=row.status if row is not None else "free",
        current_period_end=row.current_period_end if row is not None else None,
        cancel_at_period_end=row.cancel_at_period_end if row is not None else False,
        usage=used_now.public(),
        plans=[PlanPublic.of(plan, billing_enabled=enabled) for plan in plans],
        can_manage=principal.role == OrganizationRole.OWNER,
        has_billing_account=row is not None and row.stripe_customer_id is not None,
        billing_enabled=enabled,
    )


def _require_owner(principal: Principal, action: str) -> None:
    if principal.role != OrganizationRole.OWNER:
        raise Forbidden(f"Only the organization's owner can {action}; ask them to do it.", code="owner_only")


def _purchasable(session: Session, code: str, *, settings: Settings) -> PlanTerms:
    plans = {plan.code: plan for plan in quota.all_plans(session, settings=settings)}
    wanted = plans.get(code.strip().upper())
    paid = [plan.code for plan in plans.values() if not plan.free]
    if wanted is None:
        raise ValidationFailed(
            f"There is no plan called “{code}”; choose one of {', '.join(paid)}.", code="unknown_plan"
        )
    if wanted.free:
        raise ValidationFailed(
            f"{wanted.name} is the free plan: to return to it, cancel the paid plan in the billing portal.",
            code="free_plan",
        )
    if wanted.stripe_price_id is None:
        raise ServiceUnavailable(
            f"The {wanted.name} plan cannot be bought on this server yet: it has no Stripe price "
            f"(RENAMER_STRIPE_PRICE_IDS).",
            code="billing_not_configured",
        )
    return wanted


def start_checkout(
    session: Session, principal: Principal, *, plan: str, settings: Settings, gateway: StripeGateway
) -> BillingRedirect:
    """A Stripe Checkout Session (subscription mode) for `plan`, and a pending payment row.
    The plan changes only when Stripe confirms (checkout.session.completed)."""
    _require_owner(principal, "change the plan")
    wanted = _purchasable(session, plan, settings=settings)
    organization_id = principal.organization_id
    row = repository.ensure_subscription(session, organization_id)  # locked: one customer per organization
    if row.stripe_subscription_id is not None and row.status in HOLDING:
        current = repository.plan(session, row.plan)
        name = current.name if current is not None else row.plan
        raise Conflict(
            f"This organization already pays for the {name} plan; change or cancel it in the billing portal.",
            code="already_subscribed",
        )
    if row.stripe_customer_id is None:
        name = repository.organization_name(session, organization_id) or "Organization"
        row.stripe_customer_id = gateway.create_customer(organization_id=organization_id, name=name)
    assert wanted.stripe_price_id is not None
    base = settings.frontend_url.rstrip("/")
    checkout = gateway.create_checkout_session(
        customer_id=row.stripe_customer_id,
        price_id=wanted.stripe_price_id,
        organization_id=organization_id,
        plan=wanted.code,
        user_id=principal.user_id,
        success_url=f"{base}/billing?checkout=success&session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base}/billing?checkout=cancelled",
    )
    session.add(
        Payment(
            organization_id=organization_id,
            user_id=principal.user_id,
            stripe_session_id=checkout.id,
            plan=wanted.code,
            amount_cents=checkout.amount_total if checkout.amount_total is not None else wanted.price_cents,
            currency=checkout.currency or wanted.currency,
            status=PaymentStatus.PENDING,
        )
    )
    session.flush()
    after_commit(session, lambda: metrics.CHECKOUTS_STARTED.labels(plan=wanted.code).inc())
    return BillingRedirect(url=checkout.url)


def open_portal(
    session: Session, principal: Principal, *, settings: Settings, gateway: StripeGateway
) -> BillingRedirect:
    """The Stripe billing portal: cards, invoices, cancellation (effective at period end)."""
    _require_owner(principal, "manage billing")
    row = repository.subscription(session, principal.organization_id)
    if row is None or row.stripe_customer_id is None:
        raise Conflict(
            "This organization has no billing account yet: upgrade to a paid plan first.", code="no_billing_account"
        )
    url = gateway.create_portal_session(
        customer_id=row.stripe_customer_id, return_url=f"{settings.frontend_url.rstrip('/')}/billing"
    )
    return BillingRedirect(url=url)
