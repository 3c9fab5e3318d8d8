from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, DateTime
from sqlmodel import Field, SQLModel

from core.models import created_at_column, optional_timestamp, updated_at_column, uuid_pk


class Plan(SQLModel, table=True):
    """Plans are data (seeded by a migration, changed by SQL), not code: BASIC free with 50
    images a month, PRO 500, MAX 1,000, as in the target design."""

    __tablename__ = "plans"

    code: str = Field(primary_key=True, max_length=16)  # BASIC, PRO, MAX
    name: str = Field(max_length=50)
    monthly_images: int
    price_cents: int  # per month
    currency: str = Field(default="usd", max_length=3)
    # Stripe's Price for Checkout; None for the free plan. Settings may override it per plan.
    stripe_price_id: str | None = Field(default=None, max_length=100)
    sort_order: int = 0


class Subscription(SQLModel, table=True):
    """An organization's plan and its Stripe subscription (one row per organization)."""

    __tablename__ = "subscriptions"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", primary_key=True)
    plan: str = Field(default="BASIC", foreign_key="plans.code", max_length=16)
    status: str = Field(default="free", max_length=32)  # free, active, past_due, canceled ...
    stripe_customer_id: str | None = Field(default=None, max_length=100, unique=True)
    stripe_subscription_id: str | None = Field(default=None, max_length=100, unique=True)
    current_period_end: datetime | None = optional_timestamp()
    cancel_at_period_end: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    # The `created` time of the last Stripe event applied: an older event arriving late is ignored.
    stripe_event_at: datetime | None = optional_timestamp()
    updated_at: datetime = updated_at_column()


class UsagePeriod(SQLModel, table=True):
    """Images reserved by an organization in one calendar month (UTC). Reservations update
    this row atomically against the plan's limit; refunds decrement it."""

    __tablename__ = "usage_periods"
    # Refunds subtract; a bug there must fail loudly rather than hand out extra images.
    __table_args__ = (CheckConstraint("images_used >= 0", name="images_used_not_negative"),)

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", primary_key=True)
    period_start: date = Field(sa_type=Date, primary_key=True)
    images_used: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_at: datetime = updated_at_column()


class PaymentStatus(StrEnum):
    PENDING = "pending"  # Checkout Session created
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"


class Payment(SQLModel, table=True):
    __tablename__ = "payments"

    id: uuid.UUID = uuid_pk()
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL", index=True)
    stripe_session_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_subscription_id: str | None = Field(default=None, max_length=100, index=True)
    stripe_invoice_id: str | None = Field(default=None, max_length=100, unique=True)
    plan: str = Field(foreign_key="plans.code", max_length=16)
    amount_cents: int
    currency: str = Field(default="usd", max_length=3)
    status: str = Field(default=PaymentStatus.PENDING, max_length=16)
    created_at: datetime = created_at_column()
    completed_at: datetime | None = optional_timestamp()


class StripeEvent(SQLModel, table=True):
    """Every webhook event applied, by Stripe's event id: a replay is acknowledged and skipped."""

    __tablename__ = "stripe_events"

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=100)
    created: datetime = Field(sa_type=DateTime(timezone=True))  # Stripe's event time
    received_at: datetime = created_at_column()
