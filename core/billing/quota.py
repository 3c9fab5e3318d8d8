"""Monthly image quotas: the one place that decides whether images fit an organization's plan.

- The quota belongs to the organization and counts calendar months in UTC: `usage_periods`
  has one row per organization and month (`period_start`, the 1st), and every reservation is
  keyed by the month it happens in. The beat task `billing.open_period` opens the new month's
  rows at 00:00 UTC on the 1st, but nothing depends on it running: the first reservation of a
  month creates its row, so a missed beat can neither block nor let anyone exceed.
- `reserve` is one SQL statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE used + n <= limit
  RETURNING): concurrent uploads can never overshoot. The upload flow calls it in the same
  transaction that records the image (images.quota_period = the month), so an image row and
  its reservation commit or roll back together, and nothing leaks if the process dies between.
- `require_room` answers before any bytes are stored: a drop that declares more files than
  fit (presigned request, multipart `X-Upload-Count`) is refused whole, and each file is
  checked before storage, so a full quota stores nothing. It only reads; `reserve` decides.
- A FAILED image is refunded to the month it was reserved in, once: `refund_image` runs in the
  transaction that marks it FAILED and clears images.quota_period, so a redelivered failure
  finds nothing left to refund. Retrying a refunded image (regenerate) reserves it again.

Limits are data: plans.monthly_images, overridable per plan by RENAMER_PLAN_MONTHLY_IMAGES.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from core import metrics
from core.billing import repository
from core.billing.schemas import PlanTerms, UsagePublic
from core.config import Settings
from core.db import transaction
from core.errors import QuotaExceeded
from core.images.models import Image

# Not strftime("%B"): the process locale must not change the message.
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June")
_MONTHS += ("July", "August", "September", "October", "November", "December")


def period_start(now: datetime | None = None) -> date:
    """The first day of the UTC month that `now` (default: the current time) falls in."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return date(moment.year, moment.month, 1)


def next_period_start(period: date) -> date:
    return date(period.year + 1, 1, 1) if period.month == 12 else date(period.year, period.month + 1, 1)


def spoken_date(day: date) -> str:
    """'1 December'; the year only when it is not the current one."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == datetime.now(UTC).year else f"{text} {day.year}"


def _count(n: int) -> str:
    return f"{n:,}"


@dataclass(frozen=True)
class Allowance:
    """An organization's quota for one month, as read (a reservation may change it at once)."""

    plan: PlanTerms
    period_start: date
    used: int
    upgrade_available: bool  # a plan with more images a month exists

    @property
    def limit(self) -> int:
        return self.plan.monthly_images

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def resets_on(self) -> date:
        return next_period_start(self.period_start)

    def public(self) -> UsagePublic:
        return UsagePublic(
            period_start=self.period_start,
            resets_on=self.resets_on,
            used=self.used,
            limit=self.limit,
            remaining=self.remaining,
        )

    def sentence(self, requested: int | None = None) -> str:
        """'Your Basic plan includes 50 images a month; 48 are used, so 2 more fit. Upgrade in
        Billing or wait until 1 December.' With `requested` (a whole drop refused up front) it
        starts 'This upload has 5 images, but your Basic plan ...'."""
        head = f"plan includes {_count(self.limit)} images a month"
        if requested is None:
            head = f"Your {self.plan.name} {head}"
        else:
            noun = "image" if requested == 1 else "images"
            head = f"This upload has {_count(requested)} {noun}, but your {self.plan.name} {head}"
        if self.remaining == 0:
            used = f"all {_count(self.limit)} are" if self.used == self.limit else f"{_count(self.used)} are"
            state = f"{used} used, so no more fit this month"
        elif self.used == 0:
            state = f"none are used yet, so {_count(self.remaining)} fit"
        else:
            verb = "is" if self.used == 1 else "are"
            fits = "fits" if self.remaining == 1 else "fit"
            state = f"{_count(self.used)} {verb} used, so {_count(self.remaining)} more {fits}"
        when = spoken_date(self.resets_on)
        tail = (
            f"Upgrade in Billing or wait until {when}."
            if self.upgrade_available
            else f"Wait until {when}, when the count starts again."
        )
        return f"{head}; {state}. {tail}"

    def refusal(self, requested: int | None = None) -> QuotaExceeded:
        """The error for one file (requested None) or for a drop of `requested` files."""
        extra: dict[str, Any] = {
            "plan": self.plan.code,
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "resets_on": self.resets_on.isoformat(),
        }
        if requested is not None:
            extra["requested"] = requested
        return QuotaExceeded(self.sentence(requested), extra=extra)


def plan_terms(session: Session, organization_id: uuid.UUID, *, settings: Settings) -> PlanTerms:
    return PlanTerms.of(repository.plan_of(session, organization_id), settings)


def all_plans(session: Session, *, settings: Settings) -> list[PlanTerms]:
    return [PlanTerms.of(plan, settings) for plan in repository.plans(session)]


def _allowance(
    session: Session, organization_id: uuid.UUID, period: date, *, settings: Settings, terms: PlanTerms | None = None
) -> Allowance:
    terms = terms or plan_terms(session, organization_id, settings=settings)
    bigger = any(p.monthly_images > terms.monthly_images for p in all_plans(session, settings=settings))
    return Allowance(
        plan=terms,
        period_start=period,
        used=repository.images_used(session, organization_id, period),
        upgrade_available=bigger,
    )


def allowance(
    session: Session, organization_id: uuid.UUID, *, settings: Settings, now: datetime | None = None
) -> Allowance:
    return _allowance(session, organization_id, period_start(now), settings=settings)


def require_room(
    session: Session,
    organization_id: uuid.UUID,
    count: int,
    *,
    settings: Settings,
    now: datetime | None = None,
    declared: bool = True,
) -> None:
    """Refuse (QuotaExceeded) when `count` more images do not fit this month. Reads only: use
    it to refuse early, before anything is stored; `reserve` is what counts. `declared`: the
    caller announced a drop of `count` files (the message says so)."""
    period = period_start(now)
    terms = plan_terms(session, organization_id, settings=settings)
    if count <= terms.monthly_images - repository.images_used(session, organization_id, period):
        return
    metrics.QUOTA_REFUSALS.labels(plan=terms.code).inc()
    current = _allowance(session, organization_id, period, settings=settings, terms=terms)
    raise current.refusal(count if declared else None)


def reserve(
    session: Session,
    organization_id: uuid.UUID,
    count: int = 1,
    *,
    settings: Settings,
    now: datetime | None = None,
) -> date:
    """Count `count` images against this month, atomically; the month (for images.quota_period).
    Raises QuotaExceeded, with nothing counted, when they do not fit."""
    period = period_start(now)
    terms = plan_terms(session, organization_id, settings=settings)
    if repository.reserve(session, organization_id, period, count, terms.monthly_images) is None:
        metrics.QUOTA_REFUSALS.labels(plan=terms.code).inc()
        raise _allowance(session, organization_id, period, settings=settings, terms=terms).refusal()
    return period


def refund_image(session: Session, image: Image) -> bool:
    """Give a failed image's reservation back to the month it was made in. Call it in the
    transaction that marks the image FAILED, with the image row locked: clearing
    quota_period there makes a second call (a redelivered failure) a no-op."""
    taken = repository.take_reservation(session, image.id)
    set_committed_value(image, "quota_period", None)  # the UPDATE above already wrote it
    if taken is None:
        return False
    organization_id, period = taken
    repository.release(session, organization_id, period, 1)
    return True


def reserve_retry(session: Session, image: Image, *, settings: Settings) -> None:
    """A refunded image that is processed again (regenerate) counts again, this month."""
    if image.quota_period is not None:
        return
    image.quota_period = reserve(session, image.organization_id, 1, settings=settings)


@dataclass(frozen=True)
class PeriodOpened:
    period_start: date
    opened: int


def open_period(*, sessions: sessionmaker[Session], now: datetime | None = None) -> PeriodOpened:
    """The monthly reset (beat, 00:00 UTC on the 1st): this month's usage row, at zero, for
    every organization that has none yet. `sessions` must see every tenant (maintenance).
    Last month's rows stay as the record of what was used."""
    period = period_start(now)
    with transaction(sessions) as session:
        opened = repository.open_periods(session, period)
    return PeriodOpened(period_start=period, opened=opened)
