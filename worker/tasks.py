"""Tasks: parse ids, call core flows. No business rules here."""

from __future__ import annotations

import logging
from functools import lru_cache

from celery.signals import task_postrun, worker_process_init, worker_ready

from core import events
from core.billing import quota
from core.config import get_settings
from core.db import get_engine, get_maintenance_engine, get_maintenance_sessionmaker, get_sessionmaker
from core.errors import ProviderMisconfigured
from core.exports.service import build_zip
from core.images import processing
from core.images.sweep import sweep
from core.imaging import assert_pillow_simd
from core.queue import BuildZip, OpenBillingPeriod, ProcessImage, RetentionSweep, Sweep, TaskName
from core.redis import get_redis
from core.retention import service as retention
from core.storage import get_storage
from core.vision import chain, registry
from worker import memory
from worker.task import renamer_task

log = logging.getLogger(__name__)


@lru_cache
def processing_dependencies() -> processing.Dependencies:
    settings = get_settings()
    return processing.Dependencies(
        sessions=get_sessionmaker(),
        storage=get_storage(),
        guards=chain.Guards(settings=settings, redis=get_redis()),
        settings=settings,
    )


def _load_chain() -> None:
    """Load the operator's providers and check each remote one's configuration once.

    A misconfigured provider (wrong key, a model that cannot see images) is reported
    here in a sentence an operator can act on, and its circuit is opened so images go
    straight to the next provider instead of failing one by one."""
    deps = processing_dependencies()
    for name in deps.settings.provider_chain:
        try:
            provider = registry.get_provider(name)
            if name in registry.REMOTE_PROVIDERS:
                provider.check()
        except ProviderMisconfigured as exc:
            log.error("vision provider %s is misconfigured: %s", name, exc.detail)
            deps.guards.breaker(name).trip(chain.MISCONFIGURED_OPEN_SECONDS)
        except Exception:  # unreachable right now is not misconfigured: the breaker handles it
            log.warning("vision provider %s could not be checked", name, exc_info=True)


_prefork_child = False


@worker_process_init.connect
def _load_models(**_: object) -> None:
    global _prefork_child
    _prefork_child = True
    assert_pillow_simd()
    memory.tune_malloc()
    # Engines and clients must not be shared across fork; each child builds its own.
    get_engine().dispose(close=False)
    get_maintenance_engine().dispose(close=False)
    _load_chain()
    events.warm_up()


@worker_ready.connect
def _load_models_for_thread_pools(sender: object = None, **_: object) -> None:
    # Thread and solo pools run tasks in this process: worker_process_init never fires.
    pool = type(getattr(sender, "pool", None)).__module__ if sender is not None else ""
    if "prefork" not in pool:
        assert_pillow_simd()
        memory.tune_malloc()
        _load_chain()
        events.warm_up()


@task_postrun.connect
def _trim_after_task(**_: object) -> None:
    # A prefork child runs one task at a time, so between tasks its heap is nearly all free.
    # Thread pools keep other tasks running: no.
    if _prefork_child:
        memory.trim_heap_above(memory.TRIM_ABOVE_BYTES)


def _give_up_on_image(payload: ProcessImage, exc: BaseException) -> None:
    processing.fail(
        payload.image_id,
        None,
        code="analysis_failed",
        reason=f"Analysis kept failing after several tries ({type(exc).__name__}); use regenerate to try again.",
        sessions=get_sessionmaker(),
    )


@renamer_task(TaskName.PROCESS_IMAGE, ProcessImage, on_exhausted=_give_up_on_image)
def process_image(payload: ProcessImage) -> str:
    return processing.process(payload.image_id, processing_dependencies()).value


@renamer_task(TaskName.BUILD_ZIP, BuildZip)
def build_batch_zip(payload: BuildZip) -> str:
    return build_zip(payload.batch_id, sessions=get_sessionmaker(), storage=get_storage()).value


@renamer_task(TaskName.SWEEP, Sweep)
def sweep_stuck(payload: Sweep) -> dict[str, int]:
    # Every tenant's stuck work: a maintenance session (row-level security bypassed).
    report = sweep(
        sessions=get_maintenance_sessionmaker(), storage=get_storage(), cache=get_redis(), settings=get_settings()
    )
    if report.images_requeued or report.zips_requested or report.staged_deleted:
        log.info("sweep", extra=report.__dict__)
    return report.__dict__


@renamer_task(TaskName.RETENTION_SWEEP, RetentionSweep)
def retention_sweep(payload: RetentionSweep) -> dict[str, int]:
    report = retention.sweep(sessions=get_maintenance_sessionmaker(), storage=get_storage(), settings=get_settings())
    if report.batches_purged or report.prefixes_done or report.prefixes_failed:
        log.info("retention sweep", extra=report.__dict__)
    return report.__dict__


@renamer_task(TaskName.OPEN_BILLING_PERIOD, OpenBillingPeriod)
def open_billing_period(payload: OpenBillingPeriod) -> dict[str, object]:
    # Every organization's row for the new month: a maintenance session (row-level security bypassed).
    report = quota.open_period(sessions=get_maintenance_sessionmaker())
    log.info("billing period opened", extra={"period_start": report.period_start.isoformat(), "opened": report.opened})
    return {"period_start": report.period_start.isoformat(), "opened": report.opened}
