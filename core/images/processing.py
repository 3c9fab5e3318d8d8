"""Processing one image: claim, analyse, name, record. Safe under at-least-once delivery.

The status column says whether the work is done: `claim` moves PENDING/QUEUED (or a
PROCESSING claim whose worker died) to PROCESSING with a fresh token; the result is
written only by the holder of the current token, in the same transaction that bumps the
batch counters, so a redelivered or duplicated job yields exactly one result.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import BinaryIO, cast

from sqlalchemy.orm import Session, sessionmaker

from core import events, metrics
from core.batches import repository as batch_repository
from core.batches import service as batch_service
from core.batches.models import Batch
from core.config import Settings
from core.db import transaction
from core.errors import NotFound, PermanentError
from core.images import repository
from core.images.models import ImageStatus
from core.images.thumbnails import make_thumbnail
from core.naming.service import NamingOptions, propose_name, unique_filename
from core.storage import ObjectStorage, thumbnail_key
from core.vision.base import Analysis, AnalysisContext, VisionProvider

log = logging.getLogger(__name__)
SPOOL_MEMORY_BYTES = 1024 * 1024


class Outcome(StrEnum):
    NAMED = "named"
    FAILED = "failed"
    SKIPPED = "skipped"  # already done, or held by a live worker
    SUPERSEDED = "superseded"  # our claim was taken over after it went stale


@dataclass(frozen=True)
class Dependencies:
    sessions: sessionmaker[Session]
    storage: ObjectStorage
    provider: VisionProvider
    settings: Settings


@dataclass(frozen=True)
class Claim:
    image_id: uuid.UUID
    token: uuid.UUID
    batch_id: uuid.UUID
    owner_id: uuid.UUID
    storage_key: str
    mime_type: str
    original_name: str
    keywords: list[str]
    language: str


def process(image_id: uuid.UUID, deps: Dependencies) -> Outcome:
    claim = _claim(image_id, deps)
    if claim is None:
        return Outcome.SKIPPED
    try:
        analysis, thumb = _analyse(claim, deps)
    except PermanentError as exc:
        return fail(claim.image_id, claim.token, code=exc.code, reason=exc.detail, sessions=deps.sessions)
    except NotFound:
        return fail(
            claim.image_id,
            claim.token,
            code="original_missing",
            reason="The stored original is missing.",
            sessions=deps.sessions,
        )
    except BaseException:
        release(claim.image_id, claim.token, deps)  # let the retry claim it at once
        raise
    return _finish(claim, analysis, thumb, deps)


def _claim(image_id: uuid.UUID, deps: Dependencies) -> Claim | None:
    stale = timedelta(seconds=deps.settings.stuck_processing_after_seconds)
    with transaction(deps.sessions) as session:
        image = repository.claim(session, image_id, stale_after=stale)
        if image is None or image.claim_token is None:
            return None
        batch = session.get_one(Batch, image.batch_id)
        return Claim(
            image_id=image.id,
            token=image.claim_token,
            batch_id=image.batch_id,
            owner_id=image.owner_id,
            storage_key=image.storage_key,
            mime_type=image.mime_type,
            original_name=image.original_name,
            keywords=list(batch.keywords),
            language=batch.language,
        )


def _download(deps: Dependencies, key: str) -> BinaryIO:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115  (the caller closes it)
    for chunk in deps.storage.iter_object(key):
        spool.write(chunk)
    spool.seek(0)
    return cast(BinaryIO, spool)


def _analyse(claim: Claim, deps: Dependencies) -> tuple[Analysis, str | None]:
    started = time.perf_counter()
    with _download(deps, claim.storage_key) as spool:
        metrics.TASK_DURATION.labels(stage="download").observe(time.perf_counter() - started)
        context = AnalysisContext(
            keywords=claim.keywords,
            language=claim.language,
            original_name=claim.original_name,
            mime_type=claim.mime_type,
        )
        started = time.perf_counter()
        analysis = deps.provider.analyze(spool, context=context)
        metrics.TASK_DURATION.labels(stage="analysis").observe(time.perf_counter() - started)

        started = time.perf_counter()
        spool.seek(0)
        key: str | None = thumbnail_key(claim.owner_id, claim.batch_id, claim.image_id)
        try:
            data = make_thumbnail(spool)
        except Exception:  # a thumbnail is a convenience: review works without it
            log.warning("thumbnail failed", exc_info=True, extra={"image_id": str(claim.image_id)})
            key = None
        if key is not None:
            deps.storage.put(key, io.BytesIO(data), content_type="image/webp")
        metrics.TASK_DURATION.labels(stage="thumbnail").observe(time.perf_counter() - started)
    return analysis, key


def _finish(claim: Claim, analysis: Analysis, thumb_key: str | None, deps: Dependencies) -> Outcome:
    started = time.perf_counter()
    with transaction(deps.sessions) as session:
        batch = batch_repository.lock(session, claim.batch_id)
        image = repository.lock_claimed(session, claim.image_id, claim.token)
        if batch is None or image is None:
            return Outcome.SUPERSEDED
        options = NamingOptions(language=batch.language, max_length=batch.max_name_length)
        proposal = propose_name(
            analysis,
            keywords=batch.keywords,
            original_name=image.original_name,
            mime_type=image.mime_type,
            options=options,
            fallback_number=batch.processed_images + batch.failed_images + 1,
        )
        taken = repository.names_like(session, batch.id, proposal.stem, exclude=image.id)
        filename = unique_filename(proposal.stem, proposal.extension, taken, max_length=batch.max_name_length)
        image.proposed_name = filename
        if not image.name_edited:
            image.final_name = filename
        image.alt_text = proposal.alt_text
        image.analysis = analysis.model_dump(mode="json")
        image.thumbnail_key = thumb_key
        image.status = ImageStatus.NAMED
        image.claim_token = None
        image.processed_at = datetime.now(UTC)
        batch.processed_images += 1
        events.emit(
            session,
            batch,
            events.ImageProcessed(
                image_id=image.id,
                proposed_name=filename,
                final_name=image.final_name or filename,
                alt_text=proposal.alt_text,
                thumbnail_url=deps.storage.presign_get(thumb_key) if thumb_key else None,
            ),
        )
        batch_service.settle(session, batch)
    metrics.TASK_DURATION.labels(stage="naming").observe(time.perf_counter() - started)
    metrics.IMAGES_FINISHED.labels(status="named", provider=analysis.provider).inc()
    return Outcome.NAMED


def fail(
    image_id: uuid.UUID, token: uuid.UUID | None, *, code: str, reason: str, sessions: sessionmaker[Session]
) -> Outcome:
    """Mark the image FAILED with its reason; the batch carries on. With token None, fail
    whatever claim holds it (used when retries are exhausted)."""
    with transaction(sessions) as session:
        image = repository.get(session, image_id)
        if image is None:
            return Outcome.SKIPPED
        batch = batch_repository.lock(session, image.batch_id)
        image = (
            repository.lock_claimed(session, image_id, token)
            if token
            else repository.lock_unfinished(session, image_id)
        )
        if batch is None or image is None:
            return Outcome.SUPERSEDED
        image.status = ImageStatus.FAILED
        image.failure_code = code
        image.failure_reason = reason[:500]
        image.claim_token = None
        image.processed_at = datetime.now(UTC)
        batch.failed_images += 1
        events.emit(session, batch, events.ProcessingError(image_id=image.id, code=code, reason=image.failure_reason))
        batch_service.settle(session, batch)
    metrics.IMAGES_FINISHED.labels(status="failed", provider="any").inc()
    log.info("image failed", extra={"image_id": str(image_id), "code": code})
    return Outcome.FAILED


def release(image_id: uuid.UUID, token: uuid.UUID, deps: Dependencies) -> None:
    """Give the claim back (status QUEUED) so that a retry can take it immediately."""
    with transaction(deps.sessions) as session:
        image = repository.lock_claimed(session, image_id, token)
        if image is not None:
            image.status = ImageStatus.QUEUED
            image.claim_token = None
