"""The one task decorator: payload parsing, retry policy, failure hook, timing.

Transient errors (network, storage or database briefly down) retry with exponential
backoff and full jitter; permanent errors are never retried: the flows record them on
the item (FAILED with a reason). When retries run out, `on_exhausted` records the
failure so the batch can finish.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError
from celery import Task
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DBAPIError, OperationalError

from core.config import get_settings
from core.errors import PermanentError, ServiceUnavailable, TransientError
from core.queue import ROUTES, TaskName
from worker.app import app

log = logging.getLogger(__name__)
P = TypeVar("P", bound=BaseModel)

TRANSIENT = (
    TransientError,
    ServiceUnavailable,
    OperationalError,
    BotoCoreError,
    RedisConnectionError,
    ConnectionError,
    TimeoutError,
)
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0


def backoff(retries: int) -> float:
    """Full-jitter exponential backoff: uniform(0, min(cap, base * 2**retries))."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**retries))  # noqa: S311


def renamer_task(
    name: TaskName, payload_type: type[P], *, on_exhausted: Callable[[P, BaseException], None] | None = None
) -> Callable[[Callable[[P], Any]], Task]:
    def decorate(fn: Callable[[P], Any]) -> Task:
        @app.task(name=name.value, bind=True, queue=ROUTES[name].value, max_retries=get_settings().task_max_retries)
        def run(self: Task, **kwargs: Any) -> Any:
            payload = payload_type.model_validate(kwargs)
            try:
                return fn(payload)
            except PermanentError:
                log.exception("permanent failure", extra={"task": name.value, "payload": kwargs})
                raise
            except TRANSIENT as exc:
                if (
                    isinstance(exc, DBAPIError)
                    and not exc.connection_invalidated
                    and not isinstance(exc, OperationalError)
                ):
                    raise
                if self.request.retries >= self.max_retries:
                    log.error("retries exhausted", extra={"task": name.value, "payload": kwargs})
                    if on_exhausted is not None:
                        on_exhausted(payload, exc)
                        return None
                    raise
                raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc

        return run  # type: ignore[no-any-return]

    return decorate
