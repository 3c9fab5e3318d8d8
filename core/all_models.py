"""Imports every table model so that `metadata` is complete (Alembic, tests)."""

from core.accounts.models import User
from core.batches.models import Batch
from core.billing.models import Payment, Plan, StripeEvent, Subscription, UsagePeriod
from core.db import metadata
from core.images.models import Image
from core.organizations.models import ApiKey, Invitation, Membership, Organization
from core.retention.models import StorageTombstone
from core.vision.models import AnalysisCacheEntry

__all__ = [
    "AnalysisCacheEntry",
    "ApiKey",
    "Batch",
    "Image",
    "Invitation",
    "Membership",
    "Organization",
    "Payment",
    "Plan",
    "StorageTombstone",
    "StripeEvent",
    "Subscription",
    "UsagePeriod",
    "User",
    "metadata",
]
