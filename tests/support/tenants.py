"""Tenants and their rows made straight in the database, for tests below the API."""

from __future__ import annotations

import uuid
from typing import Any

from core.db import maintenance_transaction
from core.images.models import Image
from core.organizations.models import Organization


def new_organization(name: str = "Test tenant") -> uuid.UUID:
    """A fresh organization with no subscription (the free plan), created as the tables' owner."""
    with maintenance_transaction() as session:
        organization = Organization(name=f"{name} {uuid.uuid4().hex[:6]}")
        session.add(organization)
        session.flush()
        return organization.id


def image_row(organization_id: uuid.UUID, batch_id: uuid.UUID, **fields: Any) -> Image:
    """An image of the batch with placeholder file facts (a 10-byte 1x1 JPEG, a unique
    checksum and storage key) and `fields` over them; not added to any session."""
    placeholders: dict[str, Any] = {
        "original_name": "a.jpg",
        "storage_key": f"organizations/{organization_id}/{batch_id}/{uuid.uuid4().hex}.jpg",
        "file_size": 10,
        "mime_type": "image/jpeg",
        "checksum": uuid.uuid4().hex,
        "crc32": 0,
        "width": 1,
        "height": 1,
    }
    return Image(batch_id=batch_id, organization_id=organization_id, **(placeholders | fields))
