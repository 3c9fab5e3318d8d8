from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from core.config import get_settings
from core.db import get_engine
from core.errors import RenamerError
from core.metrics import DependencyCollector, QueueDepthCollector, registry
from core.queue import Queue
from core.redis import get_redis
from core.scanning.clamav import ClamdScanner
from core.storage import get_storage
from core.vision import registry as vision_registry

router = APIRouter(tags=["health"])


@router.get("/health")
def liveness() -> dict[str, str]:
    return {"status": "ok"}


def _check_database() -> None:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def _run(checks: dict[str, Callable[[], object]], *, failed: str) -> dict[str, str]:
    """ "ok", the error's sentence, or `failed (ExceptionName)` for each named check."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except RenamerError as exc:
            results[name] = exc.detail
        except Exception as exc:
            results[name] = f"{failed} ({type(exc).__name__})"
    return results


def _dependency_checks() -> dict[str, Callable[[], object]]:
    return {
        "database": _check_database,
        "redis": lambda: get_redis().ping(),
        "storage": lambda: get_storage().ping(),
        "clamd": lambda: ClamdScanner.from_settings(get_settings()).ping(),
    }


def _checks() -> dict[str, str]:
    return _run(_dependency_checks(), failed="unreachable")


# Scrape-time checks run side by side and get this long: a dependency that has not answered by
# then counts as down, and the scrape stays well inside Prometheus's timeout.
DEPENDENCY_CHECK_SECONDS = 3.0
_check_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dependency-check")


def _dependencies_up() -> dict[str, bool]:
    futures = {name: _check_pool.submit(check) for name, check in _dependency_checks().items()}
    wait(futures.values(), timeout=DEPENDENCY_CHECK_SECONDS)
    return {name: future.done() and future.exception() is None for name, future in futures.items()}


# renamer_dependency_up (for ClamdDown and the pipeline dashboard) and the queues, here too: with
# every worker gone (crashed, or KEDA at zero) the API still reports the backlog.
_scrape_collectors = (DependencyCollector(_dependencies_up), QueueDepthCollector([q.value for q in Queue]))


@router.get("/health/ready")
async def readiness() -> JSONResponse:
    results = await run_in_threadpool(_checks)
    ready = all(v == "ok" for v in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": results}, status_code=200 if ready else 503
    )


def _provider_checks() -> dict[str, str]:
    """Each configured provider of the chain checks its key, endpoint and model (a tiny request)."""
    names = get_settings().provider_chain
    # Loading a provider can fail too (no key), so it happens inside the check.
    checks = {name: (lambda name=name: vision_registry.get_provider(name).check()) for name in names}
    return _run(checks, failed="check failed")


@router.get("/health/providers")
async def providers() -> JSONResponse:
    """Whether each vision provider in the operator's chain works: a wrong key, an unknown
    model or a model that cannot read images is reported here in plain words."""
    results = await run_in_threadpool(_provider_checks)
    ok = all(v == "ok" for v in results.values())
    return JSONResponse({"status": "ok" if ok else "degraded", "providers": results}, status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(registry(*_scrape_collectors)), media_type=CONTENT_TYPE_LATEST)
