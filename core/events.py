"""Realtime events: what happened to a batch, pushed to browsers over Socket.IO.

Every event is recorded with the state change it describes: `emit` bumps the batch's
`event_seq` inside the caller's transaction (the batch row is locked there) and sends
the event only after that transaction commits; a rollback drops it. Clients get events
in per-batch sequence order; one that reconnects or sees a gap re-reads the batch from
the REST API. Delivery is at-least-once from the client's point of view (a resync may
repeat what an event said), so client handlers are idempotent.

Sending goes through python-socketio's write-only Redis manager, the documented way to
emit from processes that are not Socket.IO servers: the realtime service subscribes to
the same Redis channel and fans the message out to its connected clients. This module
is one of the two places in core that talk to a framework (socketio here), as core.queue is for Celery.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.config import get_settings
from core.db import after_commit

log = logging.getLogger(__name__)


class EventType(StrEnum):
    IMAGE_UPLOADED = "IMAGE_UPLOADED"
    BATCH_PROCESSING_STARTED = "BATCH_PROCESSING_STARTED"
    IMAGE_PROCESSED = "IMAGE_PROCESSED"
    PROCESSING_ERROR = "PROCESSING_ERROR"
    BATCH_COMPLETED = "BATCH_COMPLETED"


class Counts(BaseModel):
    total: int
    processed: int
    failed: int


class ImageUploaded(BaseModel):
    image_id: uuid.UUID
    filename: str
    mime_type: str


class BatchProcessingStarted(BaseModel):
    pass


class ImageProcessed(BaseModel):
    image_id: uuid.UUID
    proposed_name: str
    final_name: str
    alt_text: str
    thumbnail_url: str | None = None
    provider: str | None = None  # the vision provider that analysed it
    unsafe: bool = False  # flagged (SafeSearch, NudeNet, content warning): a neutral name
    near_duplicate_of: uuid.UUID | None = None  # an earlier image of the batch that looks the same


class ProcessingError(BaseModel):
    image_id: uuid.UUID
    code: str
    reason: str


class BatchCompleted(BaseModel):
    status: Literal["COMPLETED", "PARTIAL", "FAILED"]
    download_ready: bool


Payload = ImageUploaded | BatchProcessingStarted | ImageProcessed | ProcessingError | BatchCompleted
PAYLOAD_TYPES: dict[EventType, type[BaseModel]] = {
    EventType.IMAGE_UPLOADED: ImageUploaded,
    EventType.BATCH_PROCESSING_STARTED: BatchProcessingStarted,
    EventType.IMAGE_PROCESSED: ImageProcessed,
    EventType.PROCESSING_ERROR: ProcessingError,
    EventType.BATCH_COMPLETED: BatchCompleted,
}


class Event(BaseModel):
    """The envelope every client receives (the Socket.IO event name is `type`)."""

    type: EventType
    organization_id: uuid.UUID | None = Field(default=None, description="The tenant the batch belongs to.")
    batch_id: uuid.UUID
    image_id: uuid.UUID | None = None
    seq: int = Field(description="Per-batch sequence number: 1, 2, 3 ... with no gaps.")
    at: datetime
    counts: Counts
    data: dict[str, Any]


def batch_room(batch_id: uuid.UUID | str) -> str:
    return f"batch:{batch_id}"


def user_room(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}"


def organization_room(organization_id: uuid.UUID | str) -> str:
    """Every socket working in an organization: members see each other's batches."""
    return f"org:{organization_id}"


def emit(session: Session, batch: Any, payload: Payload) -> Event:
    """Record an event for `batch` (row locked by the caller) and send it after commit."""
    event_type = next(t for t, cls in PAYLOAD_TYPES.items() if isinstance(payload, cls))
    batch.event_seq += 1
    event = Event(
        type=event_type,
        organization_id=batch.organization_id,
        batch_id=batch.id,
        image_id=getattr(payload, "image_id", None),
        seq=batch.event_seq,
        at=datetime.now(UTC),
        counts=Counts(total=batch.total_images, processed=batch.processed_images, failed=batch.failed_images),
        data=payload.model_dump(mode="json", exclude={"image_id"}),
    )
    after_commit(session, lambda: publish(event))
    return event


@lru_cache
def _manager() -> Any:
    import socketio  # one of the two framework imports core allows itself (see the docstring)

    settings = get_settings()
    return socketio.RedisManager(settings.redis_url, channel=settings.realtime_channel, write_only=True)


def warm_up() -> None:
    """Import socketio and connect to Redis now (process start), not on the first event:
    a cold first publish takes about a second, longer than realtime's reorder hold."""
    if get_settings().realtime_enabled:
        _manager()


def publish(event: Event) -> None:
    """Send to the batch's room and its organization's room (a client in both gets it once)."""
    if not get_settings().realtime_enabled:
        return
    rooms = [batch_room(event.batch_id)]
    if event.organization_id is not None:
        rooms.append(organization_room(event.organization_id))
    _manager().emit(event.type.value, event.model_dump(mode="json"), room=rooms, namespace="/")
