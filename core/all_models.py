"""Imports every table model so that `metadata` is complete (Alembic, tests)."""

from core.accounts.models import User
from core.batches.models import Batch
from core.db import metadata
from core.images.models import Image
from core.retention.models import StorageTombstone
from core.vision.models import AnalysisCacheEntry

__all__ = ["AnalysisCacheEntry", "Batch", "Image", "StorageTombstone", "User", "metadata"]
