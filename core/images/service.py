"""Review: listing, editing and regenerating names. Services never commit."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from core import events
from core.accounts.schemas import Principal
from core.batches import repository as batch_repository
from core.batches import service as batch_service
from core.batches.models import FINISHED, BatchStatus
from core.billing import quota
from core.config import get_settings
from core.errors import Conflict, Gone, NotFound, ValidationFailed
from core.images import repository
from core.images.models import Image, ImageStatus
from core.images.schemas import ImageEdit, ImagePage, ImagePublic
from core.naming.service import extension_for_mime, normalize_user_name, unique_filename
from core.queue import ProcessImage, TaskName, enqueue
from core.storage import ObjectStorage
from core.vision import registry

MAX_ALT_TEXT = 125


def to_public(image: Image, storage: ObjectStorage | None = None) -> ImagePublic:
    public = ImagePublic.model_validate(image, from_attributes=True)
    if storage is not None and image.thumbnail_key:
        public.thumbnail_url = storage.presign_get(image.thumbnail_key)
    return public


def get(session: Session, principal: Principal, image_id: uuid.UUID) -> Image:
    image = repository.get_owned(session, principal, image_id)
    if image is None:
        raise NotFound("No such image.", code="image_not_found")
    return image


def list_page(
    session: Session,
    principal: Principal,
    batch_id: uuid.UUID,
    *,
    status: ImageStatus | None,
    page: int,
    page_size: int,
    storage: ObjectStorage,
) -> ImagePage:
    batch_service.get(session, principal, batch_id)  # 404 unless the caller owns it
    rows, total = repository.list_for_batch(
        session, batch_id, status=status, offset=(page - 1) * page_size, limit=page_size
    )
    return ImagePage(items=[to_public(i, storage) for i in rows], total=total, page=page, page_size=page_size)


def edit(session: Session, principal: Principal, image_id: uuid.UUID, *, change: ImageEdit) -> Image:
    image = get(session, principal, image_id)
    batch = batch_repository.lock(session, image.batch_id)  # names are decided one at a time per batch
    if batch is None:
        raise NotFound("No such image.", code="image_not_found")
    session.refresh(image)
    if change.name is None and change.alt_text is None:
        raise ValidationFailed("Send a new name, a new alt text, or both.", code="nothing_to_change")
    if image.status != ImageStatus.NAMED:
        raise Conflict("This image has no name yet; edit it once it has been processed.", code="image_not_named")

    if change.name is not None:
        options = batch_service.naming_options(batch)
        extension = extension_for_mime(image.mime_type)
        stem = normalize_user_name(change.name, extension=extension, options=options)
        wanted = f"{stem}.{extension}"
        taken = repository.names_like(session, batch.id, stem, exclude=image.id)
        if wanted.lower() in {t.lower() for t in taken}:
            free = unique_filename(
                stem, extension, taken, max_length=batch.max_name_length, case_style=options.case_style
            )
            raise Conflict(
                f"Another image in this batch is already called “{wanted}”; choose another name (“{free}” is free).",
                code="name_taken",
            )
        image.final_name = wanted
        image.name_edited = True

    if change.alt_text is not None:
        alt = " ".join(change.alt_text.split())
        if len(alt) > MAX_ALT_TEXT:
            raise ValidationFailed(
                f"Alt text is {len(alt)} characters; keep it to {MAX_ALT_TEXT} so screen readers read it in full.",
                code="alt_text_too_long",
            )
        image.alt_text = alt

    batch_service.content_changed(session, batch)
    session.flush()
    return image


def regenerate(session: Session, principal: Principal, image_id: uuid.UUID) -> Image:
    """Analyse and name the image again (also retries a failed one)."""
    image = get(session, principal, image_id)
    batch = batch_repository.lock(session, image.batch_id)
    if batch is None:
        raise NotFound("No such image.", code="image_not_found")
    if batch.purged_at is not None:
        raise Gone(
            "The original of this image was deleted with the batch's files after the retention period, so it "
            "cannot be analysed again; upload it to a new batch instead.",
            code="files_deleted",
        )
    session.refresh(image)
    if image.status not in (ImageStatus.NAMED, ImageStatus.FAILED):
        raise Conflict("This image is still being processed; wait for its name first.", code="image_busy")
    if image.status == ImageStatus.NAMED:
        batch.processed_images -= 1
    else:
        # A failed image was refunded; processing it again counts against this month (402 when full).
        quota.reserve_retry(session, image, settings=get_settings())
        batch.failed_images -= 1
    image.status = ImageStatus.QUEUED
    image.name_edited = False
    image.final_name = None  # frees the name; the new proposal is made unique again
    image.failure_code = image.failure_reason = None
    if batch.status in FINISHED:
        batch.status = BatchStatus.PROCESSING
        batch.completed_at = None
        events.emit(session, batch, events.BatchProcessingStarted())
    batch.content_version += 1
    enqueue(
        session,
        TaskName.PROCESS_IMAGE,
        ProcessImage(image_id=image.id, organization_id=image.organization_id),
        queue=registry.queue_for(get_settings(), batch.providers),
    )
    session.flush()
    return image
