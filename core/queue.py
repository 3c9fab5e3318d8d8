"""Starting background work by task *name*, so the API never imports the worker.

Payloads are pydantic models carrying ids only; a task reloads its rows. `enqueue`
defers the send until the caller's transaction commits (habit 2).
"""

from __future__ import annotations

import time
import uuid
from enum import StrEnum
from functools import lru_cache

from celery import Celery
from celery.signals import before_task_publish
from pydantic import BaseModel
from sqlalchemy.orm import Session

from core import logging as log_context
from core.config import get_settings
from core.db import after_commit
from core.metrics import SENT_AT_HEADER

# Celery message header with the log context (core.logging.PROPAGATED_FIELDS) of the sender.
LOG_CONTEXT_HEADER = "renamer_log_context"


class TaskName(StrEnum):
    PROCESS_IMAGE = "images.process"
    BUILD_ZIP = "batches.build_zip"
    SWEEP = "maintenance.sweep"
    RETENTION_SWEEP = "maintenance.retention"
    OPEN_BILLING_PERIOD = "billing.open_period"


class Queue(StrEnum):
    IMAGES = "images"  # CPU-bound work (the local analyzer): a prefork worker, one process per core
    VISION = "vision"  # images analysed by remote providers: a thread-pool worker keeps many calls in flight
    EXPORTS = "exports"
    MAINTENANCE = "maintenance"


ROUTES: dict[TaskName, Queue] = {
    TaskName.PROCESS_IMAGE: Queue.IMAGES,
    TaskName.BUILD_ZIP: Queue.EXPORTS,
    TaskName.SWEEP: Queue.MAINTENANCE,
    TaskName.RETENTION_SWEEP: Queue.MAINTENANCE,
    TaskName.OPEN_BILLING_PERIOD: Queue.MAINTENANCE,
}


class ProcessImage(BaseModel):
    image_id: uuid.UUID
    # The tenant: the task wrapper sets it before any row is touched (row-level security).
    # None only in messages sent before organizations existed; the wrapper looks it up then.
    organization_id: uuid.UUID | None = None


class BuildZip(BaseModel):
    batch_id: uuid.UUID
    organization_id: uuid.UUID | None = None  # as in ProcessImage


class Sweep(BaseModel):
    pass


class RetentionSweep(BaseModel):
    pass


class OpenBillingPeriod(BaseModel):
    pass


def _stamp_sent_at(headers: dict[str, object] | None = None, **_: object) -> None:
    """Every message this process publishes (here, a task's retry, beat) carries its publish
    time, from which the queue collector reports the oldest message's age per queue."""
    if headers is not None:
        headers[SENT_AT_HEADER] = time.time()


before_task_publish.connect(_stamp_sent_at)


def celery_config() -> dict[str, object]:
    """Broker settings shared by the producer here and the worker app."""
    settings = get_settings()
    return {
        "broker_url": settings.effective_broker_url,
        "broker_transport_options": {"visibility_timeout": settings.broker_visibility_timeout},
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_default_queue": Queue.IMAGES.value,
        "task_routes": {name.value: {"queue": queue.value} for name, queue in ROUTES.items()},
    }


@lru_cache
def producer() -> Celery:
    app = Celery("renamer-producer")
    app.conf.update(celery_config())
    return app


def send(task: TaskName, payload: BaseModel, *, queue: Queue | None = None) -> None:
    """Send now. `queue` overrides the task's usual queue (image work for remote providers)."""
    target = queue or ROUTES[task]
    producer().send_task(
        task.value,
        kwargs=payload.model_dump(mode="json"),
        queue=target.value,
        # The sender's request id and user travel as a header, so the task's logs carry them.
        headers={LOG_CONTEXT_HEADER: log_context.propagated()},
    )


def enqueue(session: Session, task: TaskName, payload: BaseModel, *, queue: Queue | None = None) -> None:
    """Send `task` once the session's transaction commits; nothing is sent on rollback."""
    after_commit(session, lambda: send(task, payload, queue=queue))
