"""`make loadtest`: start a local stack, run each locust mix headless for a bounded time,
print p50/p95/p99, throughput and errors per mix, and keep locust's CSV and HTML reports.

    uv run python -m loadtests.run                       # both mixes against a stack of its own
    uv run python -m loadtests.run --mix read --run-time 30
    uv run python -m loadtests.run --host http://10.0.0.5:3001   # an existing deployment: nothing started

The stack is the API (uvicorn, --api-workers processes, 2 by default: one per core) and a
Celery worker with beat (prefork, 2 processes), on free ports, with a database, bucket and
Redis database of their own (RENAMER_LOADTEST_DATABASE / _REDIS_DB, recreated each run), so
`make dev` and the tests are left alone. PostgreSQL, Redis, S3 and clamd must be up
(`make services`). The rate limits are raised for the run (every marketer signs up from
this one address, and the read mix shares a few accounts among many users); the output
says so. Reports go to loadtests/reports/<time>/ (ignored by git).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scripts import stack as stack_script

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPORTS = Path(__file__).resolve().parent / "reports"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"

DATABASE = os.environ.get("RENAMER_LOADTEST_DATABASE", "renamer_loadtest")
PG_URL = os.environ.get("RENAMER_LOADTEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_DB = os.environ.get("RENAMER_LOADTEST_REDIS_DB", "12")
# As in production (and the tests): the app connects as an ordinary role, so row-level security
# applies to every query; the owner (PG_URL's user) runs the migrations.
APP_ROLE = os.environ.get("RENAMER_LOADTEST_APP_ROLE", "renamer_app")

# Raised for the run; printed with the results.
LOAD_LIMITS = {
    "RENAMER_SIGNUP_PER_IP_PER_HOUR": "1000000",
    "RENAMER_SIGNIN_PER_IP_PER_MINUTE": "1000000",
    "RENAMER_API_PER_CALLER_PER_MINUTE": "1000000",
    "RENAMER_UPLOADS_PER_CALLER_PER_MINUTE": "1000000",
}

RAMP_SECONDS = 10

# The published target for the read mix on this machine (issue 6).
READ_TARGET_P95_MS = 200.0
READ_TARGET_PER_MINUTE = 5000.0


@dataclass(frozen=True)
class Mix:
    name: str
    user_class: str
    users: int
    spawn_rate: float
    run_time: int
    env: dict[str, str]
    # Count from when every user runs (locust --reset-stats); the smoke test counts everything.
    reset_after_ramp: bool = True


def stack_environment(database: str = DATABASE, redis_db: str = REDIS_DB) -> dict[str, str]:
    """Settings of the load-test stack (the API and worker subprocesses inherit them)."""
    return {
        "RENAMER_ENVIRONMENT": "dev",
        "RENAMER_DATABASE_URL": f"{PG_URL.replace('://postgres@', f'://{APP_ROLE}@', 1)}/{database}",
        "RENAMER_DATABASE_OWNER_URL": f"{PG_URL}/{database}",
        "RENAMER_REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "RENAMER_S3_BUCKET": database.replace("_", "-"),
        "RENAMER_REALTIME_CHANNEL": f"renamer-socketio-{database}",
        "RENAMER_WORKER_METRICS_PORT": "0",
        **LOAD_LIMITS,
    }


def prepare_backing_services(database: str) -> None:
    """A fresh, migrated database, an empty bucket and Redis database (core reads the
    environment once, so stack_environment() must already be in os.environ)."""
    import psycopg
    from alembic import command
    from alembic.config import Config

    from core.redis import get_redis
    from core.storage import get_storage

    with psycopg.connect(PG_URL.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
        conn.execute(  # idempotent: roles are shared by the server's databases (tests/conftest.py does the same)
            "DO $$ BEGIN "
            f'CREATE ROLE "{APP_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION; '
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    get_redis().flushdb()
    storage = get_storage()
    storage.ensure_bucket()
    storage.delete(*storage.list_keys(""))


class LocalStack:
    """The API with `api_workers` uvicorn processes and one Celery worker with beat."""

    def __init__(self, log_dir: Path, *, api_workers: int, env: dict[str, str]) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.port = stack_script.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        metrics_dir = Path(tempfile.mkdtemp(prefix="renamer-loadtest-metrics-"))
        self._metrics_dir = metrics_dir
        base = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        base.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the worker makes its own
        api_env = {**base, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}  # several API processes, one registry
        python = sys.executable
        self.services = [
            stack_script.Service(
                "api",
                [python, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(api_workers)],
                PROJECT_ROOT, api_env, log_dir / "api.log",
                lambda _s: stack_script._http_ok(f"{self.url}/health/ready"),
            ),
            stack_script.Service(
                "worker",
                [python, "-m", "celery", "-A", "worker.app", "worker", "--concurrency", "2",
                 "--queues", "images,exports,maintenance",
                 "--beat", "--schedule", str(log_dir / "celerybeat-schedule"), "--hostname", f"loadtest-{self.port}@%h",
                 "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
                PROJECT_ROOT, base, log_dir / "worker.log",
                lambda s: " ready." in s.log_text(),
            ),
        ]  # fmt: skip

    def start(self, timeout: float = 120.0) -> LocalStack:
        try:
            for service in self.services:
                service.start()
            deadline = time.monotonic() + timeout
            for service in self.services:
                while not service.ready(service):
                    if not service.alive():
                        raise RuntimeError(f"{service.name} exited:\n{service.log_tail()}")
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{service.name} not ready after {timeout:.0f} s:\n{service.log_tail()}")
                    time.sleep(0.25)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()
        shutil.rmtree(self._metrics_dir, ignore_errors=True)

    def __enter__(self) -> LocalStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------- locust


def run_locust(mix: Mix, host: str, prefix: Path, *, log_path: Path) -> int:
    """One headless locust run: users start over users/spawn_rate seconds, then the figures
    are reset and run_time seconds are measured; it stops by itself."""
    ramp = math.ceil(mix.users / mix.spawn_rate)
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
        "--users", str(mix.users), "--spawn-rate", str(mix.spawn_rate), "--run-time", f"{ramp + mix.run_time}s",
        "--stop-timeout", "5", "--csv", str(prefix), "--html", f"{prefix}.html", "--only-summary",
        "--loglevel", "INFO", mix.user_class,
    ]  # fmt: skip
    if mix.reset_after_ramp:
        command.append("--reset-stats")
    env = {**os.environ, **mix.env}
    with log_path.open("ab") as log:
        # locust exits 1 when any request failed; the summary reports that, so it is not an error here.
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    return result.returncode


@dataclass(frozen=True)
class Row:
    method: str
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    per_second: float

    @property
    def per_minute(self) -> float:
        return self.per_second * 60


def read_stats(prefix: Path) -> tuple[Row, list[Row]]:
    """(the Aggregated row, one row per request name) from locust's <prefix>_stats.csv."""
    rows: list[Row] = []
    aggregated: Row | None = None
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for record in csv.DictReader(handle):
            row = Row(
                method=record["Type"],
                name=record["Name"],
                requests=int(record["Request Count"]),
                failures=int(record["Failure Count"]),
                p50=float(record["50%"] or 0),
                p95=float(record["95%"] or 0),
                p99=float(record["99%"] or 0),
                per_second=float(record["Requests/s"] or 0),
            )
            if record["Name"] == "Aggregated":
                aggregated = row
            else:
                rows.append(row)
    if aggregated is None:
        raise RuntimeError(f"{prefix}_stats.csv has no Aggregated row")
    return aggregated, rows


def format_table(title: str, aggregated: Row, rows: list[Row]) -> str:
    header = f"{'request':<36} {'count':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/min':>8}"
    lines = [title, header, "-" * len(header)]
    for row in [*rows, aggregated]:
        # Request names start with their method ("GET /batches"); a custom event's may not.
        label = row.name if row.name.startswith(row.method) else f"{row.method} {row.name}"
        if row is aggregated:
            label = "all requests"
        lines.append(
            f"{label[:36]:<36} {row.requests:>7} {row.failures:>6} {row.p50:>7.0f} {row.p95:>7.0f} {row.p99:>7.0f} "
            f"{row.per_minute:>8.0f}"
        )
    return "\n".join(lines)


def _mixes(args: argparse.Namespace) -> list[Mix]:
    # Users start over RAMP_SECONDS; the figures count from when all of them run (--reset-stats).
    read = Mix("read", "ReaderUser", args.read_users, max(1.0, args.read_users / RAMP_SECONDS), args.run_time, {})
    upload = Mix(
        "upload", "MarketerUser", args.upload_users, args.upload_users, args.upload_run_time or args.run_time * 2, {}
    )
    return {"read": [read], "upload": [upload], "all": [read, upload]}[args.mix]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mix", choices=["read", "upload", "all"], default="all")
    parser.add_argument("--run-time", type=int, default=60, help="seconds per mix (the upload mix gets twice this)")
    parser.add_argument(
        "--upload-run-time", type=int, default=0, help="seconds for the upload mix (default: 2 x --run-time)"
    )
    parser.add_argument("--read-users", type=int, default=100)
    parser.add_argument("--upload-users", type=int, default=8)
    parser.add_argument("--api-workers", type=int, default=2, help="uvicorn processes of the local API")
    parser.add_argument("--host", default="", help="an API that is already running: nothing is started or reset")
    args = parser.parse_args(argv)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = REPORTS / stamp
    out.mkdir(parents=True, exist_ok=True)
    env = stack_environment()
    stack: LocalStack | None = None
    notes = []
    if args.host:
        host = args.host.rstrip("/")
        notes.append(f"target: {host} (not started here; its own rate limits apply)")
    else:
        os.environ.update(env)
        print(f"preparing database {DATABASE}, bucket {env['RENAMER_S3_BUCKET']}, Redis db {REDIS_DB} ...", flush=True)
        prepare_backing_services(DATABASE)
        stack = LocalStack(out / "logs", api_workers=args.api_workers, env=env).start()
        host = stack.url
        notes.append(f"target: local API {host} ({args.api_workers} uvicorn processes) and a 2-process Celery worker")
        notes.append("rate limits raised for the load run: " + ", ".join(f"{k}={v}" for k, v in LOAD_LIMITS.items()))
    print("\n".join(notes), flush=True)
    summaries: list[str] = []
    verdicts: list[str] = []
    status = 0
    try:
        for mix in _mixes(args):
            print(f"running the {mix.name} mix: {mix.users} users for {mix.run_time} s ...", flush=True)
            prefix = out / mix.name
            log_path = out / f"{mix.name}-locust.log"
            code = run_locust(mix, host, prefix, log_path=log_path)
            try:
                aggregated, rows = read_stats(prefix)
            except (OSError, RuntimeError):
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
                failed = f"\n{mix.name} mix: no figures (locust exited with {code}); the end of {log_path}:\n{tail}"
                summaries.append(failed)
                print(failed, flush=True)
                verdicts.append(f"{mix.name} mix: did not run")
                status = 1
                continue
            table = format_table(f"\n{mix.name} mix ({mix.users} users, {mix.run_time} s)", aggregated, rows)
            campaigns = Path(f"{prefix}_campaigns.json")
            if campaigns.exists():
                figures = json.loads(campaigns.read_text())
                minutes = max(figures["seconds"], 1) / 60
                table += (
                    f"\nsustained: {figures['images_uploaded'] / minutes:.0f} images uploaded a minute; "
                    f"{figures['campaigns_completed']} campaigns reached a ready ZIP (from the first upload: p50 "
                    f"{figures['ready_p50_seconds']} s, p95 {figures['ready_p95_seconds']} s), "
                    f"{figures['campaigns_abandoned']} abandoned"
                )
            summaries.append(table)
            print(table, flush=True)
            if mix.name == "read":
                ok = (
                    aggregated.p95 <= READ_TARGET_P95_MS
                    and aggregated.failures == 0
                    and aggregated.per_minute >= READ_TARGET_PER_MINUTE
                )
                verdicts.append(
                    f"read mix target (p95 <= {READ_TARGET_P95_MS:.0f} ms, no errors, >= {READ_TARGET_PER_MINUTE:.0f} "
                    f"requests a minute): {'met' if ok else 'NOT met'} (p95 {aggregated.p95:.0f} ms, "
                    f"{aggregated.failures} errors, {aggregated.per_minute:.0f} a minute)"
                )
    finally:
        if stack is not None:
            stack.stop()
    text = "\n".join([*notes, *summaries, "", *verdicts, f"reports: {out}"])
    (out / "summary.txt").write_text(text + "\n")
    print("\n" + "\n".join([*notes, *verdicts, f"reports (CSV, HTML, logs): {out}"]), flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
