"""Batch rules: creation, closing uploads, completion, download. Services never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core import events
from core.accounts.schemas import Principal
from core.batches import repository
from core.batches.models import FINISHED, OPEN_FOR_UPLOAD, Batch, BatchStatus
from core.batches.schemas import (
    BatchCreate,
    BatchPage,
    BatchPublic,
    BatchUpdate,
    DownloadLink,
    KeywordSuggestionPublic,
    KeywordSuggestionRequest,
    KeywordSuggestionResponse,
)
from core.config import Settings, get_settings
from core.errors import Conflict, Gone, NotFound, ProviderError, ValidationFailed
from core.images import repository as image_repository
from core.naming.keywords import suggest_keywords
from core.naming.service import NamingOptions
from core.naming.words import slug_words
from core.queue import BuildZip, TaskName, enqueue
from core.storage import ObjectStorage
from core.vision import registry
from core.vision.base import Analysis, KeywordSuggester

# Options that decide names: fixed once uploads close (names already made would not follow).
NAMING_FIELDS = (
    "keywords", "language", "max_name_length", "providers", "brand", "name_template", "case_style",
    "keep_pattern", "unicode_names", "allow_unsafe_names",
)  # fmt: skip
# Fields that always have a value: null is refused rather than stored.
CLEARABLE_ONLY_BY_VALUE = (
    "name", "keywords", "language", "max_name_length", "case_style", "unicode_names", "allow_unsafe_names",
    "write_metadata", "strip_gps",
)  # fmt: skip
# Options that only change the delivered ZIP: editable at any time, the ZIP is rebuilt.
DELIVERY_FIELDS = ("write_metadata", "strip_gps")


def to_public(batch: Batch) -> BatchPublic:
    return BatchPublic(
        id=batch.id,
        name=batch.name,
        status=batch.status,
        keywords=list(batch.keywords),
        language=batch.language,
        max_name_length=batch.max_name_length,
        providers=list(batch.providers) if batch.providers else None,
        brand=batch.brand,
        name_template=batch.name_template,
        case_style=batch.case_style,  # validated on the way in
        keep_pattern=batch.keep_pattern,
        unicode_names=batch.unicode_names,
        allow_unsafe_names=batch.allow_unsafe_names,
        write_metadata=batch.write_metadata,
        strip_gps=batch.strip_gps,
        cost_usd=batch.cost_usd,
        files_deleted_at=batch.purged_at,
        total_images=batch.total_images,
        processed_images=batch.processed_images,
        failed_images=batch.failed_images,
        download_ready=is_download_ready(batch),
        created_at=batch.created_at,
        completed_at=batch.completed_at,
    )


def is_download_ready(batch: Batch) -> bool:
    return batch.status in FINISHED and batch.zip_key is not None and batch.zip_version == batch.content_version


def check_providers(providers: list[str] | None, settings: Settings) -> list[str] | None:
    """A batch's own provider chain, refused when it names one this deployment cannot use."""
    if not providers:
        return None
    available = registry.available_providers(settings)
    for name in providers:
        if name not in available:
            raise ValidationFailed(
                f"The vision provider “{name}” is not available here; choose from: {', '.join(available)}.",
                code="provider_not_available",
            )
    return providers


def create(session: Session, principal: Principal, *, request: BatchCreate, settings: Settings) -> Batch:
    batch = Batch(
        owner_id=principal.user_id,
        organization_id=principal.organization_id,
        name=request.name.strip(),
        keywords=request.keywords,
        language=request.language,
        max_name_length=request.max_name_length,
        providers=check_providers(request.providers, settings),
        brand=request.brand,
        name_template=request.name_template,
        case_style=request.case_style,
        keep_pattern=request.keep_pattern,
        unicode_names=request.unicode_names,
        allow_unsafe_names=request.allow_unsafe_names,
        write_metadata=request.write_metadata,
        strip_gps=request.strip_gps,
    )
    session.add(batch)
    session.flush()
    return batch


def update(
    session: Session, principal: Principal, batch_id: uuid.UUID, *, change: BatchUpdate, settings: Settings
) -> Batch:
    """Change a batch's name and options. Naming options are fixed once uploads close."""
    batch = get(session, principal, batch_id, for_update=True)
    changed = change.model_dump(exclude_unset=True)
    cleared = [field for field in CLEARABLE_ONLY_BY_VALUE if field in changed and changed[field] is None]
    if cleared:
        raise ValidationFailed(
            f"{', '.join(cleared)} cannot be null; send a value, or leave the field out to keep it.",
            code="invalid_options",
        )
    naming = [field for field in NAMING_FIELDS if field in changed and changed[field] != getattr(batch, field)]
    if naming and batch.status not in OPEN_FOR_UPLOAD:
        raise Conflict(
            f"Naming options ({', '.join(naming)}) cannot change once renaming has started; create a new batch, "
            "or regenerate single images after editing their names.",
            code="batch_started",
        )
    if "providers" in changed:
        changed["providers"] = check_providers(changed["providers"], settings)
    if "name" in changed:
        changed["name"] = (changed["name"] or "").strip()
    delivery_changed = any(field in changed and changed[field] != getattr(batch, field) for field in DELIVERY_FIELDS)
    for field, value in changed.items():
        setattr(batch, field, value)
    if delivery_changed:
        content_changed(session, batch)  # the ZIP carries the metadata: rebuild it
    session.flush()
    return batch


def get(session: Session, principal: Principal, batch_id: uuid.UUID, *, for_update: bool = False) -> Batch:
    batch = repository.get_owned(session, principal, batch_id, for_update=for_update)
    if batch is None:
        raise NotFound("No such batch.", code="batch_not_found")
    return batch


def list_page(session: Session, principal: Principal, *, page: int, page_size: int) -> BatchPage:
    rows, total = repository.list_owned(session, principal, offset=(page - 1) * page_size, limit=page_size)
    return BatchPage(items=[to_public(b) for b in rows], total=total, page=page, page_size=page_size)


def require_open_for_upload(batch: Batch) -> None:
    if batch.status not in OPEN_FOR_UPLOAD:
        raise Conflict(
            "This batch no longer accepts files because renaming has started; create a new batch to add more.",
            code="batch_closed",
        )


def start(session: Session, principal: Principal, batch_id: uuid.UUID) -> Batch:
    """Close uploads: from here the batch completes when its last image is done."""
    batch = get(session, principal, batch_id, for_update=True)
    if batch.status not in OPEN_FOR_UPLOAD:
        return batch  # already started: starting twice is harmless
    if batch.total_images == 0:
        raise Conflict("Upload at least one image before starting.", code="batch_empty")
    batch.status = BatchStatus.PROCESSING
    events.emit(session, batch, events.BatchProcessingStarted())
    settle(session, batch)
    return batch


def settle(session: Session, batch: Batch) -> None:
    """Complete the batch when uploads are closed and every image is done. Call with the row locked."""
    if batch.status != BatchStatus.PROCESSING:
        return
    if batch.processed_images + batch.failed_images < batch.total_images:
        return
    if batch.failed_images == 0:
        batch.status = BatchStatus.COMPLETED
    elif batch.processed_images > 0:
        batch.status = BatchStatus.PARTIAL
    else:
        batch.status = BatchStatus.FAILED
    batch.completed_at = datetime.now(UTC)
    events.emit(session, batch, events.BatchCompleted(status=batch.status.value, download_ready=False))
    request_zip(session, batch)


def request_zip(session: Session, batch: Batch) -> None:
    if batch.purged_at is not None:
        return  # the originals are gone: there is nothing to build a ZIP from
    if batch.status in FINISHED and batch.zip_version != batch.content_version:
        enqueue(session, TaskName.BUILD_ZIP, BuildZip(batch_id=batch.id, organization_id=batch.organization_id))


def content_changed(session: Session, batch: Batch) -> None:
    """A name or alt text changed: the ZIP must be rebuilt (now, if the batch is finished)."""
    if batch.purged_at is not None:
        return  # no ZIP any more; the edit shows in the batch and its manifest
    batch.content_version += 1
    request_zip(session, batch)


def download_link(
    session: Session, principal: Principal, batch_id: uuid.UUID, *, storage: ObjectStorage
) -> DownloadLink:
    batch = get(session, principal, batch_id)
    if batch.purged_at is not None:
        raise Gone(
            f"The files of this batch were deleted on {batch.purged_at:%Y-%m-%d}: originals and ZIPs are kept "
            f"{get_settings().retention_days} days after a batch finishes. Its names, alt text and manifest.csv are "
            "still here; to get a ZIP again, upload the originals to a new batch.",
            code="files_deleted",
        )
    if batch.status not in FINISHED:
        raise Conflict(
            f"The batch is still being processed ({batch.processed_images + batch.failed_images} of "
            f"{batch.total_images} done); the ZIP is ready when it completes.",
            code="batch_not_finished",
        )
    if not is_download_ready(batch) or batch.zip_key is None:
        raise Conflict(
            "The ZIP is being built with your latest changes; try again in a few seconds.", code="zip_not_ready"
        )
    filename = download_filename(batch)
    return DownloadLink(
        url=storage.presign_get(batch.zip_key, download_name=filename),
        expires_in=storage.ttl,
        size=batch.zip_size,
        filename=filename,
    )


def download_filename(batch: Batch) -> str:
    words = slug_words(batch.name, batch.language) if batch.name else []
    return ("-".join(words)[:60].strip("-") or "renamed-images") + ".zip"


def keyword_suggestions(
    session: Session,
    principal: Principal,
    batch_id: uuid.UUID,
    *,
    request: KeywordSuggestionRequest,
    settings: Settings,
) -> KeywordSuggestionResponse:
    """Related keywords: from the batch's text-capable provider when it has one (OpenAI or
    an OpenAI-compatible server), and always from what the batch's analyses found."""
    batch = get(session, principal, batch_id)
    keywords = request.keywords or list(batch.keywords)
    found = [Analysis.model_validate(raw) for raw in image_repository.analyses(session, batch.id, limit=500)]
    suggester, note = _suggester(registry.chain_for(settings, batch.providers), settings)
    try:
        suggestions = suggest_keywords(
            keywords,
            audience=request.audience,
            language=batch.language,
            limit=request.limit,
            analyses=found,
            suggester=suggester,
        )
    except ProviderError as exc:
        # The provider is down: what the batch's own pictures say is still worth offering.
        note = f"{exc.provider} could not be asked ({exc.code}); suggestions come from this batch's images."
        suggestions = suggest_keywords(
            keywords, audience=request.audience, language=batch.language, limit=request.limit, analyses=found
        )
    return KeywordSuggestionResponse(
        keywords=keywords, suggestions=[KeywordSuggestionPublic.model_validate(s) for s in suggestions], note=note
    )


def _suggester(chain: list[str], settings: Settings) -> tuple[KeywordSuggester | None, str | None]:
    for name in chain:
        if name in registry.REMOTE_PROVIDERS and registry.is_configured(settings, name):
            provider = registry.get_provider(name)
            if isinstance(provider, KeywordSuggester):
                return provider, None
    return None, None


def naming_options(batch: Batch, *, descriptive: bool = True) -> NamingOptions:
    """The batch's naming choices as the naming engine takes them."""
    return NamingOptions(
        language=batch.language,
        max_length=batch.max_name_length,
        case_style=batch.case_style,  # type: ignore[arg-type]  # validated when the batch was saved
        template=batch.name_template,
        keep_pattern=batch.keep_pattern,
        unicode=batch.unicode_names,
        brand=batch.brand,
        descriptive=descriptive,
    )


def delete(session: Session, principal: Principal, batch_id: uuid.UUID) -> Batch:
    """Delete the batch and its images (the database cascades). The caller schedules the
    storage objects for deletion in the same transaction (core.retention.service)."""
    batch = get(session, principal, batch_id, for_update=True)
    session.delete(batch)
    session.flush()
    return batch
