"""All SQL about images."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import cast, func, literal, or_, update
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.orm import Session
from sqlmodel import col, select

from core.accounts.schemas import Principal
from core.batches.models import Batch
from core.images.models import Image, ImageStatus

UNFINISHED = (ImageStatus.PENDING, ImageStatus.QUEUED, ImageStatus.PROCESSING)


def get_owned(session: Session, principal: Principal, image_id: uuid.UUID) -> Image | None:
    query = select(Image).where(Image.id == image_id, Image.organization_id == principal.organization_id)
    return session.execute(query).scalar_one_or_none()


def get(session: Session, image_id: uuid.UUID) -> Image | None:
    return session.get(Image, image_id)


def checksum_exists(session: Session, batch_id: uuid.UUID, checksum: str) -> str | None:
    """The original name of the image in the batch with this checksum, if any."""
    query = select(Image.original_name).where(Image.batch_id == batch_id, Image.checksum == checksum)
    return session.execute(query).scalar_one_or_none()


def list_for_batch(
    session: Session, batch_id: uuid.UUID, *, status: ImageStatus | None, offset: int, limit: int
) -> tuple[list[Image], int]:
    base = select(Image).where(Image.batch_id == batch_id)
    if status is not None:
        base = base.where(Image.status == status)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(base.order_by(col(Image.created_at), col(Image.id)).offset(offset).limit(limit))
    return list(rows.scalars()), int(total)


def iter_for_export(session: Session, batch_id: uuid.UUID) -> list[Image]:
    query = select(Image).where(Image.batch_id == batch_id).order_by(col(Image.created_at), col(Image.id))
    return list(session.execute(query).scalars())


def names_like(session: Session, batch_id: uuid.UUID, stem: str, *, exclude: uuid.UUID | None = None) -> set[str]:
    """Final names in the batch that could collide with `stem` or its numbered variants."""
    # LIKE treats _ and % as wildcards: a snake_case stem must match itself literally.
    lowered = stem.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    name = func.lower(col(Image.final_name))
    query = select(Image.final_name).where(
        Image.batch_id == batch_id,
        col(Image.final_name).is_not(None),
        or_(*(name.like(f"{lowered}{tail}%", escape="\\") for tail in (".", "-", "\\_"))),
    )
    if exclude is not None:
        query = query.where(Image.id != exclude)
    return {name for name in session.execute(query).scalars() if name}


def mark_queued(session: Session, image_ids: list[uuid.UUID]) -> None:
    if image_ids:
        session.execute(
            update(Image)
            .where(col(Image.id).in_(image_ids), col(Image.status) == ImageStatus.PENDING)
            .values(status=ImageStatus.QUEUED)
        )


def claim(session: Session, image_id: uuid.UUID, *, stale_after: timedelta) -> Image | None:
    """Take the work on an image: PENDING/QUEUED, or PROCESSING whose claim went stale
    (its worker died). Returns None when the work is done or held by a live worker."""
    now = datetime.now(UTC)
    result = session.execute(
        update(Image)
        .where(col(Image.id) == image_id)
        .where(
            or_(
                col(Image.status).in_([ImageStatus.PENDING, ImageStatus.QUEUED]),
                (col(Image.status) == ImageStatus.PROCESSING) & (col(Image.claimed_at) < now - stale_after),
            )
        )
        .values(
            status=ImageStatus.PROCESSING, claim_token=uuid.uuid4(), claimed_at=now, attempts=col(Image.attempts) + 1
        )
        .returning(col(Image.id))
    )
    if result.scalar_one_or_none() is None:
        return None
    return session.get(Image, image_id, populate_existing=True)


def lock_claimed(session: Session, image_id: uuid.UUID, token: uuid.UUID) -> Image | None:
    query = (
        select(Image)
        .where(Image.id == image_id, Image.claim_token == token, Image.status == ImageStatus.PROCESSING)
        .with_for_update()
    )
    return session.execute(query).scalar_one_or_none()


def lock_unfinished(session: Session, image_id: uuid.UUID) -> Image | None:
    query = select(Image).where(Image.id == image_id, col(Image.status).in_(UNFINISHED)).with_for_update()
    return session.execute(query).scalar_one_or_none()


def stuck(
    session: Session, *, pending_before: datetime, queued_before: datetime, processing_before: datetime, limit: int
) -> list[tuple[uuid.UUID, int, list[str] | None, uuid.UUID]]:
    """Unfinished images that look abandoned, with how many times they were claimed, their
    batch's provider chain (which decides the queue they go back to) and their organization.
    Every tenant's: run it on a maintenance session."""
    status, updated, claimed = col(Image.status), col(Image.updated_at), col(Image.claimed_at)
    query = (
        select(Image.id, Image.attempts, Batch.providers, Image.organization_id)
        .join(Batch, col(Batch.id) == col(Image.batch_id))
        .where(
            or_(
                (status == ImageStatus.PENDING) & (updated < pending_before),
                (status == ImageStatus.QUEUED) & (updated < queued_before),
                (status == ImageStatus.PROCESSING) & (claimed < processing_before),
            )
        )
        .limit(limit)
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(query)]


def requeue(session: Session, image_ids: list[uuid.UUID]) -> None:
    """Put stuck images back to QUEUED; a stale claim's token is voided so its worker,
    should it wake up, cannot write a second result."""
    if image_ids:
        session.execute(
            update(Image)
            .where(col(Image.id).in_(image_ids), col(Image.status).in_(UNFINISHED))
            .values(status=ImageStatus.QUEUED, claim_token=None, updated_at=func.now())
        )


def nearest_phash(
    session: Session, batch_id: uuid.UUID, phash: str, *, exclude: uuid.UUID, max_distance: int
) -> uuid.UUID | None:
    """The batch's image whose perceptual hash is closest to `phash` (Hamming distance at
    most `max_distance`), ties to the earliest upload.

    The distance is computed by PostgreSQL (XOR of the 64-bit hashes, then bit_count) over
    the batch's rows: this runs under the batch lock, and fetching every hash into Python
    would make each finish cost O(batch size) round-trip rows."""
    stored = cast(literal("x").concat(col(Image.phash)), BIT(64))
    distance = func.bit_count(stored.op("#")(cast(literal("x" + phash), BIT(64))))
    query = (
        select(Image.id)
        .where(col(Image.batch_id) == batch_id, col(Image.phash).is_not(None), col(Image.id) != exclude)
        .where(distance <= max_distance)
        .order_by(distance, col(Image.created_at), col(Image.id))
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def analyses(session: Session, batch_id: uuid.UUID, *, limit: int) -> list[dict[str, object]]:
    """The stored analyses of a batch's named images, newest first (for keyword suggestions)."""
    query = (
        select(Image.analysis)
        .where(col(Image.batch_id) == batch_id, col(Image.analysis).is_not(None))
        .order_by(col(Image.processed_at).desc())
        .limit(limit)
    )
    return [row[0] for row in session.execute(query)]


def add_cost(session: Session, image_id: uuid.UUID, cost_usd: float) -> None:
    """Add a provider bill to the image (an increment, so concurrent bills add up). The batch's
    total is summed from its images when each finishes, under the batch lock: updating the
    batch row here would queue every call behind the batch lock and invert the lock order."""
    session.execute(update(Image).where(col(Image.id) == image_id).values(cost_usd=col(Image.cost_usd) + cost_usd))


def batch_cost_expression(batch_id: uuid.UUID) -> Any:
    """The batch's total as SQL, to assign to `Batch.cost_usd`: summed by the UPDATE itself,
    without a round trip of its own under the batch lock."""
    return select(func.coalesce(func.sum(Image.cost_usd), 0.0)).where(col(Image.batch_id) == batch_id).scalar_subquery()


def batch_cost(session: Session, batch_id: uuid.UUID) -> float:
    total = session.execute(
        select(func.coalesce(func.sum(Image.cost_usd), 0.0)).where(col(Image.batch_id) == batch_id)
    ).scalar_one()
    return float(total)


def organization_of(session: Session, image_id: uuid.UUID) -> uuid.UUID | None:
    return session.execute(select(Image.organization_id).where(col(Image.id) == image_id)).scalar_one_or_none()
