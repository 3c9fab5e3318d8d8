from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field

from core.billing.models import Plan
from core.config import Settings


@dataclass(frozen=True)
class PlanTerms:
    """A plan as this deployment sells it: the `plans` row with the settings' overrides
    (RENAMER_PLAN_MONTHLY_IMAGES, RENAMER_STRIPE_PRICE_IDS) applied."""

    code: str
    name: str
    monthly_images: int
    price_cents: int
    currency: str
    stripe_price_id: str | None
    sort_order: int

    @property
    def free(self) -> bool:
        return self.price_cents == 0

    @classmethod
    def of(cls, plan: Plan, settings: Settings) -> PlanTerms:
        return cls(
            code=plan.code,
            name=plan.name,
            monthly_images=settings.plan_monthly_images.get(plan.code, plan.monthly_images),
            price_cents=plan.price_cents,
            currency=plan.currency,
            stripe_price_id=settings.stripe_price_ids.get(plan.code) or plan.stripe_price_id,
            sort_order=plan.sort_order,
        )


class PlanPublic(BaseModel):
    code: str = Field(description="BASIC, PRO, MAX: what POST /billing/checkout takes.")
    name: str
    monthly_images: int
    price_cents: int = Field(description="Per month, in the currency's smallest unit.")
    currency: str
    purchasable: bool = Field(description="A paid plan that Checkout can sell on this server.")

    @classmethod
    def of(cls, terms: PlanTerms, *, billing_enabled: bool) -> PlanPublic:
        return cls(
            code=terms.code,
            name=terms.name,
            monthly_images=terms.monthly_images,
            price_cents=terms.price_cents,
            currency=terms.currency,
            purchasable=billing_enabled and not terms.free and terms.stripe_price_id is not None,
        )


class UsagePublic(BaseModel):
    period_start: date = Field(description="The first day (UTC) of the month being counted.")
    resets_on: date = Field(description="The first day of the next month: the count starts again at 00:00 UTC.")
    used: int
    limit: int
    remaining: int


class BillingPublic(BaseModel):
    plan: PlanPublic
    status: str = Field(description="free, active, trialing, past_due, unpaid, canceled, incomplete ...")
    current_period_end: datetime | None = Field(
        description="When the paid period ends (renews or, if cancelled, ends)."
    )
    cancel_at_period_end: bool = Field(description="Cancelled: the plan drops to Basic at current_period_end.")
    usage: UsagePublic
    plans: list[PlanPublic]
    can_manage: bool = Field(description="The caller is the owner: may start a checkout or open the portal.")
    has_billing_account: bool = Field(description="A Stripe customer exists, so the billing portal can open.")
    billing_enabled: bool = Field(description="Stripe is configured on this server.")


class CheckoutRequest(BaseModel):
    plan: str = Field(min_length=1, max_length=16, description="The plan code to buy: PRO or MAX.")


class BillingRedirect(BaseModel):
    url: str = Field(description="Send the browser here (Stripe Checkout or the billing portal).")


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str = Field(description="processed, duplicate, stale or ignored.")
