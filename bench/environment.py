"""The benchmark's own database, bucket and Redis database, so `make dev` and the tests are left alone.

Settings are read once per process, so `apply()` must run before anything calls
`core.config.get_settings()`; the API and worker subprocesses inherit the same variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

from scripts.stack import free_port

BENCH_DB = os.environ.get("RENAMER_BENCH_DATABASE", "renamer_bench")
PG_URL = os.environ.get("RENAMER_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
BENCH_BUCKET = BENCH_DB.replace("_", "-")
BENCH_REDIS_DB = os.environ.get("RENAMER_BENCH_REDIS_DB", "13")

OUT_DIR = Path(__file__).resolve().parent / "out"


def bench_environment() -> dict[str, str]:
    return {
        "RENAMER_DATABASE_URL": f"{PG_URL}/{BENCH_DB}",
        "RENAMER_REDIS_URL": f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}",
        "RENAMER_S3_BUCKET": BENCH_BUCKET,
        # Never the dev worker's 9101; each worker start gets its own port as well.
        "RENAMER_WORKER_METRICS_PORT": str(free_port()),
        # A new account's plan allows 50 images a month; the benchmark uploads thousands.
        "RENAMER_PLAN_MONTHLY_IMAGES": '{"BASIC": 1000000}',
    }


def apply() -> None:
    os.environ.update(bench_environment())
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # only the worker subprocess gets one


def database_dsn() -> str:
    """libpq form of the benchmark database URL (for direct reads of timestamps)."""
    return f"{PG_URL.replace('+psycopg', '')}/{BENCH_DB}"


def recreate_database() -> None:
    """A fresh, migrated benchmark database (the same way tests/conftest.py makes its own)."""
    from alembic import command
    from alembic.config import Config

    from core.config import PROJECT_ROOT

    with psycopg.connect(PG_URL.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")


def reset_bucket_and_queue() -> None:
    """An empty benchmark bucket and Redis database (nothing left from an earlier run)."""
    from core.redis import get_redis
    from core.storage import get_storage

    get_redis().flushdb()
    storage = get_storage()
    storage.ensure_bucket()
    empty_bucket()


def empty_bucket() -> None:
    from core.storage import get_storage

    storage = get_storage()
    storage.delete(*storage.list_keys(""))


def wait_for_clamd(timeout: float = 180.0) -> None:
    """Until clamd answers PING (on a shared machine somebody may be restarting it)."""
    import time

    from core.config import get_settings
    from core.errors import ServiceUnavailable
    from core.scanning.clamav import ClamdScanner

    scanner = ClamdScanner.from_settings(get_settings())
    deadline = time.monotonic() + timeout
    while True:
        try:
            scanner.ping()
            return
        except ServiceUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)
