"""Tenants made straight in the database, for tests below the API."""

from __future__ import annotations

import uuid

from core.db import maintenance_transaction
from core.organizations.models import Organization


def new_organization(name: str = "Test tenant") -> uuid.UUID:
    """A fresh organization with no subscription (the free plan), created as the tables' owner."""
    with maintenance_transaction() as session:
        organization = Organization(name=f"{name} {uuid.uuid4().hex[:6]}")
        session.add(organization)
        session.flush()
        return organization.id
