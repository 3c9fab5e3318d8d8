"""Monthly quotas against the real database: atomic reservations, refunds once to the right
month, the monthly reset, limits from data with settings overrides, and the sentences people read."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from core.batches.models import Batch
from core.billing import quota
from core.billing.models import Plan, Subscription, UsagePeriod
from core.billing.schemas import PlanTerms
from core.config import PROJECT_ROOT, Settings, get_settings
from core.db import (
    get_maintenance_sessionmaker,
    get_sessionmaker,
    maintenance_transaction,
    tenant_scope,
    transaction,
)
from core.errors import QuotaExceeded
from core.images import processing
from core.images.models import Image, ImageStatus
from tests.support.tenants import image_row, new_organization

NOVEMBER = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LAST_SECOND_OF_NOVEMBER = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
DECEMBER_FIRST = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def organization(services: None) -> uuid.UUID:
    """A fresh organization with no subscriptions row: the free plan."""
    return new_organization("Acme")


def _used(organization_id: uuid.UUID, period: date) -> int:
    with maintenance_transaction() as session:
        row = session.get(UsagePeriod, (organization_id, period))
        return row.images_used if row is not None else 0


def _set_used(organization_id: uuid.UUID, used: int, period: date | None = None) -> None:
    period = period or quota.period_start()
    with maintenance_transaction() as session:
        session.merge(UsagePeriod(organization_id=organization_id, period_start=period, images_used=used))


def _reserve(organization_id: uuid.UUID, count: int = 1, *, now: datetime | None = None, **overrides: object) -> date:
    settings = get_settings().model_copy(update=overrides) if overrides else get_settings()
    with transaction(tenant=organization_id) as session:
        return quota.reserve(session, organization_id, count, settings=settings, now=now)


def _spoken(day: date) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]  # fmt: skip
    text = f"{day.day} {months[day.month - 1]}"
    return text if day.year == datetime.now(UTC).year else f"{text} {day.year}"


def _next_month(today: date | None = None) -> date:
    today = today or datetime.now(UTC).date()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


# ------------------------------------------------------------------------- periods


def test_the_month_is_the_utc_calendar_month() -> None:
    assert quota.period_start(LAST_SECOND_OF_NOVEMBER) == date(2026, 11, 1)
    assert quota.period_start(DECEMBER_FIRST) == date(2026, 12, 1)
    # 00:30 on 1 December in Paris is still November in UTC; 23:30 on 30 November in New York is December.
    assert quota.period_start(datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))) == date(2026, 11, 1)
    assert quota.period_start(datetime(2026, 11, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))) == date(2026, 12, 1)
    assert quota.next_period_start(date(2026, 12, 1)) == date(2027, 1, 1)


# ------------------------------------------------------------------------- reserving


def test_a_new_organization_gets_the_basic_plans_50_images_from_the_plans_table(organization: uuid.UUID) -> None:
    with transaction(tenant=organization) as session:
        allowance = quota.allowance(session, organization, settings=get_settings())
        basic = session.get_one(Plan, "BASIC")
    assert (allowance.plan.code, allowance.limit, allowance.used, allowance.remaining) == ("BASIC", 50, 0, 50)
    assert basic.monthly_images == 50  # data, not code

    assert _reserve(organization, 50) == quota.period_start()
    with pytest.raises(QuotaExceeded) as refused:
        _reserve(organization, 1)
    assert refused.value.status_code == 402 and refused.value.code == "quota_exceeded"
    assert refused.value.detail == (
        "Your Basic plan includes 50 images a month; all 50 are used, so no more fit this month. "
        f"Upgrade in Billing or wait until {_spoken(_next_month())}."
    )
    assert refused.value.extra == {
        "plan": "BASIC",
        "limit": 50,
        "used": 50,
        "remaining": 0,
        "resets_on": _next_month().isoformat(),
    }
    assert _used(organization, quota.period_start()) == 50


def test_a_refused_reservation_counts_nothing(organization: uuid.UUID) -> None:
    _set_used(organization, 48)
    with pytest.raises(QuotaExceeded) as refused:
        _reserve(organization, 3)
    assert "48 are used, so 2 more fit" in refused.value.detail
    assert _used(organization, quota.period_start()) == 48
    _reserve(organization, 2)
    assert _used(organization, quota.period_start()) == 50


def test_concurrent_reservations_never_pass_the_limit(organization: uuid.UUID) -> None:
    _set_used(organization, 40)

    def one(_: int) -> bool:
        try:
            _reserve(organization, 1)
            return True
        except QuotaExceeded:
            return False

    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(one, range(40)))
    assert sum(results) == 10
    assert _used(organization, quota.period_start()) == 50


def test_a_paid_plan_and_a_settings_override_set_the_limit(organization: uuid.UUID) -> None:
    with maintenance_transaction() as session:
        session.add(Subscription(organization_id=organization, plan="PRO", status="active"))
    _set_used(organization, 499)
    _reserve(organization, 1)
    with pytest.raises(QuotaExceeded) as refused:
        _reserve(organization, 1)
    assert refused.value.detail.startswith("Your Pro plan includes 500 images a month; all 500 are used")
    # RENAMER_PLAN_MONTHLY_IMAGES overrides the table, per plan.
    _reserve(organization, 100, plan_monthly_images={"PRO": 600})
    with pytest.raises(QuotaExceeded):
        _reserve(organization, 1, plan_monthly_images={"PRO": 600})


def test_require_room_refuses_a_drop_that_does_not_fit_and_says_how_many_do(organization: uuid.UUID) -> None:
    _set_used(organization, 48)
    with transaction(tenant=organization) as session:
        quota.require_room(session, organization, 2, settings=get_settings())  # fits: nothing happens
        with pytest.raises(QuotaExceeded) as refused:
            quota.require_room(session, organization, 5, settings=get_settings())
    assert refused.value.detail == (
        "This upload has 5 images, but your Basic plan includes 50 images a month; 48 are used, so 2 more fit. "
        f"Upgrade in Billing or wait until {_spoken(_next_month())}."
    )
    assert refused.value.extra["requested"] == 5
    assert _used(organization, quota.period_start()) == 48  # a check, not a reservation


def test_the_sentences_for_every_state() -> None:
    basic = PlanTerms("BASIC", "Basic", 50, 0, "usd", None, 0)
    top = PlanTerms("MAX", "Max", 1000, 3900, "usd", "price_max", 2)
    november = date(2026, 11, 1)

    def say(plan: PlanTerms, used: int, *, upgrade: bool = True, requested: int | None = None) -> str:
        return quota.Allowance(plan, november, used, upgrade).sentence(requested)

    december = _spoken(date(2026, 12, 1))
    assert say(basic, 48) == (
        f"Your Basic plan includes 50 images a month; 48 are used, so 2 more fit. Upgrade in Billing or wait until "
        f"{december}."
    )
    assert "; 1 is used, so 49 more fit." in say(basic, 1)
    assert "; 49 are used, so 1 more fits." in say(basic, 49)
    assert "; none are used yet, so 50 fit." in say(basic, 0, requested=60)
    assert say(basic, 0, requested=60).startswith("This upload has 60 images, but your Basic plan")
    assert say(basic, 0, requested=1).startswith("This upload has 1 image, but")
    # After a downgrade the month may already hold more than the new plan allows.
    assert "; 400 are used, so no more fit this month." in say(basic, 400)
    # The biggest plan has nothing to upgrade to.
    assert say(top, 1000, upgrade=False) == (
        f"Your Max plan includes 1,000 images a month; all 1,000 are used, so no more fit this month. "
        f"Wait until {december}, when the count starts again."
    )


# ------------------------------------------------------------------------- refunds


def _image(organization_id: uuid.UUID, *, now: datetime) -> uuid.UUID:
    """A queued image, reserved as the upload flow reserves it, in the month of `now`."""
    with transaction(tenant=organization_id) as session:
        batch = Batch(organization_id=organization_id, total_images=1)
        session.add(batch)
        session.flush()
        image = image_row(
            organization_id,
            batch.id,
            status=ImageStatus.QUEUED,
            quota_period=quota.reserve(session, organization_id, 1, settings=get_settings(), now=now),
        )
        session.add(image)
        session.flush()
        return image.id


def test_a_failed_image_is_refunded_once_to_the_month_it_was_reserved_in(organization: uuid.UUID) -> None:
    image_id = _image(organization, now=LAST_SECOND_OF_NOVEMBER)
    _reserve(organization, 5, now=DECEMBER_FIRST)  # December has started meanwhile
    assert (_used(organization, date(2026, 11, 1)), _used(organization, date(2026, 12, 1))) == (1, 5)

    sessions = get_sessionmaker()
    with tenant_scope(organization):
        first = processing.fail(image_id, None, code="analysis_failed", reason="it broke", sessions=sessions)
        # A redelivered failure (retries exhausted twice, say) finds the image finished: no second refund.
        again = processing.fail(image_id, None, code="analysis_failed", reason="it broke", sessions=sessions)
    assert (first, again) == (processing.Outcome.FAILED, processing.Outcome.SUPERSEDED)
    assert (_used(organization, date(2026, 11, 1)), _used(organization, date(2026, 12, 1))) == (0, 5)
    with maintenance_transaction() as session:
        assert session.get_one(Image, image_id).quota_period is None

    # Even called directly a second time, the refund finds nothing left to give back.
    with transaction(tenant=organization) as session:
        image = session.get_one(Image, image_id)
        assert quota.refund_image(session, image) is False
    assert _used(organization, date(2026, 11, 1)) == 0


def test_retrying_a_refunded_image_counts_it_again_this_month(organization: uuid.UUID) -> None:
    image_id = _image(organization, now=NOVEMBER)
    with tenant_scope(organization):
        processing.fail(image_id, None, code="analysis_failed", reason="it broke", sessions=get_sessionmaker())
    with transaction(tenant=organization) as session:
        image = session.get_one(Image, image_id)
        quota.reserve_retry(session, image, settings=get_settings())
        assert image.quota_period == quota.period_start()
    assert _used(organization, quota.period_start()) == 1
    with transaction(tenant=organization) as session:  # already counted: nothing more
        quota.reserve_retry(session, session.get_one(Image, image_id), settings=get_settings())
    assert _used(organization, quota.period_start()) == 1


# ------------------------------------------------------------------------- monthly reset


def test_the_monthly_reset_opens_the_new_month_at_zero_and_keeps_the_old_one(organization: uuid.UUID) -> None:
    _reserve(organization, 30, now=NOVEMBER)
    report = quota.open_period(sessions=get_maintenance_sessionmaker(), now=DECEMBER_FIRST)
    assert report.period_start == date(2026, 12, 1) and report.opened >= 1
    assert _used(organization, date(2026, 12, 1)) == 0
    assert _used(organization, date(2026, 11, 1)) == 30
    with maintenance_transaction() as session:
        opened = session.execute(
            select(UsagePeriod).where(
                UsagePeriod.organization_id == organization, col(UsagePeriod.period_start) == date(2026, 12, 1)
            )
        ).scalar_one()
        assert opened.images_used == 0
    # Running again (a beat that fired twice) changes nothing.
    assert quota.open_period(sessions=get_maintenance_sessionmaker(), now=DECEMBER_FIRST).opened == 0

    # From 00:00 UTC on the 1st the whole limit is available again; November is full no more.
    _reserve(organization, 50, now=DECEMBER_FIRST)
    with pytest.raises(QuotaExceeded):
        _reserve(organization, 1, now=DECEMBER_FIRST + timedelta(days=3))


def test_a_missed_reset_cannot_let_anyone_exceed(organization: uuid.UUID) -> None:
    """No beat ran for January: the first reservation opens the month itself, still bounded."""
    january = datetime(2027, 1, 2, tzinfo=UTC)
    _reserve(organization, 50, now=january)
    with pytest.raises(QuotaExceeded):
        _reserve(organization, 1, now=january)
    assert _used(organization, date(2027, 1, 1)) == 50


def test_beat_schedules_the_reset_at_midnight_utc_on_the_first(tmp_path: Path) -> None:
    # In a child process: importing worker.app would switch this process's metrics to multiprocess mode.
    code = (
        "from worker.app import app; s = app.conf.beat_schedule['billing-period']; "
        "c = s['schedule']; print(s['task'], sorted(c.minute), sorted(c.hour), sorted(c.day_of_month), "
        "app.conf.enable_utc, app.conf.timezone)"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env)
    assert result.returncode == 0, result.stderr
    # Celery's clock is UTC unless a timezone is set: none is.
    assert result.stdout.split() == ["billing.open_period", "[0]", "[0]", "[1]", "True", "None"]


def test_settings_take_the_overrides_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENAMER_PLAN_MONTHLY_IMAGES", '{"BASIC": 7}')
    monkeypatch.setenv("RENAMER_STRIPE_PRICE_IDS", '{"PRO": "price_1"}')
    settings = Settings()
    assert settings.plan_monthly_images == {"BASIC": 7} and settings.stripe_price_ids == {"PRO": "price_1"}
