"""Plans, usage and Stripe billing per organization; the Stripe webhook."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import PrincipalDep, SessionDep, SettingsDep
from api.ratelimit import ApiBudget
from core.billing import quota, service, webhooks
from core.billing.gateway import get_gateway
from core.billing.schemas import BillingPublic, BillingRedirect, CheckoutRequest, WebhookAck
from core.errors import PayloadTooLarge

router = APIRouter(prefix="/billing", tags=["billing"])

# Stripe's events are a few kilobytes; anything near this is not one of them.
MAX_WEBHOOK_BYTES = 1024 * 1024
UPLOAD_COUNT_HEADER = "X-Upload-Count"


@router.get("", dependencies=[ApiBudget])
def get_billing(principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> BillingPublic:
    """The organization's plan, its status, this month's usage and the plans on offer."""
    return service.overview(session, principal, settings=settings)


@router.post("/checkout", dependencies=[ApiBudget])
def checkout(
    body: CheckoutRequest, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> BillingRedirect:
    """Upgrade: a Stripe Checkout Session (subscription) for the plan; send the browser to `url`.
    The plan changes when Stripe confirms the payment (webhook). Owner only."""
    return service.start_checkout(session, principal, plan=body.plan, settings=settings, gateway=get_gateway(settings))


@router.post("/portal", dependencies=[ApiBudget])
def portal(principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> BillingRedirect:
    """The Stripe billing portal (card, invoices, cancellation at the period end). Owner only."""
    return service.open_portal(session, principal, settings=settings, gateway=get_gateway(settings))


@router.post("/webhook", responses={400: {"description": "Not signed by Stripe, or signed too long ago."}})
async def stripe_webhook(request: Request, settings: SettingsDep) -> WebhookAck:
    """Stripe's events, verified by the Stripe-Signature header. A replayed event is
    acknowledged (200) and not applied again."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_WEBHOOK_BYTES:
            raise PayloadTooLarge("A Stripe event is a few kilobytes; this body is over 1 MB.")
    outcome = await run_in_threadpool(
        webhooks.receive, bytes(body), request.headers.get("stripe-signature"), settings=settings
    )
    return WebhookAck(outcome=outcome.value)


def declared_upload_fits(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    upload_count: Annotated[
        int | None,
        Header(
            alias=UPLOAD_COUNT_HEADER,
            ge=1,
            le=1_000_000,
            description="How many files this drop has in all (this request and the ones after it): a drop that "
            "does not fit the plan's remaining images this month is refused at once with 402 quota_exceeded.",
        ),
    ] = None,
) -> None:
    """For upload routes: refuse a declared drop before its body is read."""
    if upload_count is not None:
        quota.require_room(session, principal.organization_id, upload_count, settings=settings)


DeclaredUploadFits = Depends(declared_upload_fits)
