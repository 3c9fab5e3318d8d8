"""Accepting uploaded files: the checks in order, storage, and the hand-off to the queue.

Checks per file, in this order (the first that fails decides the file's result):
  1. size limit and the batch's file-count limit
  2. real type from the bytes   3. it decodes (pixel limit first)   (core.images.validation)
  4. ClamAV INSTREAM scan (fail closed: clamd down -> 503, nothing stored)
  5. SHA-256 duplicate within the batch (enforced by a unique constraint as well)
  6. the organization's monthly quota (core.billing.quota): checked before storing, and
     reserved atomically in the transaction that records the image (quota_exceeded)
Each accepted file is stored, then committed in its own short transaction, so one bad
file never undoes the others; its job is enqueued after that commit.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core import events, metrics
from core.accounts.schemas import Principal
from core.batches import repository as batch_repository
from core.batches import service as batch_service
from core.batches.schemas import FileResult, UploadResults
from core.billing import quota
from core.config import Settings
from core.db import after_commit, transaction
from core.errors import FileRejected, NotFound, QuotaExceeded, ServiceUnavailable
from core.images import repository
from core.images.ingest import ReceivedFile
from core.images.models import Image, ImageStatus
from core.images.validation import ImageInfo, inspect_image, sanitize_filename
from core.naming.service import extension_for_mime
from core.queue import ProcessImage, TaskName, send
from core.scanning.clamav import ScanResult, VirusScanner
from core.storage import ObjectStorage, original_key
from core.vision import registry

log = logging.getLogger(__name__)
# Decoding a large WebP/HEIC/AVIF to check it can take over 1 GB at the pixel limit; a
# process-wide cap on concurrent checks keeps an API process's peak memory bounded.
_DECODE_SLOTS = threading.BoundedSemaphore(2)
# Virus scans running alongside decode checks: clamd waits, so threads are cheap here (clamd
# itself queues past its MaxThreads).
_SCANS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="clamd-scan")


def _scan(scanner: VirusScanner, reader: BinaryIO) -> ScanResult:
    with reader:
        return scanner.scan(reader)


@dataclass(frozen=True)
class Dependencies:
    sessions: sessionmaker[Session]
    storage: ObjectStorage
    scanner: VirusScanner
    settings: Settings


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def _rejected(name: str, error: FileRejected) -> FileResult:
    metrics.UPLOADS.labels(result="rejected", code=error.code).inc()
    return FileResult(filename=name, status="rejected", code=error.code, detail=error.detail)


def accept_files(
    principal: Principal, batch_id: uuid.UUID, files: Iterable[ReceivedFile], deps: Dependencies
) -> UploadResults:
    """Check and store each file. Raises NotFound/Conflict before any file is looked at
    when the batch is not the caller's or is closed, and ServiceUnavailable when the
    virus scanner cannot be reached (with the results so far in `extra`)."""
    with transaction(deps.sessions, tenant=principal.organization_id) as session:
        batch = batch_service.get(session, principal, batch_id)
        batch_service.require_open_for_upload(batch)
        already = batch.total_images
    deps.scanner.ping()  # fail closed before touching any file

    results: list[FileResult] = []
    seen: dict[str, str] = {}  # checksum -> name, within this request
    accepted_ids: list[uuid.UUID] = []
    try:
        for received in files:
            name = sanitize_filename(received.filename)
            try:
                image_id, info = _accept_one(
                    principal, batch_id, received, name, already + len(accepted_ids), seen, deps
                )
            except FileRejected as rejection:
                results.append(_rejected(name, rejection))
                continue
            except ServiceUnavailable as exc:
                exc.extra["results"] = [r.model_dump(mode="json") for r in results]
                raise
            finally:
                received.close()
            accepted_ids.append(image_id)
            metrics.UPLOADS.labels(result="accepted", code="").inc()
            results.append(FileResult(filename=name, status="accepted", image_id=image_id, mime_type=info.mime_type))
    finally:
        if accepted_ids:
            with transaction(deps.sessions, tenant=principal.organization_id) as session:
                repository.mark_queued(session, accepted_ids)
    return UploadResults(
        accepted=sum(r.status == "accepted" for r in results),
        rejected=sum(r.status == "rejected" for r in results),
        results=results,
    )


def _require_quota(session: Session, principal: Principal, settings: Settings) -> None:
    try:
        quota.require_room(session, principal.organization_id, 1, settings=settings, declared=False)
    except QuotaExceeded as exc:
        raise FileRejected(exc.detail, code=exc.code) from exc


def _accept_one(
    principal: Principal,
    batch_id: uuid.UUID,
    received: ReceivedFile,
    name: str,
    count_so_far: int,
    seen: dict[str, str],
    deps: Dependencies,
) -> tuple[uuid.UUID, ImageInfo]:
    settings = deps.settings
    if received.rejection is not None:
        raise received.rejection
    # 1. size and count
    if received.too_large:
        raise FileRejected(
            f"This file is {_mb(received.size)}; the limit is {_mb(settings.max_file_bytes)} per file.",
            code="too_large",
        )
    if count_so_far >= settings.max_files_per_batch:
        raise FileRejected(
            f"A batch holds at most {settings.max_files_per_batch} files; start a new batch for the rest.",
            code="too_many_files",
        )
    if received.size == 0:
        raise FileRejected("This file is empty (0 bytes).", code="empty_file")
    # 2-3. type from the bytes, pixel limit, decodes; 4. virus scan (raises ServiceUnavailable
    # when clamd is gone: fail closed). The scan starts once the type and the pixel limit have
    # passed and runs alongside the decode check, whose verdict still comes first.
    scans: list[Future[ScanResult]] = []

    def start_scan() -> None:
        scans.append(_SCANS.submit(_scan, deps.scanner, received.reader()))

    try:
        with _DECODE_SLOTS:
            info: ImageInfo = inspect_image(
                received.spool, max_pixels=settings.max_image_pixels, on_identified=start_scan
            )
    except BaseException:
        wait(scans)  # a refused file is not stored: its scan is waited for, its verdict unused
        raise
    verdict = scans[0].result()  # inspect_image started it before decoding
    if not verdict.clean:
        metrics.VIRUS_DETECTIONS.inc()
        log.warning("infected upload refused", extra={"signature": verdict.signature, "batch_id": str(batch_id)})
        raise FileRejected(
            f"This file contains malware ({verdict.signature}) and was refused; it has not been stored.",
            code="infected",
        )
    # 5. duplicate within the batch
    checksum = received.sha256
    if checksum in seen:
        raise FileRejected(
            f"This file is identical to “{seen[checksum]}” in this upload; it was skipped.", code="duplicate"
        )
    with transaction(deps.sessions, tenant=principal.organization_id) as session:
        existing = repository.checksum_exists(session, batch_id, checksum)
        # 6. the plan's monthly quota: refuse before storing when it is used up (reserved below)
        if existing is None:
            _require_quota(session, principal, settings)
    if existing is not None:
        raise FileRejected(
            f"This file is identical to “{existing}” already in this batch; it was skipped.", code="duplicate"
        )

    image_id = uuid.uuid4()
    key = original_key(principal.organization_id, batch_id, image_id, extension_for_mime(info.mime_type))
    if received.source_key:  # presigned upload: the bytes are already in storage
        deps.storage.copy(received.source_key, key)
    else:
        received.spool.seek(0)
        deps.storage.put(key, received.spool, content_type=info.mime_type, crc32=received.crc32)
    try:
        with transaction(deps.sessions, tenant=principal.organization_id) as session:
            batch = batch_repository.get_owned(session, principal, batch_id, for_update=True)
            if batch is None:
                raise NotFound("No such batch.", code="batch_not_found")
            batch_service.require_open_for_upload(batch)
            # Counted in the transaction that records the image: both commit, or neither.
            period = quota.reserve(session, principal.organization_id, 1, settings=settings)
            session.add(
                Image(
                    id=image_id,
                    batch_id=batch_id,
                    owner_id=principal.user_id,
                    organization_id=principal.organization_id,
                    original_name=name,
                    storage_key=key,
                    file_size=received.size,
                    mime_type=info.mime_type,
                    checksum=checksum,
                    crc32=received.crc32,
                    width=info.width,
                    height=info.height,
                    status=ImageStatus.PENDING,
                    quota_period=period,
                )
            )
            batch_repository.add_images(session, batch, 1)
            session.flush()
            events.emit(
                session, batch, events.ImageUploaded(image_id=image_id, filename=name, mime_type=info.mime_type)
            )
            # Sent after commit; the row stays PENDING until then, so a crash in between
            # leaves an outbox entry that the periodic sweep re-sends.
            queue = registry.queue_for(deps.settings, batch.providers)
            job = ProcessImage(image_id=image_id, organization_id=principal.organization_id)
            after_commit(session, lambda: send(TaskName.PROCESS_IMAGE, job, queue=queue))
    except IntegrityError as exc:
        deps.storage.delete(key)
        raise FileRejected(
            "This file is identical to one already in this batch; it was skipped.", code="duplicate"
        ) from exc
    except QuotaExceeded as exc:  # the last of the quota went to a concurrent upload
        deps.storage.delete(key)
        raise FileRejected(exc.detail, code=exc.code) from exc
    except BaseException:
        deps.storage.delete(key)
        raise
    seen[checksum] = name
    return image_id, info
