"""All SQL about batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from core.accounts.schemas import Principal
from core.batches.models import Batch, BatchStatus


def get_owned(session: Session, principal: Principal, batch_id: uuid.UUID, *, for_update: bool = False) -> Batch | None:
    """The batch if it belongs to the caller's organization (any member's). Row-level security
    already hides other tenants' rows; the filter says so here too."""
    query = select(Batch).where(Batch.id == batch_id, Batch.organization_id == principal.organization_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def lock(session: Session, batch_id: uuid.UUID) -> Batch | None:
    return session.execute(select(Batch).where(Batch.id == batch_id).with_for_update()).scalar_one_or_none()


def list_owned(session: Session, principal: Principal, *, offset: int, limit: int) -> tuple[list[Batch], int]:
    base = select(Batch).where(Batch.organization_id == principal.organization_id)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(
        base.order_by(col(Batch.created_at).desc(), col(Batch.id).desc()).offset(offset).limit(limit)
    )
    return list(rows.scalars()), int(total)


def add_images(session: Session, batch: Batch, count: int) -> None:
    batch.total_images += count
    if batch.status == BatchStatus.PENDING:
        batch.status = BatchStatus.UPLOADING


def mark_zip_built(session: Session, batch_id: uuid.UUID, *, version: int, key: str, size: int) -> bool:
    """Record a ZIP built from `version`, unless a newer one is already recorded."""
    result = session.execute(
        update(Batch)
        .where(col(Batch.id) == batch_id)
        .where(col(Batch.zip_version).is_(None) | (col(Batch.zip_version) < version))
        .values(zip_version=version, zip_key=key, zip_size=size, zip_built_at=datetime.now(UTC))
    )
    return bool(getattr(result, "rowcount", 0))


def needing_zip(session: Session, *, changed_before: datetime, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Finished batches (id, organization) whose ZIP is behind their content and that have been
    quiet a while (their build job was lost or failed). Every tenant's: a maintenance session."""
    query = (
        select(Batch.id, Batch.organization_id)
        .where(col(Batch.status).in_([BatchStatus.COMPLETED, BatchStatus.PARTIAL]))
        .where(col(Batch.zip_version).is_(None) | (col(Batch.zip_version) != col(Batch.content_version)))
        .where(col(Batch.updated_at) < changed_before)
        .where(col(Batch.purged_at).is_(None))  # its files are gone: no ZIP can be built
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def touch(session: Session, batch_ids: list[uuid.UUID]) -> None:
    if batch_ids:
        session.execute(update(Batch).where(col(Batch.id).in_(batch_ids)).values(updated_at=func.now()))


def organization_of(session: Session, batch_id: uuid.UUID) -> uuid.UUID | None:
    return session.execute(select(Batch.organization_id).where(col(Batch.id) == batch_id)).scalar_one_or_none()
