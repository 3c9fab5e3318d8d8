"""Prometheus metrics of one realtime instance (served at /metrics). No per-user labels.

Each instance is one process (scale out with more instances behind the load balancer),
so a plain registry is enough; it also carries the process collector (RSS, CPU, open fds).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

CONNECTED_SOCKETS = Gauge(
    "renamer_realtime_connected_sockets", "Authenticated Socket.IO connections on this instance.", registry=REGISTRY
)
EVENTS_DELIVERED = Counter(
    "renamer_realtime_events_delivered_total",
    "Batch events fanned out to this instance's sockets, by event type (once per event, not per socket).",
    ["type"],
    registry=REGISTRY,
)
DELIVERY_DELAY = Histogram(
    "renamer_realtime_delivery_delay_seconds",
    "From the event's `at` (set in the emitting transaction) to its fan-out here.",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.35, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
REFUSED = Counter(
    "renamer_realtime_refused_total",
    "Refused connections and room requests, by action (connect, join, leave) and reason code.",
    ["action", "reason"],
    registry=REGISTRY,
)
REORDER = Counter(
    "renamer_realtime_reorder_total",
    "Ordering outcomes: in_order, held (arrived early), released_after_gap, late_dropped.",
    ["outcome"],
    registry=REGISTRY,
)
TRACKED_BATCHES = Gauge(
    "renamer_realtime_tracked_batches", "Batches whose sequence state this instance keeps.", registry=REGISTRY
)
