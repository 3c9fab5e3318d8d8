"""The periodic sweep (Celery beat): nothing accepted is ever left behind.

- PENDING images whose job was never sent (the process died between commit and send),
  QUEUED images whose message was lost, and PROCESSING images whose worker died are put
  back to QUEUED and sent again; the claim protocol makes a duplicate harmless.
- Finished batches whose ZIP is behind their content get their build requested again.
- Presigned uploads that were never completed have their staged objects deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy.orm import Session, sessionmaker

from core.batches import repository as batch_repository
from core.config import Settings
from core.db import transaction
from core.images import presigned, processing, repository
from core.queue import BuildZip, ProcessImage, TaskName, send
from core.storage import ObjectStorage
from core.vision import registry

PENDING_GRACE = timedelta(seconds=30)
SWEEP_LIMIT = 1000


@dataclass(frozen=True)
class SweepReport:
    images_requeued: int
    images_failed: int
    zips_requested: int
    staged_deleted: int


def sweep(
    *, sessions: sessionmaker[Session], storage: ObjectStorage, cache: redis.Redis, settings: Settings
) -> SweepReport:
    """`sessions` must see every tenant (core.db.get_maintenance_sessionmaker)."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        stuck = repository.stuck(
            session,
            pending_before=now - PENDING_GRACE,
            queued_before=now - timedelta(seconds=settings.stuck_queued_after_seconds),
            processing_before=now - timedelta(seconds=settings.stuck_processing_after_seconds),
            limit=SWEEP_LIMIT,
        )
        # An image whose every attempt died with its worker (a crash loop, say) is given
        # up on with a reason rather than re-sent forever.
        budget = settings.task_max_retries + 2
        exhausted = [image_id for image_id, attempts, _, _ in stuck if attempts >= budget]
        retry = [(image_id, providers, tenant) for image_id, attempts, providers, tenant in stuck if attempts < budget]
        image_ids = [image_id for image_id, _, _ in retry]
        repository.requeue(session, image_ids)
        zips = batch_repository.needing_zip(
            session, changed_before=now - timedelta(seconds=settings.stuck_queued_after_seconds), limit=SWEEP_LIMIT
        )
        batch_repository.touch(session, [batch_id for batch_id, _ in zips])
    for image_id in exhausted:
        processing.fail(
            image_id,
            None,
            code="analysis_failed",
            reason="Processing this image failed repeatedly; use regenerate to try again.",
            sessions=sessions,
        )
    for image_id, providers, tenant in retry:
        send(
            TaskName.PROCESS_IMAGE,
            ProcessImage(image_id=image_id, organization_id=tenant),
            queue=registry.queue_for(settings, providers),
        )
    for batch_id, tenant in zips:
        send(TaskName.BUILD_ZIP, BuildZip(batch_id=batch_id, organization_id=tenant))

    staged = presigned.expired_staging_keys(cache)
    storage.delete(*staged)
    presigned.forget_staging_keys(cache, staged)
    return SweepReport(
        images_requeued=len(image_ids),
        images_failed=len(exhausted),
        zips_requested=len(zips),
        staged_deleted=len(staged),
    )
