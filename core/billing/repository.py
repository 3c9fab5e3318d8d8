"""All SQL about plans, subscriptions, usage periods, payments and Stripe events."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, literal, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlmodel import col, select

from core.billing.models import Payment, Plan, StripeEvent, Subscription, UsagePeriod
from core.organizations.models import Organization

FREE_PLAN = "BASIC"  # an organization without a subscriptions row is on it


def plans(session: Session) -> list[Plan]:
    return list(session.execute(select(Plan).order_by(col(Plan.sort_order), col(Plan.code))).scalars())


def plan(session: Session, code: str) -> Plan | None:
    return session.get(Plan, code)


def plan_of(session: Session, organization_id: uuid.UUID) -> Plan:
    """The organization's plan in one query (a missing subscriptions row means the free plan)."""
    subscribed = select(Subscription.plan).where(Subscription.organization_id == organization_id).scalar_subquery()
    query = select(Plan).where(Plan.code == func.coalesce(subscribed, FREE_PLAN))
    return session.execute(query).scalar_one()


def subscription(session: Session, organization_id: uuid.UUID, *, for_update: bool = False) -> Subscription | None:
    query = select(Subscription).where(Subscription.organization_id == organization_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def ensure_subscription(session: Session, organization_id: uuid.UUID) -> Subscription:
    """The organization's row, created on the free plan if missing, locked for this transaction."""
    session.execute(
        insert(Subscription)
        .values(organization_id=organization_id, plan=FREE_PLAN, status="free")
        .on_conflict_do_nothing(index_elements=["organization_id"])
    )
    row = subscription(session, organization_id, for_update=True)
    assert row is not None
    return row


def organization_name(session: Session, organization_id: uuid.UUID) -> str | None:
    return session.execute(select(Organization.name).where(Organization.id == organization_id)).scalar_one_or_none()


def organization_exists(session: Session, organization_id: uuid.UUID) -> bool:
    query = select(literal(1)).where(Organization.id == organization_id)
    return session.execute(query).first() is not None


# --- usage --------------------------------------------------------------------------------

# One statement, so concurrent uploads can never overshoot: ON CONFLICT takes the row lock and
# evaluates the WHERE against the latest committed count; a refused reservation returns no row.
# The INSERT branch has the same guard for the month's first reservation.
_RESERVE = text(
    """
    INSERT INTO usage_periods (organization_id, period_start, images_used, updated_at)
    SELECT :organization_id, :period_start, :count, now()
    WHERE CAST(:count AS integer) <= CAST(:limit AS integer)
    ON CONFLICT (organization_id, period_start) DO UPDATE
        SET images_used = usage_periods.images_used + EXCLUDED.images_used, updated_at = now()
        WHERE usage_periods.images_used + EXCLUDED.images_used <= CAST(:limit AS integer)
    RETURNING images_used
    """
)


def reserve(session: Session, organization_id: uuid.UUID, period_start: date, count: int, limit: int) -> int | None:
    """Add `count` images to the period if the total stays within `limit`: the new total, or
    None when they do not fit (nothing changed)."""
    params = {"organization_id": organization_id, "period_start": period_start, "count": count, "limit": limit}
    used = session.execute(_RESERVE, params).scalar_one_or_none()
    return None if used is None else int(used)


def release(session: Session, organization_id: uuid.UUID, period_start: date, count: int) -> None:
    """Give `count` images back to the period (never below zero)."""
    session.execute(
        text(
            "UPDATE usage_periods SET images_used = GREATEST(images_used - :count, 0), updated_at = now() "
            "WHERE organization_id = :organization_id AND period_start = :period_start"
        ),
        {"organization_id": organization_id, "period_start": period_start, "count": count},
    )


def take_reservation(session: Session, image_id: uuid.UUID) -> tuple[uuid.UUID, date] | None:
    """Clear an image's quota_period, returning (organization, month) it was counted in, or
    None when there is nothing to give back. Reads the row as it is now, not as loaded."""
    row = session.execute(
        # RETURNING shows the row after the update: the month comes from the locked row before it.
        text(
            "WITH counted AS (SELECT id, organization_id, quota_period FROM images "
            "WHERE id = :image_id AND quota_period IS NOT NULL FOR UPDATE) "
            "UPDATE images SET quota_period = NULL FROM counted WHERE images.id = counted.id "
            "RETURNING counted.organization_id, counted.quota_period"
        ),
        {"image_id": image_id},
    ).first()
    return None if row is None else (row[0], row[1])


def images_used(session: Session, organization_id: uuid.UUID, period_start: date) -> int:
    query = select(UsagePeriod.images_used).where(
        UsagePeriod.organization_id == organization_id, UsagePeriod.period_start == period_start
    )
    return int(session.execute(query).scalar_one_or_none() or 0)


def open_periods(session: Session, period_start: date) -> int:
    """A zero row for the period for every organization that has none yet (system work: the
    session must see every tenant). Returns how many were opened."""
    result = session.execute(
        text(
            "INSERT INTO usage_periods (organization_id, period_start, images_used) "
            "SELECT id, :period_start, 0 FROM organizations "
            "ON CONFLICT (organization_id, period_start) DO NOTHING"
        ),
        {"period_start": period_start},
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- Stripe -------------------------------------------------------------------------------


def record_event(session: Session, event_id: str, event_type: str, created: datetime) -> bool:
    """Remember an event as applied in this transaction; False when it already was (a replay).
    A concurrent delivery of the same id waits on the key and then gets False."""
    inserted = session.execute(
        insert(StripeEvent)
        .values(id=event_id, type=event_type, created=created)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(col(StripeEvent.id))
    ).scalar_one_or_none()
    return inserted is not None


def organization_for_customer(session: Session, customer_id: str) -> uuid.UUID | None:
    query = select(Subscription.organization_id).where(Subscription.stripe_customer_id == customer_id)
    return session.execute(query).scalar_one_or_none()


def organization_for_subscription(session: Session, subscription_id: str) -> uuid.UUID | None:
    query = select(Subscription.organization_id).where(Subscription.stripe_subscription_id == subscription_id)
    found = session.execute(query).scalar_one_or_none()
    if found is not None:
        return found
    query = select(Payment.organization_id).where(Payment.stripe_subscription_id == subscription_id).limit(1)
    return session.execute(query).scalar_one_or_none()


def payment_by_session(session: Session, session_id: str) -> Payment | None:
    query = select(Payment).where(Payment.stripe_session_id == session_id).with_for_update()
    return session.execute(query).scalar_one_or_none()


def payment_by_invoice(session: Session, invoice_id: str) -> Payment | None:
    query = select(Payment).where(Payment.stripe_invoice_id == invoice_id).with_for_update()
    return session.execute(query).scalar_one_or_none()


def payments(session: Session, organization_id: uuid.UUID, *, limit: int = 50) -> list[Payment]:
    query = (
        select(Payment)
        .where(Payment.organization_id == organization_id)
        .order_by(col(Payment.created_at).desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def checkout_payment_without_invoice(session: Session, subscription_id: str) -> Payment | None:
    """The checkout's payment row for a subscription whose first invoice is not linked yet."""
    query = (
        select(Payment)
        .where(
            Payment.stripe_subscription_id == subscription_id,
            col(Payment.stripe_session_id).is_not(None),
            col(Payment.stripe_invoice_id).is_(None),
        )
        .order_by(col(Payment.created_at))
        .limit(1)
        .with_for_update()
    )
    return session.execute(query).scalar_one_or_none()
