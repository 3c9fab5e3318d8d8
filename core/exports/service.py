"""Building a batch's ZIP: renamed originals plus manifest.csv, streamed to S3.

Memory stays flat however large the batch: each original streams from S3 into the ZIP
stream (stored without re-compression when already compressed, using the size and
CRC-32 recorded at upload so nothing is buffered) and the ZIP streams to S3 as a
multipart upload. Each build records the content version it was made from; a build
that finishes after a newer edit leaves the newer one to be built.

When the batch asks for metadata (alt text and keywords written into the files) or for GPS
positions to be removed, each named file is downloaded whole, rewritten in memory
(core.exports.metadata) and stored with the size and CRC-32 of the new bytes: one file
(at most 50 MB, plus exiv2's working copies) is held at a time.
"""

from __future__ import annotations

import csv
import io
import uuid
import zlib
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
from core.exports.metadata import rewrite_metadata
from core.images import repository as image_repository
from core.images.models import Image, ImageStatus
from core.naming.words import tokenize
from core.storage import ObjectStorage, export_key

MANIFEST_NAME = "manifest.csv"
# New columns go at the end: people's spreadsheets and scripts read the first five by position.
MANIFEST_COLUMNS = (
    "original_name", "new_name", "alt_text", "status", "reason", "unsafe", "near_duplicate_of", "provider", "metadata",
)  # fmt: skip
# Formats that are already compressed gain nothing from deflate: store them as they are.
STORED_MIME_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif"}
)
FILE_MODE = S_IFREG | 0o644
REWRITTEN_CHUNK_SIZE = 1024 * 1024
METADATA_WRITTEN = "written"


class Outcome(StrEnum):
    BUILT = "built"
    CURRENT = "current"  # the ZIP for this content version already exists
    NOT_FINISHED = "not_finished"
    EMPTY = "empty"


@dataclass(frozen=True)
class Entry:
    image_id: uuid.UUID
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
    unsafe: bool = False
    near_duplicate_of: str | None = None  # the name of the earlier image it nearly duplicates
    provider: str | None = None


@dataclass(frozen=True)
class MetadataOptions:
    """What the batch asks to be written into its files."""

    write: bool
    strip_gps: bool
    keywords: tuple[str, ...]

    @property
    def rewrite(self) -> bool:
        return self.write or self.strip_gps

    @classmethod
    def of(cls, batch: Batch) -> MetadataOptions:
        keywords = [*batch.keywords, *([batch.brand] if batch.brand else [])]
        return cls(write=batch.write_metadata, strip_gps=batch.strip_gps, keywords=tuple(keywords))


def _safe_cell(value: str | None) -> str:
    """Spreadsheets execute cells that start with = + - @; marketers open this file in one."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def manifest_rows(entries: list[Entry], metadata: dict[uuid.UUID, str] | None = None) -> Iterator[bytes]:
    """The manifest, one encoded row at a time. `metadata` is read lazily, row by row: the ZIP
    writes the manifest last, after every member has recorded what happened to its metadata."""
    outcomes = metadata if metadata is not None else {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MANIFEST_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()  # BOM so Excel reads UTF-8 names correctly
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        cells = (
            entry.original_name,
            entry.final_name,
            entry.alt_text,
            entry.status.lower(),
            entry.reason,
            "yes" if entry.unsafe else "",
            entry.near_duplicate_of,
            entry.provider,
            outcomes.get(entry.image_id, ""),
        )
        writer.writerow([_safe_cell(v) for v in cells])
        yield buffer.getvalue().encode()


def title_from_name(final_name: str) -> str:
    """The file name's words ("blue-ceramic-mug-2.jpg" -> "blue ceramic mug 2"): a short title
    that matches the name, next to the alt text as the longer description."""
    stem = final_name.rsplit(".", 1)[0]
    return " ".join(token.display for token in tokenize(stem, split_camel=True, unicode=True)) or stem


def _chunks(data: bytes) -> Iterator[bytes]:
    # Bounded pieces: the multipart reader re-slices its buffer, which is cheap for 1 MB, not for 50 MB.
    for start in range(0, len(data), REWRITTEN_CHUNK_SIZE):
        yield data[start : start + REWRITTEN_CHUNK_SIZE]


def _download(storage: ObjectStorage, key: str) -> bytes:
    body = storage.open(key)
    try:
        data: bytes = body.read()
    finally:
        body.close()
    return data


def _rewritten_member(
    entry: Entry, final_name: str, options: MetadataOptions, storage: ObjectStorage, outcomes: dict[uuid.UUID, str]
) -> MemberFile:
    result = rewrite_metadata(
        _download(storage, entry.storage_key),
        entry.mime_type,
        title=title_from_name(final_name) if options.write else None,
        description=entry.alt_text if options.write else None,
        keywords=list(options.keywords) if options.write else [],
        strip_gps=options.strip_gps,
    )
    outcomes[entry.image_id] = METADATA_WRITTEN if result.written else f"not written: {result.reason}"
    data = result.data
    method = NO_COMPRESSION_64(len(data), zlib.crc32(data)) if entry.mime_type in STORED_MIME_TYPES else ZIP_64
    return final_name, entry.modified_at, FILE_MODE, method, _chunks(data)


def _members(
    entries: list[Entry], storage: ObjectStorage, built_at: datetime, options: MetadataOptions
) -> Iterator[MemberFile]:
    outcomes: dict[uuid.UUID, str] = {}
    for entry in entries:
        if entry.status != ImageStatus.NAMED or not entry.final_name:
            continue
        if options.rewrite:
            # The only reference to the rewritten bytes is the chunk generator, which stream_zip
            # drains and drops before asking for the next member: one file in memory at a time.
            yield _rewritten_member(entry, entry.final_name, options, storage, outcomes)
            continue
        method = NO_COMPRESSION_64(entry.size, entry.crc32) if entry.mime_type in STORED_MIME_TYPES else ZIP_64
        yield entry.final_name, entry.modified_at, FILE_MODE, method, storage.iter_object(entry.storage_key)
    yield MANIFEST_NAME, built_at, FILE_MODE, ZIP_64, manifest_rows(entries, outcomes)


def snapshot(session: Session, batch: Batch) -> list[Entry]:
    images = image_repository.iter_for_export(session, batch.id)
    # A near-duplicate points at an earlier image of the same batch; name it as the ZIP does.
    names = {image.id: image.final_name or image.original_name for image in images}
    return [_entry(image, names) for image in images]


def _entry(image: Image, names: dict[uuid.UUID, str]) -> Entry:
    return Entry(
        image_id=image.id,
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
        unsafe=image.unsafe,
        near_duplicate_of=names.get(image.near_duplicate_of) if image.near_duplicate_of else None,
        provider=image.provider,
    )


def build_zip(batch_id: uuid.UUID, *, sessions: sessionmaker[Session], storage: ObjectStorage) -> Outcome:
    with transaction(sessions) as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.status not in FINISHED or batch.purged_at is not None:
            return Outcome.NOT_FINISHED
        version = batch.content_version
        if batch.zip_version == version:
            return Outcome.CURRENT
        organization_id, previous_key = batch.organization_id, batch.zip_key
        entries = snapshot(session, batch)
        options = MetadataOptions.of(batch)
    if not entries:
        return Outcome.EMPTY

    key = export_key(organization_id, batch_id, version, uuid.uuid4().hex[:12])
    size = storage.upload_chunks(
        key, stream_zip(_members(entries, storage, datetime.now(UTC), options)), content_type="application/zip"
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
