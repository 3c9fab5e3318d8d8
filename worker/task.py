"""The one task decorator: payload parsing, retry policy, failure hook, timing.

Errors retry with exponential backoff and full jitter (network, storage or database
briefly down; an unexpected error is retried too, in case it is one of those), except
PermanentError, which is never retried. When retries run out, or a PermanentError
escapes the flow, `on_exhausted` records the failure on the item (FAILED with a reason)
so that its batch can finish.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task
from pydantic import BaseModel

from core import logging as log_context
from core.config import get_settings
from core.db import tenant_scope
from core.errors import PermanentError
from core.organizations import service as organizations
from core.queue import LOG_CONTEXT_HEADER, ROUTES, TaskName
from worker.app import app

log = logging.getLogger(__name__)
P = TypeVar("P", bound=BaseModel)

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
            # The sender's request id and user (a header set by core.queue.send), then the ids
            # in the payload: every log line of this run, and its Sentry event, carry them.
            # Not reset on return: Celery's own "succeeded"/"raised" line and the Sentry
            # integration's capture run after this function, in the same thread; the next
            # task starts a fresh context here.
            inherited = self.request.get(LOG_CONTEXT_HEADER)
            fields = dict(inherited) if isinstance(inherited, dict) else {}
            fields.update({key: kwargs.get(key) for key in ("batch_id", "image_id")})
            # Bound before validation, so that a malformed payload is still reported with the
            # sender's request id.
            log_context.new_context(**fields)
            payload = payload_type.model_validate(kwargs)
            # The tenant, before any row is touched: every transaction of the run sees only
            # this organization's rows (row-level security). Maintenance tasks have none and
            # use maintenance sessions instead.
            tenant = organizations.tenant_for_task(
                getattr(payload, "organization_id", None),
                image_id=getattr(payload, "image_id", None),
                batch_id=getattr(payload, "batch_id", None),
            )
            if tenant is not None:
                log_context.bind(organization_id=str(tenant))
            try:
                with tenant_scope(tenant):
                    return fn(payload)
            except Exception as exc:
                # Flows record expected permanent failures themselves; one that escapes, or
                # retries running out, is recorded by on_exhausted so that no item waits forever.
                # Anything else (network, storage, database, or a bug) is retried first.
                give_up = isinstance(exc, PermanentError) or self.request.retries >= self.max_retries
                if not give_up:
                    log.warning("retrying", exc_info=True, extra={"task": name.value, "payload": kwargs})
                    raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
                log.exception("giving up", extra={"task": name.value, "payload": kwargs})
                if on_exhausted is None:
                    raise
                with tenant_scope(tenant):
                    on_exhausted(payload, exc)
                return None

        return run  # type: ignore[no-any-return]

    return decorate
