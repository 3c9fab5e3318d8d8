"""Batch rules: creation, closing uploads, completion, download. Services never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core import events
from core.accounts.schemas import Principal
from core.batches import repository
from core.batches.models import FINISHED, OPEN_FOR_UPLOAD, Batch, BatchStatus
from core.batches.schemas import BatchCreate, BatchPage, BatchPublic, DownloadLink
from core.errors import Conflict, NotFound
from core.naming.words import slug_words
from core.queue import BuildZip, TaskName, enqueue
from core.storage import ObjectStorage


def to_public(batch: Batch) -> BatchPublic:
    return BatchPublic(
        id=batch.id,
        name=batch.name,
        status=batch.status,
        keywords=list(batch.keywords),
        language=batch.language,
        max_name_length=batch.max_name_length,
        total_images=batch.total_images,
        processed_images=batch.processed_images,
        failed_images=batch.failed_images,
        download_ready=is_download_ready(batch),
        created_at=batch.created_at,
        completed_at=batch.completed_at,
    )


def is_download_ready(batch: Batch) -> bool:
    return batch.status in FINISHED and batch.zip_key is not None and batch.zip_version == batch.content_version


def create(session: Session, principal: Principal, *, request: BatchCreate) -> Batch:
    batch = Batch(
        owner_id=principal.user_id,
        name=request.name.strip(),
        keywords=request.keywords,
        language=request.language,
        max_name_length=request.max_name_length,
    )
    session.add(batch)
    session.flush()
    return batch


def get(session: Session, principal: Principal, batch_id: uuid.UUID, *, for_update: bool = False) -> Batch:
    batch = repository.get_owned(session, principal, batch_id, for_update=for_update)
    if batch is None:
        raise NotFound("No such batch.", code="batch_not_found")
    return batch


def list_page(session: Session, principal: Principal, *, page: int, page_size: int) -> BatchPage:
    rows, total = repository.list_owned(session, principal, offset=(page - 1) * page_size, limit=page_size)
    return BatchPage(items=[to_public(b) for b in rows], total=total, page=page, page_size=page_size)


def require_open_for_upload(batch: Batch) -> None:
    if batch.status not in OPEN_FOR_UPLOAD:
        raise Conflict(
            "This batch no longer accepts files because renaming has started; create a new batch to add more.",
            code="batch_closed",
        )


def start(session: Session, principal: Principal, batch_id: uuid.UUID) -> Batch:
    """Close uploads: from here the batch completes when its last image is done."""
    batch = get(session, principal, batch_id, for_update=True)
    if batch.status not in OPEN_FOR_UPLOAD:
        return batch  # already started: starting twice is harmless
    if batch.total_images == 0:
        raise Conflict("Upload at least one image before starting.", code="batch_empty")
    batch.status = BatchStatus.PROCESSING
    events.emit(session, batch, events.BatchProcessingStarted())
    settle(session, batch)
    return batch


def settle(session: Session, batch: Batch) -> None:
    """Complete the batch when uploads are closed and every image is done. Call with the row locked."""
    if batch.status != BatchStatus.PROCESSING:
        return
    if batch.processed_images + batch.failed_images < batch.total_images:
        return
    if batch.failed_images == 0:
        batch.status = BatchStatus.COMPLETED
    elif batch.processed_images > 0:
        batch.status = BatchStatus.PARTIAL
    else:
        batch.status = BatchStatus.FAILED
    batch.completed_at = datetime.now(UTC)
    events.emit(session, batch, events.BatchCompleted(status=batch.status.value, download_ready=False))
    request_zip(session, batch)


def request_zip(session: Session, batch: Batch) -> None:
    if batch.status in FINISHED and batch.zip_version != batch.content_version:
        enqueue(session, TaskName.BUILD_ZIP, BuildZip(batch_id=batch.id))


def content_changed(session: Session, batch: Batch) -> None:
    """A name or alt text changed: the ZIP must be rebuilt (now, if the batch is finished)."""
    batch.content_version += 1
    request_zip(session, batch)


def download_link(
    session: Session, principal: Principal, batch_id: uuid.UUID, *, storage: ObjectStorage
) -> DownloadLink:
    batch = get(session, principal, batch_id)
    if batch.status not in FINISHED:
        raise Conflict(
            f"The batch is still being processed ({batch.processed_images + batch.failed_images} of "
            f"{batch.total_images} done); the ZIP is ready when it completes.",
            code="batch_not_finished",
        )
    if not is_download_ready(batch) or batch.zip_key is None:
        raise Conflict(
            "The ZIP is being built with your latest changes; try again in a few seconds.", code="zip_not_ready"
        )
    filename = download_filename(batch)
    return DownloadLink(
        url=storage.presign_get(batch.zip_key, download_name=filename),
        expires_in=storage.ttl,
        size=batch.zip_size,
        filename=filename,
    )


def download_filename(batch: Batch) -> str:
    words = slug_words(batch.name, batch.language) if batch.name else []
    return ("-".join(words)[:60].strip("-") or "renamed-images") + ".zip"
