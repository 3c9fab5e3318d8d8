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

# Vision providers (core.vision.chain). outcome: ok, unavailable, invalid_reply, refused,
# misconfigured, undecodable, circuit_open, cached.
PROVIDER_CALLS = Counter("renamer_provider_calls_total", "Provider calls by outcome.", ["provider", "outcome"])
PROVIDER_LATENCY = Histogram(
    "renamer_provider_call_duration_seconds",
    "Provider call latency (one attempt, limiter wait excluded).",
    ["provider"],
    buckets=(0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0, 120.0),
)
PROVIDER_LIMIT_WAIT = Histogram(
    "renamer_provider_limit_wait_seconds",
    "Time spent waiting for a rate or concurrency slot.",
    ["provider"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
PROVIDER_RETRIES = Counter("renamer_provider_retries_total", "Provider calls retried.", ["provider"])
PROVIDER_FALLBACKS = Counter(
    "renamer_provider_fallbacks_total", "Images moved to the next provider in the chain.", ["provider", "reason"]
)
PROVIDER_CIRCUIT_OPENED = Counter("renamer_provider_circuit_opened_total", "Circuit breaker trips.", ["provider"])
PROVIDER_COST = Counter("renamer_provider_cost_usd_total", "Estimated provider cost in US dollars.", ["provider"])
PROVIDER_TOKENS = Counter("renamer_provider_tokens_total", "Tokens billed by the provider.", ["provider", "kind"])
PROVIDER_UNITS = Counter("renamer_provider_units_total", "Billable feature units (per-feature pricing).", ["provider"])
PROVIDER_CACHE_HITS = Counter(
    "renamer_provider_cache_hits_total", "Analyses served from the cache instead of a paid call.", ["provider"]
)
# API rate limits (core.ratelimits). scope: signin, signup, api, upload; never a user or an address.
RATE_LIMITED = Counter("renamer_rate_limited_total", "Requests refused with 429 by a rate limit.", ["scope"])


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
