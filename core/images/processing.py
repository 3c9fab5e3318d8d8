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
from core.billing import quota
from core.config import Settings
from core.db import transaction
from core.errors import NotFound, PermanentError
from core.images import repository, similarity
from core.images.models import Image, ImageStatus
from core.images.thumbnails import render_thumbnail
from core.naming.options import NamingOptions
from core.naming.service import Proposal, propose_name, unique_filename
from core.storage import ObjectStorage, thumbnail_key
from core.vision import chain, registry
from core.vision.base import Analysis, AnalysisContext

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
    guards: chain.Guards  # circuit breakers and rate limits per provider, shared through Redis
    settings: Settings


@dataclass(frozen=True)
class Claim:
    image_id: uuid.UUID
    token: uuid.UUID
    batch_id: uuid.UUID
    organization_id: uuid.UUID
    storage_key: str
    mime_type: str
    original_name: str
    checksum: str
    keywords: list[str]
    language: str
    brand: str | None
    providers: list[str]


def process(image_id: uuid.UUID, deps: Dependencies) -> Outcome:
    claim = _claim(image_id, deps)
    if claim is None:
        return Outcome.SKIPPED
    try:
        analysed = _analyse(claim, deps)
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
    return _finish(claim, analysed, deps)


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
            organization_id=image.organization_id,
            storage_key=image.storage_key,
            mime_type=image.mime_type,
            original_name=image.original_name,
            checksum=image.checksum,
            keywords=list(batch.keywords),
            language=batch.language,
            brand=batch.brand,
            providers=registry.chain_for(deps.settings, batch.providers),
        )


def _download(deps: Dependencies, key: str) -> BinaryIO:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115  (the caller closes it)
    for chunk in deps.storage.iter_object(key):
        spool.write(chunk)
    spool.seek(0)
    return cast(BinaryIO, spool)


@dataclass(frozen=True)
class Analysed:
    analysis: Analysis
    thumbnail_key: str | None
    phash: str | None


def _analyse(claim: Claim, deps: Dependencies) -> Analysed:
    clock = metrics.StageClock()
    with _download(deps, claim.storage_key) as spool:
        clock.observe("download")
        context = AnalysisContext(
            keywords=claim.keywords,
            language=claim.language,
            original_name=claim.original_name,
            mime_type=claim.mime_type,
            brand=claim.brand,
            checksum=claim.checksum,
        )
        clock = metrics.StageClock()
        result = chain.analyze(
            spool,
            context=context,
            providers=registry.get_chain(claim.providers),
            guards=deps.guards,
            sessions=deps.sessions,
        )
        clock.observe("analysis")
        _record_cost(claim, result.analysis, deps)

        # One reduced decode serves the review thumbnail and the perceptual hash.
        clock = metrics.StageClock()
        spool.seek(0)
        key: str | None = thumbnail_key(claim.organization_id, claim.batch_id, claim.image_id)
        phash: str | None = None
        try:
            data, reduced = render_thumbnail(spool)
            phash = similarity.perceptual_hash(reduced)
        except Exception:  # a thumbnail is a convenience: review works without it
            log.warning("thumbnail failed", exc_info=True, extra={"image_id": str(claim.image_id)})
            key = None
        if key is not None:
            deps.storage.put(key, io.BytesIO(data), content_type="image/webp")
        clock.observe("thumbnail")
    return Analysed(result.analysis, key, phash)


def _link_near_duplicate(session: Session, image: Image) -> None:
    """Point the later upload of a near-identical pair at the earlier one, whichever finished first."""
    assert image.phash is not None
    match = repository.nearest_phash(
        session, image.batch_id, image.phash, exclude=image.id, max_distance=similarity.NEAR_DUPLICATE_DISTANCE
    )
    if match is None:
        return
    other = session.get_one(Image, match)
    if (other.created_at, other.id.int) < (image.created_at, image.id.int):
        image.near_duplicate_of = other.id
    elif other.near_duplicate_of is None:
        other.near_duplicate_of = image.id


def _record_cost(claim: Claim, analysis: Analysis, deps: Dependencies) -> None:
    """Book what the call cost as soon as it is paid, whatever happens to the claim after:
    a reclaimed image that is analysed again (from the cache) must not hide the first bill."""
    if analysis.cached or analysis.usage is None or not analysis.usage.cost_usd:
        return
    with transaction(deps.sessions) as session:
        repository.add_cost(session, claim.image_id, analysis.usage.cost_usd)


@dataclass(frozen=True)
class _Draft:
    """A name made from an unlocked read of the batch before its row lock is taken, used under
    the lock when the batch's naming choices are still the same."""

    options: NamingOptions
    keywords: list[str]
    number: int | None  # the sequence number it was made with; None when the name does not use it
    proposal: Proposal


def _draft(session: Session, claim: Claim, analysis: Analysis, *, unsafe: bool) -> _Draft | None:
    batch = session.get(Batch, claim.batch_id)
    if batch is None:
        return None
    session.expunge(batch)  # the locked read must load the row afresh, not hand back this copy
    options = batch_service.naming_options(batch, descriptive=not unsafe or batch.allow_unsafe_names)
    number = batch.processed_images + batch.failed_images + 1

    def propose(fallback_number: int) -> Proposal:
        return propose_name(
            analysis,
            keywords=batch.keywords,
            original_name=claim.original_name,
            mime_type=claim.mime_type,
            options=options,
            fallback_number=fallback_number,
        )

    proposal = propose(number)
    # The image's sequence number ({n} in a template, or the fallback of a name with nothing
    # else to say) is only known under the lock; a name that uses it is made again there.
    uses_number = proposal != propose(number + 1)
    return _Draft(options, list(batch.keywords), number if uses_number else None, proposal)


def _finish(claim: Claim, analysed: Analysed, deps: Dependencies) -> Outcome:
    clock = metrics.StageClock()
    analysis, thumb_key = analysed.analysis, analysed.thumbnail_key
    unsafe = analysis.safety is not None and analysis.safety.flagged
    # Every finish of a batch queues behind the batch row lock, and under load the thread that
    # holds it also waits for a CPU: whatever needs no lock is done before it is taken.
    analysis_json = analysis.model_dump(mode="json")
    thumbnail_url = deps.storage.presign_get(thumb_key) if thumb_key else None
    with transaction(deps.sessions) as session:
        draft = _draft(session, claim, analysis, unsafe=unsafe)
        batch = batch_repository.lock(session, claim.batch_id)
        image = repository.lock_claimed(session, claim.image_id, claim.token)
        if batch is None or image is None:
            if batch is None and thumb_key is not None:
                deps.storage.delete(
                    thumb_key
                )  # the batch was deleted meanwhile (the retention settle pass is the backstop)
            return Outcome.SUPERSEDED
        options = batch_service.naming_options(batch, descriptive=not unsafe or batch.allow_unsafe_names)
        number = batch.processed_images + batch.failed_images + 1
        if (
            draft is not None
            and draft.options == options
            and draft.keywords == list(batch.keywords)
            and draft.number in (None, number)
        ):
            proposal = draft.proposal
        else:
            proposal = propose_name(
                analysis,
                keywords=batch.keywords,
                original_name=image.original_name,
                mime_type=image.mime_type,
                options=options,
                fallback_number=number,
            )
        taken = repository.names_like(session, batch.id, proposal.stem, exclude=image.id)
        filename = unique_filename(
            proposal.stem, proposal.extension, taken, max_length=batch.max_name_length, case_style=options.case_style
        )
        # Batch finishes are serialised by the batch lock, so two near-duplicates finishing
        # together still see each other.
        if analysed.phash is not None:
            with session.no_autoflush:  # the image is written once, with everything else, at commit
                image.phash = analysed.phash
                _link_near_duplicate(session, image)
        image.provider = analysis.provider
        image.unsafe = unsafe
        # Summed by the UPDATE itself (a subquery), not by a round trip of its own under the lock.
        batch.cost_usd = repository.batch_cost_expression(batch.id)
        image.proposed_name = filename
        if not image.name_edited:
            image.final_name = filename
        image.alt_text = proposal.alt_text
        image.analysis = analysis_json
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
                thumbnail_url=thumbnail_url,
                provider=analysis.provider,
                unsafe=unsafe,
                near_duplicate_of=image.near_duplicate_of,
            ),
        )
        batch_service.settle(session, batch)
    clock.observe("naming")
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
        quota.refund_image(session, image)  # once: it clears quota_period in this same transaction
        batch.cost_usd = repository.batch_cost(session, batch.id)  # a failed image may have been paid for
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
