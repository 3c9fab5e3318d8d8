"""All SQL about retention: purging expired batches, tombstones, forgetting analyses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, tuple_, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from core.batches.models import Batch
from core.images.models import Image
from core.retention.models import StorageTombstone, TombstoneReason
from core.vision.models import AnalysisCacheEntry


@dataclass(frozen=True)
class ClaimedTombstone:
    id: uuid.UUID
    prefix: str
    settle_at: datetime
    attempts: int


def add_tombstone(
    session: Session, prefix: str, *, reason: TombstoneReason, settle_at: datetime, now: datetime
) -> uuid.UUID:
    tombstone = StorageTombstone(prefix=prefix, reason=reason.value, settle_at=settle_at, next_attempt_at=now)
    session.add(tombstone)
    session.flush()
    return tombstone.id


def claim_tombstones(
    session: Session, *, now: datetime, lease_until: datetime, limit: int, ids: list[uuid.UUID] | None = None
) -> list[ClaimedTombstone]:
    """Take due tombstones for one pass. SKIP LOCKED and the lease (next_attempt_at moved
    forward) keep a second sweep, or the request that wrote the tombstone, off them."""
    query = (
        select(StorageTombstone)
        .where(col(StorageTombstone.next_attempt_at) <= now)
        .order_by(col(StorageTombstone.next_attempt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        query = query.where(col(StorageTombstone.id).in_(ids))
    rows = list(session.execute(query).scalars())
    claimed = []
    for row in rows:
        row.next_attempt_at = lease_until
        row.attempts += 1
        claimed.append(ClaimedTombstone(id=row.id, prefix=row.prefix, settle_at=row.settle_at, attempts=row.attempts))
    session.flush()
    return claimed


def drop_tombstone(session: Session, tombstone_id: uuid.UUID) -> None:
    session.execute(delete(StorageTombstone).where(col(StorageTombstone.id) == tombstone_id))


def reschedule_tombstone(session: Session, tombstone_id: uuid.UUID, *, at: datetime, error: str | None) -> None:
    session.execute(
        update(StorageTombstone)
        .where(col(StorageTombstone.id) == tombstone_id)
        .values(next_attempt_at=at, last_error=error[:500] if error else None)
    )


def purge_expired(
    session: Session, *, finished_before: datetime, limit: int, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID]]:
    """Mark up to `limit` batches that finished before `finished_before` as purged and
    return their (organization_id, owner_id, batch_id). Rows another sweep (or an edit) holds
    are skipped. Every tenant's: run it on a maintenance session."""
    query = (
        select(Batch.id, Batch.owner_id, Batch.organization_id)
        .where(col(Batch.completed_at) < finished_before, col(Batch.purged_at).is_(None))
        .order_by(col(Batch.completed_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = [(row[2], row[1], row[0]) for row in session.execute(query)]
    batch_ids = [batch_id for _, _, batch_id in found]
    if not batch_ids:
        return []
    # zip_version = content_version: the ZIP counts as settled, so nothing asks for a build
    # from originals that are gone; zip_key None makes the download not ready.
    session.execute(
        update(Batch)
        .where(col(Batch.id).in_(batch_ids))
        .values(purged_at=now, zip_key=None, zip_size=None, zip_version=col(Batch.content_version))
    )
    # Thumbnails go with the originals: the review page shows none rather than broken links.
    session.execute(update(Image).where(col(Image.batch_id).in_(batch_ids)).values(thumbnail_key=None))
    return found


def forget_analyses(session: Session, *, batch_id: uuid.UUID) -> int:
    """Delete the organization's cached analyses of the batch's images (what a provider said
    about them is the tenant's data too). The cache is per organization and keyed by content:
    another batch of the same organization with the same bytes merely loses a cache hit.
    Call before the image rows go. A deleted organization's entries go with it (cascade)."""
    images = select(Image.organization_id, Image.checksum).where(col(Image.batch_id) == batch_id)
    result = session.execute(
        delete(AnalysisCacheEntry).where(
            tuple_(col(AnalysisCacheEntry.organization_id), col(AnalysisCacheEntry.checksum)).in_(images)
        )
    )
    return int(getattr(result, "rowcount", 0))
