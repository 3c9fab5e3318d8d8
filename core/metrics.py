"""Prometheus metrics shared by the services. No per-user labels.

Processes that fork (Celery prefork, several API workers) set PROMETHEUS_MULTIPROC_DIR
before importing this module; `registry()` then aggregates every process's samples.
"""

from __future__ import annotations

import logging
import os

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.registry import REGISTRY

log = logging.getLogger(__name__)
# prometheus_client picks in-memory or file-backed values when it is imported; the
# registry to expose must follow the same choice, not the environment at scrape time.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

HTTP_LATENCY = Histogram(
    "renamer_http_request_duration_seconds",
    "API request latency by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.0, 2.5, 5.0, 10.0, 30.0),
)
UPLOADS = Counter("renamer_uploads_total", "Uploaded files by result and rejection code.", ["result", "code"])
VIRUS_DETECTIONS = Counter("renamer_virus_detections_total", "Uploaded files refused because clamd found malware.")
TASK_DURATION = Histogram(
    "renamer_task_stage_duration_seconds",
    "Worker time per processing stage.",
    ["stage"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
IMAGES_FINISHED = Counter("renamer_images_finished_total", "Images by final status.", ["status", "provider"])


def registry() -> CollectorRegistry:
    if MULTIPROCESS:
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return collected
    return REGISTRY


class QueueDepthCollector:
    """Messages waiting per queue, read from the broker (Redis lists) at scrape time."""

    def __init__(self, queues: list[str]) -> None:
        self.queues = queues

    def collect(self):  # type: ignore[no-untyped-def]
        from prometheus_client.core import GaugeMetricFamily

        from core.redis import get_redis

        family = GaugeMetricFamily("renamer_queue_messages", "Messages waiting per queue.", labels=["queue"])
        client = get_redis()
        for queue in self.queues:
            try:
                family.add_metric([queue], float(client.llen(queue)))
            except Exception:  # a scrape must not fail because the broker blinked
                log.debug("queue depth unavailable", exc_info=True)
        yield family
