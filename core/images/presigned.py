"""Direct-to-S3 uploads for large batches: presigned POST, then a "complete" call that
puts every file through exactly the same checks as a multipart upload.

An upload intent lives in Redis until completed; the periodic sweep deletes the staged
objects of intents that expired without a "complete".
"""

from __future__ import annotations

import json
import time
import uuid

import redis

from core.accounts.schemas import Principal
from core.batches import service as batch_service
from core.batches.schemas import FileResult, PresignedUpload, PresignRequestFile, PresignResponse, UploadResults
from core.billing import quota
from core.db import transaction
from core.errors import FileRejected, NotFound
from core.images.flows import Dependencies, accept_files
from core.images.ingest import ReceivedFile
from core.images.validation import sanitize_filename
from core.storage import incoming_key

INTENT_KEY = "renamer:upload:{upload_id}"
EXPIRY_INDEX = "renamer:uploads:expiry"
GRACE_SECONDS = 3600


def presign(
    principal: Principal, batch_id: uuid.UUID, files: list[PresignRequestFile], deps: Dependencies, cache: redis.Redis
) -> PresignResponse:
    settings = deps.settings
    with transaction(deps.sessions, tenant=principal.organization_id) as session:
        batch = batch_service.get(session, principal, batch_id)
        batch_service.require_open_for_upload(batch)
        room = settings.max_files_per_batch - batch.total_images
        # A drop larger than what the plan has left this month is refused whole, up front (402).
        storable = sum(1 for requested in files if requested.size <= settings.max_file_bytes)
        quota.require_room(session, principal.organization_id, min(storable, max(room, 0)), settings=settings)
    uploads: list[PresignedUpload] = []
    for requested in files:
        name = sanitize_filename(requested.name)
        if requested.size > settings.max_file_bytes:
            limit = settings.max_file_bytes // 1_000_000
            uploads.append(
                PresignedUpload(
                    filename=name,
                    code="too_large",
                    detail=f"This file is {requested.size / 1_000_000:.0f} MB; the limit is {limit} MB per file.",
                )
            )
            continue
        if room <= 0:
            uploads.append(
                PresignedUpload(
                    filename=name,
                    code="too_many_files",
                    detail=(
                        f"A batch holds at most {settings.max_files_per_batch} files; start a new batch for the rest."
                    ),
                )
            )
            continue
        room -= 1
        upload_id = uuid.uuid4()
        key = incoming_key(principal.organization_id, batch_id, upload_id)
        post = deps.storage.presign_post(key, max_bytes=settings.max_file_bytes)
        intent = {
            "owner_id": str(principal.user_id),
            "organization_id": str(principal.organization_id),
            "batch_id": str(batch_id),
            "filename": name,
            "key": key,
        }
        ttl = deps.storage.ttl + GRACE_SECONDS
        pipe = cache.pipeline()
        pipe.set(INTENT_KEY.format(upload_id=upload_id), json.dumps(intent), ex=ttl)
        pipe.zadd(EXPIRY_INDEX, {key: time.time() + ttl})
        pipe.execute()
        uploads.append(
            PresignedUpload(
                filename=name, upload_id=upload_id, url=post["url"], fields=post["fields"], expires_in=deps.storage.ttl
            )
        )
    return PresignResponse(uploads=uploads)


def complete(
    principal: Principal, batch_id: uuid.UUID, upload_ids: list[uuid.UUID], deps: Dependencies, cache: redis.Redis
) -> UploadResults:
    unknown: list[FileResult] = []
    received: list[ReceivedFile] = []
    staged: list[str] = []
    for upload_id in dict.fromkeys(upload_ids):
        raw = cache.get(INTENT_KEY.format(upload_id=upload_id))
        intent = json.loads(raw) if raw else None
        if (
            not intent
            or intent["owner_id"] != str(principal.user_id)
            or intent.get("organization_id") != str(principal.organization_id)
            or intent["batch_id"] != str(batch_id)
        ):
            unknown.append(
                FileResult(
                    filename=str(upload_id),
                    status="rejected",
                    code="unknown_upload",
                    detail="No pending upload with this id in this batch; request a new upload URL.",
                )
            )
            continue
        staged.append(intent["key"])
        received.append(_fetch(intent, deps))
    try:
        results = accept_files(principal, batch_id, received, deps)
    finally:
        for file in received:
            file.close()
        deps.storage.delete(*staged)
        for upload_id in upload_ids:
            cache.delete(INTENT_KEY.format(upload_id=upload_id))
        if staged:
            cache.zrem(EXPIRY_INDEX, *staged)
    results.results = unknown + results.results
    results.rejected += len(unknown)
    return results


def _fetch(intent: dict[str, str], deps: Dependencies) -> ReceivedFile:
    """Stream the staged object into a bounded spool, hashing on the way (as multipart does)."""
    file = ReceivedFile(filename=intent["filename"], max_bytes=deps.settings.max_file_bytes, source_key=intent["key"])
    try:
        for chunk in deps.storage.iter_object(intent["key"]):
            file.write(chunk)
    except NotFound:
        file.rejection = FileRejected(
            "The file never reached storage (the upload did not finish); upload it again.", code="upload_missing"
        )
    file.finish()
    return file


def expired_staging_keys(cache: redis.Redis, *, limit: int = 500) -> list[str]:
    keys = cache.zrangebyscore(EXPIRY_INDEX, 0, time.time(), start=0, num=limit)
    return [k.decode() if isinstance(k, bytes) else str(k) for k in keys]


def forget_staging_keys(cache: redis.Redis, keys: list[str]) -> None:
    if keys:
        cache.zrem(EXPIRY_INDEX, *keys)
