"""The worker's /metrics: every prefork child's samples plus queue depth, on one port."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from celery.signals import worker_init, worker_process_shutdown
from prometheus_client import CollectorRegistry, multiprocess, start_http_server

from core.config import get_settings
from core.metrics import QueueDepthCollector
from core.queue import Queue


@worker_init.connect
def _serve_metrics(**_: object) -> None:
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    # Samples of a previous process with this folder's name are stale; this process's own
    # files are live already (core.metrics opened them at import, and the thread pool keeps
    # writing to them), so they must stay.
    own = f"_{os.getpid()}.db"
    for stale in directory.glob("*.db"):
        if not stale.name.endswith(own):
            stale.unlink(missing_ok=True)
    _forget_dead_workers(directory.parent)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(QueueDepthCollector([q.value for q in Queue]))
    settings = get_settings()
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host, registry=registry)


def _forget_dead_workers(parent: Path) -> None:
    """Remove the sample folders of workers that are gone (named worker-<pid>)."""
    for folder in parent.glob("worker-*"):
        pid = folder.name.removeprefix("worker-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


@worker_process_shutdown.connect
def _forget_child(pid: int | None = None, **_: object) -> None:
    if pid is not None:
        multiprocess.mark_process_dead(pid)
