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
from core.images import presigned, repository
from core.queue import BuildZip, ProcessImage, TaskName, send
from core.storage import ObjectStorage

PENDING_GRACE = timedelta(seconds=30)
SWEEP_LIMIT = 1000


@dataclass(frozen=True)
class SweepReport:
    images_requeued: int
    zips_requested: int
    staged_deleted: int


def sweep(
    *, sessions: sessionmaker[Session], storage: ObjectStorage, cache: redis.Redis, settings: Settings
) -> SweepReport:
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        image_ids = repository.stuck(
            session,
            pending_before=now - PENDING_GRACE,
            queued_before=now - timedelta(seconds=settings.stuck_queued_after_seconds),
            processing_before=now - timedelta(seconds=settings.stuck_processing_after_seconds),
            limit=SWEEP_LIMIT,
        )
        repository.requeue(session, image_ids)
        batch_ids = batch_repository.needing_zip(
            session, changed_before=now - timedelta(seconds=settings.stuck_queued_after_seconds), limit=SWEEP_LIMIT
        )
        batch_repository.touch(session, batch_ids)
    for image_id in image_ids:
        send(TaskName.PROCESS_IMAGE, ProcessImage(image_id=image_id))
    for batch_id in batch_ids:
        send(TaskName.BUILD_ZIP, BuildZip(batch_id=batch_id))

    staged = presigned.expired_staging_keys(cache)
    storage.delete(*staged)
    presigned.forget_staging_keys(cache, staged)
    return SweepReport(images_requeued=len(image_ids), zips_requested=len(batch_ids), staged_deleted=len(staged))
