"""Prometheus metrics shared by the services. No per-user labels.

Processes that fork (Celery prefork, several API workers) set PROMETHEUS_MULTIPROC_DIR
before importing this module; `registry()` then aggregates every process's samples.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

import redis
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

from core.config import get_settings

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
TASK_CPU = Histogram(
    "renamer_task_stage_cpu_seconds",
    "CPU time of the worker thread per processing stage (wall time minus waiting, for a CPU or for I/O).",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class StageClock:
    """Started when made; `observe(stage)` records the wall time and this thread's CPU time
    since then. The two differ by the time the stage waited: on S3 or a provider, or for a
    core while other processes had them all (a 2-core box running two prefork children)."""

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.thread_time()

    def observe(self, stage: str) -> None:
        TASK_DURATION.labels(stage=stage).observe(time.perf_counter() - self._wall)
        TASK_CPU.labels(stage=stage).observe(time.thread_time() - self._cpu)


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
# Billing (core.billing): plan codes and Stripe event types only, never an organization.
QUOTA_REFUSALS = Counter(
    "renamer_quota_refusals_total", "Uploads (files or declared drops) refused by the monthly quota.", ["plan"]
)
CHECKOUTS_STARTED = Counter("renamer_checkouts_started_total", "Stripe Checkout Sessions created.", ["plan"])
CHECKOUTS_COMPLETED = Counter(
    "renamer_checkouts_completed_total", "Checkout Sessions completed (checkout.session.completed).", ["plan"]
)
REVENUE_USD = Counter("renamer_revenue_usd_total", "Paid invoices in US dollars.", ["plan"])
# outcome: processed, duplicate (a replayed event id), stale (older than what was applied),
# ignored (a type we do not handle, or no organization), failed, invalid_signature.
PAYMENT_WEBHOOKS = Counter("renamer_payment_webhooks_total", "Stripe webhook events by outcome.", ["event", "outcome"])


# Object storage (core.storage): S3 calls that still failed after botocore's retries. operation:
# put, get, head, delete, copy, multipart, list, other. A missing key (404) is not an error.
STORAGE_ERRORS = Counter("renamer_storage_errors_total", "S3 calls that failed, by operation.", ["operation"])
for _operation in ("put", "get", "head", "delete", "copy", "multipart", "list", "other"):
    STORAGE_ERRORS.labels(operation=_operation)  # exported as 0 from the start: rate() and alerts see a series

# Celery message header set by every producer (core.queue): when the message was published.
SENT_AT_HEADER = "renamer_sent_at"


class _Forward:
    """Hands on another registry's samples (the process's own, outside multiprocess mode)."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterable[Metric]:
        return self.source.collect()


def registry(*extra: Collector) -> CollectorRegistry:
    """What one scrape exports: every process's samples (multiprocess mode) or this process's,
    plus `extra` collectors that read their values at scrape time."""
    if MULTIPROCESS:
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
    elif not extra:
        return REGISTRY
    else:
        collected = CollectorRegistry(auto_describe=False)
        collected.register(_Forward(REGISTRY))
    for collector in extra:
        collected.register(collector)
    return collected


class QueueDepthCollector:
    """Per queue, read from the broker (Redis lists) at scrape time: the messages waiting, and
    how long the oldest has waited (from the publish time every producer stamps into its
    headers; kombu pushes on the left and consumers pop on the right, so the oldest is last).
    A queue whose oldest message carries no stamp (sent by an older release) has no age."""

    def __init__(self, queues: list[str]) -> None:
        self.queues = queues

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("renamer_queue_messages", "Messages waiting per queue.", labels=["queue"])
        age = GaugeMetricFamily(
            "renamer_queue_oldest_message_age_seconds",
            "Seconds the oldest waiting message of each queue has waited (0 when the queue is empty).",
            labels=["queue"],
        )
        client = _broker()
        now = time.time()
        for queue in self.queues:
            try:
                with client.pipeline(transaction=False) as pipe:
                    pipe.llen(queue)
                    pipe.lindex(queue, -1)
                    length, oldest = pipe.execute()
            except Exception:  # a scrape must not fail because the broker blinked
                log.debug("queue depth unavailable", exc_info=True)
                continue
            depth.add_metric([queue], float(length))
            waited = 0.0 if oldest is None else _waited(oldest, now)
            if waited is not None:
                age.add_metric([queue], waited)
        yield depth
        yield age


def _waited(message: bytes, now: float) -> float | None:
    try:
        sent_at = json.loads(message)["headers"][SENT_AT_HEADER]
        return max(0.0, now - float(sent_at))
    except (ValueError, KeyError, TypeError):
        return None


@lru_cache
def _broker() -> redis.Redis:
    """The broker's Redis (RENAMER_BROKER_URL may move the queues off the shared Redis)."""
    return redis.Redis.from_url(get_settings().effective_broker_url, socket_timeout=5, socket_connect_timeout=3)


class DependencyCollector:
    """renamer_dependency_up{dependency}: 1 when the dependency's readiness check passed at
    scrape time, else 0. `checks` runs them and says which passed."""

    def __init__(self, checks: Callable[[], dict[str, bool]]) -> None:
        self.checks = checks

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "renamer_dependency_up", "Whether the dependency answered its readiness check.", labels=["dependency"]
        )
        for name, up in self.checks().items():
            family.add_metric([name], 1.0 if up else 0.0)
        yield family
