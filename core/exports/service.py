"""Building a batch's ZIP: renamed originals plus manifest.csv, streamed to S3.

Memory stays flat however large the batch: each original streams from S3 into the ZIP
stream (stored without re-compression when already compressed, using the size and
CRC-32 recorded at upload so nothing is buffered) and the ZIP streams to S3 as a
multipart upload. Each build records the content version it was made from; a build
that finishes after a newer edit leaves the newer one to be built.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from stat import S_IFREG

from sqlalchemy.orm import Session, sessionmaker
from stream_zip import NO_COMPRESSION_64, ZIP_64, MemberFile, stream_zip

from core import events
from core.batches import repository as batch_repository
from core.batches import service as batch_service
from core.batches.models import FINISHED, Batch
from core.db import transaction
from core.images import repository as image_repository
from core.images.models import ImageStatus
from core.storage import ObjectStorage, export_key

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("original_name", "new_name", "alt_text", "status", "reason")
# Formats that are already compressed gain nothing from deflate: store them as they are.
STORED_MIME_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif"}
)
FILE_MODE = S_IFREG | 0o644


class Outcome(StrEnum):
    BUILT = "built"
    CURRENT = "current"  # the ZIP for this content version already exists
    NOT_FINISHED = "not_finished"
    EMPTY = "empty"


@dataclass(frozen=True)
class Entry:
    original_name: str
    final_name: str | None
    alt_text: str | None
    status: str
    reason: str | None
    storage_key: str
    mime_type: str
    size: int
    crc32: int
    modified_at: datetime


def _safe_cell(value: str | None) -> str:
    """Spreadsheets execute cells that start with = + - @; marketers open this file in one."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def manifest_rows(entries: list[Entry]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MANIFEST_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()  # BOM so Excel reads UTF-8 names correctly
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                _safe_cell(v)
                for v in (entry.original_name, entry.final_name, entry.alt_text, entry.status.lower(), entry.reason)
            ]
        )
        yield buffer.getvalue().encode()


def _members(entries: list[Entry], storage: ObjectStorage, built_at: datetime) -> Iterator[MemberFile]:
    for entry in entries:
        if entry.status != ImageStatus.NAMED or not entry.final_name:
            continue
        method = NO_COMPRESSION_64(entry.size, entry.crc32) if entry.mime_type in STORED_MIME_TYPES else ZIP_64
        yield entry.final_name, entry.modified_at, FILE_MODE, method, storage.iter_object(entry.storage_key)
    yield MANIFEST_NAME, built_at, FILE_MODE, ZIP_64, manifest_rows(entries)


def snapshot(session: Session, batch: Batch) -> list[Entry]:
    return [
        Entry(
            original_name=image.original_name,
            final_name=image.final_name,
            alt_text=image.alt_text,
            status=image.status.value,
            reason=image.failure_reason,
            storage_key=image.storage_key,
            mime_type=image.mime_type,
            size=image.file_size,
            crc32=image.crc32,
            modified_at=image.processed_at or image.created_at,
        )
        for image in image_repository.iter_for_export(session, batch.id)
    ]


def build_zip(batch_id: uuid.UUID, *, sessions: sessionmaker[Session], storage: ObjectStorage) -> Outcome:
    with transaction(sessions) as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.status not in FINISHED:
            return Outcome.NOT_FINISHED
        version = batch.content_version
        if batch.zip_version == version:
            return Outcome.CURRENT
        owner_id, previous_key = batch.owner_id, batch.zip_key
        entries = snapshot(session, batch)
    if not entries:
        return Outcome.EMPTY

    key = export_key(owner_id, batch_id, version, uuid.uuid4().hex[:12])
    size = storage.upload_chunks(
        key, stream_zip(_members(entries, storage, datetime.now(UTC))), content_type="application/zip"
    )
    with transaction(sessions) as session:
        batch = batch_repository.lock(session, batch_id)
        if batch is None:  # deleted while we were building
            storage.delete(key)
            return Outcome.NOT_FINISHED
        recorded = batch_repository.mark_zip_built(session, batch_id, version=version, key=key, size=size)
        session.refresh(batch)
        if recorded and batch_service.is_download_ready(batch):
            events.emit(session, batch, events.BatchCompleted(status=batch.status.value, download_ready=True))
        # Edited while we were building: the newer version gets its own build.
        batch_service.request_zip(session, batch)
    # Only ever delete what this build wrote, or the key its own recording replaced.
    if not recorded:
        storage.delete(key)
    elif previous_key:
        storage.delete(previous_key)
    return Outcome.BUILT
