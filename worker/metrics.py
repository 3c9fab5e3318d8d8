"""The worker's /metrics: every prefork child's samples plus queue depth and age, on one port;
and the ZIP build time."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from celery.signals import task_postrun, task_prerun, worker_init, worker_process_shutdown
from prometheus_client import CollectorRegistry, multiprocess, start_http_server

from core.config import get_settings
from core.exports.service import Outcome
from core.metrics import TASK_DURATION, QueueDepthCollector
from core.queue import Queue, TaskName


@worker_init.connect
def _serve_metrics(**_: object) -> None:
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    # Samples of processes that are gone (an earlier worker with this folder's name) are
    # stale. Files of live processes stay: this process's own (core.metrics opened them at
    # import, and a thread pool keeps writing to them) and those of any other live process
    # that shares the folder by mistake, whose counters would otherwise vanish.
    for stale in directory.glob("*.db"):
        pid = stale.stem.rpartition("_")[2]
        if not (pid.isdigit() and Path(f"/proc/{pid}").exists()):
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


# ZIP build time: the whole build_zip task (snapshot, streaming every original into the
# archive in S3, recording it), observed as stage "zip" of renamer_task_stage_duration_seconds
# when the task built one (not when the ZIP was current already or the batch unfinished).
_zip_started: dict[str, float] = {}


@task_prerun.connect
def _zip_build_started(task_id: str | None = None, task: Any = None, **_: object) -> None:
    if task_id and getattr(task, "name", None) == TaskName.BUILD_ZIP.value:
        _zip_started[task_id] = time.perf_counter()


@task_postrun.connect
def _zip_build_finished(task_id: str | None = None, retval: Any = None, **_: object) -> None:
    started = _zip_started.pop(task_id, None) if task_id else None
    if started is not None and retval == Outcome.BUILT.value:
        TASK_DURATION.labels(stage="zip").observe(time.perf_counter() - started)


@worker_process_shutdown.connect
def _forget_child(pid: int | None = None, **_: object) -> None:
    if pid is not None:
        multiprocess.mark_process_dead(pid)
