"""Imports every table model so that `metadata` is complete (Alembic, tests)."""

from core.accounts.models import User
from core.batches.models import Batch
from core.images.models import Image
from core.db import metadata

__all__ = ["Batch", "Image", "User", "metadata"]
