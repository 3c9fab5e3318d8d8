from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import PrincipalDep, ReadSessionDep, SessionDep, SettingsDep, StorageDep, UploadDepsDep
from api.errors import envelope
from api.multipart import receive_files
from api.ratelimit import ApiBudget, UploadLimit
from api.routes.billing import DeclaredUploadFits
from core.batches import service
from core.batches.schemas import (
    BatchCreate,
    BatchPage,
    BatchPublic,
    BatchUpdate,
    CompleteRequest,
    DownloadLink,
    KeywordSuggestionRequest,
    KeywordSuggestionResponse,
    PresignRequest,
    PresignResponse,
    UploadResults,
)
from core.db import get_sessionmaker
from core.exports.service import manifest_rows
from core.exports.service import snapshot as export_snapshot
from core.images import flows, presigned
from core.images import service as images
from core.images.models import ImageStatus
from core.images.schemas import ImagePage
from core.redis import get_redis
from core.retention import service as retention

router = APIRouter(prefix="/batches", tags=["batches"], dependencies=[ApiBudget])
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=200)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_batch(body: BatchCreate, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> BatchPublic:
    return service.to_public(service.create(session, principal, request=body, settings=settings))


@router.get("")
def list_batches(
    principal: PrincipalDep, session: ReadSessionDep, page: Page = 1, page_size: PageSize = 20
) -> BatchPage:
    return service.list_page(session, principal, page=page, page_size=page_size)


@router.get("/{batch_id}")
def get_batch(batch_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> BatchPublic:
    return service.to_public(service.get(session, principal, batch_id))


@router.patch("/{batch_id}")
def update_batch(
    batch_id: uuid.UUID, body: BatchUpdate, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> BatchPublic:
    """Rename the batch or change its options. Naming options are fixed once uploads close;
    delivery options (metadata, GPS) can change at any time and rebuild the ZIP."""
    return service.to_public(service.update(session, principal, batch_id, change=body, settings=settings))


@router.delete("/{batch_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_batch(batch_id: uuid.UUID, principal: PrincipalDep, settings: SettingsDep, storage: StorageDep) -> Response:
    """Delete the batch, its images and every stored file of it (originals, thumbnails, ZIPs,
    unfinished uploads) at once. A batch still being renamed is cancelled."""
    retention.delete_batch(principal, batch_id, sessions=get_sessionmaker(), storage=storage, settings=settings)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{batch_id}/keyword-suggestions")
def keyword_suggestions(
    batch_id: uuid.UUID,
    body: KeywordSuggestionRequest,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> KeywordSuggestionResponse:
    """Related keywords, ranked: from the batch's text-capable provider when it has one, and
    from what the batch's analysed images show."""
    return service.keyword_suggestions(session, principal, batch_id, request=body, settings=settings)


@router.post("/{batch_id}/start")
def start_batch(batch_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> BatchPublic:
    """Close uploads: the batch completes when its last image is named, then the ZIP is built."""
    return service.to_public(service.start(session, principal, batch_id))


def _upload_response(results: UploadResults) -> UploadResults | JSONResponse:
    if results.accepted or not results.results:
        return results
    codes = {r.code for r in results.results}
    if len(results.results) == 1:
        detail = results.results[0].detail or "The file was refused."
    else:
        detail = "None of the files were accepted; see each file's reason."
    return envelope(
        422,
        "FileRejected",
        codes.pop() if len(codes) == 1 else "all_files_rejected",
        detail,
        accepted=0,
        rejected=results.rejected,
        results=[r.model_dump(mode="json") for r in results.results],
    )


@router.post(
    "/{batch_id}/images",
    response_model=UploadResults,
    responses={
        402: {"description": "X-Upload-Count declares more files than the plan has left this month."},
        422: {"description": "Every file was refused; each result says why."},
    },
    dependencies=[UploadLimit, DeclaredUploadFits],
)
async def upload_images(
    batch_id: uuid.UUID,
    request: Request,
    principal: PrincipalDep,
    deps: UploadDepsDep,
    settings: SettingsDep,
    session: SessionDep,
) -> UploadResults | JSONResponse:
    """Upload images as multipart/form-data (one part per file, field name `files`).

    Each file gets a result: accepted (with its image id) or rejected with a code and
    a reason. Duplicates are skipped; files past the plan's monthly images are rejected with
    `quota_exceeded` and not stored. The response is 422 only when every file was refused."""
    # The flow opens short transactions of its own; holding the caller's check open through a
    # long upload would take a second pooled connection per request (50 parallel uploads
    # exhausted the pool of 30 and stalled into 500s).
    await run_in_threadpool(session.commit)
    files = await receive_files(
        request, max_file_bytes=settings.max_file_bytes, max_files=settings.max_files_per_request
    )
    try:
        results = await run_in_threadpool(flows.accept_files, principal, batch_id, files, deps)
    finally:
        for received in files:
            received.close()
    return _upload_response(results)


@router.post("/{batch_id}/uploads", dependencies=[UploadLimit])
def presign_uploads(
    batch_id: uuid.UUID, body: PresignRequest, principal: PrincipalDep, deps: UploadDepsDep
) -> PresignResponse:
    """Presigned direct-to-storage uploads for large batches; then call `uploads/complete`."""
    return presigned.presign(principal, batch_id, body.files, deps, get_redis())


@router.post("/{batch_id}/uploads/complete", response_model=UploadResults, dependencies=[UploadLimit])
def complete_uploads(
    batch_id: uuid.UUID, body: CompleteRequest, principal: PrincipalDep, deps: UploadDepsDep, session: SessionDep
) -> UploadResults | JSONResponse:
    """Check the directly uploaded files exactly as multipart uploads are checked."""
    session.commit()  # as in upload_images: no connection held through the checks
    return _upload_response(presigned.complete(principal, batch_id, body.upload_ids, deps, get_redis()))


@router.get("/{batch_id}/images")
def list_images(
    batch_id: uuid.UUID,
    principal: PrincipalDep,
    session: ReadSessionDep,
    storage: StorageDep,
    status: ImageStatus | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> ImagePage:
    return images.list_page(
        session, principal, batch_id, status=status, page=page, page_size=page_size, storage=storage
    )


@router.get("/{batch_id}/download")
def download(batch_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, storage: StorageDep) -> DownloadLink:
    """A short-lived link to the ZIP of renamed images (409 while it is being built; 410 once
    the retention policy has deleted the files)."""
    return service.download_link(session, principal, batch_id, storage=storage)


@router.get("/{batch_id}/manifest.csv", response_class=StreamingResponse)
def manifest(batch_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> StreamingResponse:
    batch = service.get(session, principal, batch_id)
    entries = export_snapshot(session, batch)
    return StreamingResponse(
        manifest_rows(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="manifest.csv"'},
    )
