"""The Celery app: broker settings from core.queue, delivery guarantees, beat schedule.

acks_late + reject_on_worker_lost: a task is acknowledged only after it ran, so a worker
killed mid-task leaves its message to be redelivered (after the visibility timeout); the
claim protocol in core.images.processing makes the redelivery harmless.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.config import get_settings

_settings = get_settings()
# Prefork children write their metrics to files that the worker's /metrics aggregates;
# this must be set before prometheus_client is imported anywhere.
# One directory per worker process tree, so that two workers on one machine (make dev
# next to a test run) never read or wipe each other's samples.
_metrics_dir = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_settings.data_dir / "metrics" / f"worker-{os.getpid()}"))
)
_metrics_dir.mkdir(parents=True, exist_ok=True)

from celery import Celery  # noqa: E402
from celery.schedules import crontab  # noqa: E402
from celery.signals import setup_logging  # noqa: E402
from sentry_sdk.integrations.celery import CeleryIntegration  # noqa: E402

from core import logging as log_context  # noqa: E402
from core import sentry  # noqa: E402
from core.queue import Queue, TaskName, celery_config  # noqa: E402


@setup_logging.connect
def _configure_logging(**_: object) -> None:
    # A receiver here means Celery installs no handlers of its own: its lines, ours and the
    # libraries' all leave through one handler, as JSON in containers.
    log_context.configure(_settings.log_format, _settings.log_level)


# Before the pool forks, so every child reports too (the SDK restarts its sender thread after a fork).
sentry.init("worker", integrations=[CeleryIntegration()], settings=_settings)

app = Celery("renamer")
app.conf.update(celery_config())
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_max_memory_per_child=_settings.worker_max_memory_mb * 1024 or None,  # KiB
    task_queues=None,
    task_create_missing_queues=True,
    worker_hijack_root_logger=False,
    beat_schedule={
        "sweep": {
            "task": TaskName.SWEEP.value,
            "schedule": float(_settings.sweep_interval_seconds),
            "options": {"queue": Queue.MAINTENANCE.value, "expires": float(_settings.sweep_interval_seconds)},
        },
        "retention": {
            "task": TaskName.RETENTION_SWEEP.value,
            "schedule": float(_settings.retention_sweep_interval_seconds),
            "options": {
                "queue": Queue.MAINTENANCE.value,
                "expires": float(_settings.retention_sweep_interval_seconds),
            },
        },
        # The monthly quota reset: 00:00 UTC on the 1st (Celery's clock is UTC: enable_utc).
        "billing-period": {
            "task": TaskName.OPEN_BILLING_PERIOD.value,
            "schedule": crontab(minute="0", hour="0", day_of_month="1"),
            "options": {"queue": Queue.MAINTENANCE.value, "expires": 6 * 3600.0},
        },
    },
    imports=["worker.tasks"],
)

# Connected at import: Celery fires worker_init before it imports `imports`.
import worker.metrics  # noqa: E402, F401
