"""Realtime delivery under load: many browsers following their batches while images are named.

    uv run --frozen python -m bench.realtime [--clients 500] [--ocr]      (after scripts/services.sh up)

Starts the real API (uvicorn), worker (Celery prefork, 2 processes, with beat) and
realtime server (uvicorn realtime.app:app) as subprocesses, then:

  1. creates one user per client and one batch per user (the batch through the API);
  2. connects one `socketio.AsyncClient` per user (websocket transport, all on one asyncio
     loop in this process), authenticated with the user's access token, and joins its batch;
  3. uploads one small JPEG to every batch and starts it (API, 4 requests in flight), while
     the worker names the images and builds the ZIPs;
  4. waits until every client has seen its batch's BATCH_COMPLETED with the ZIP ready.

Each batch gives its client five events (IMAGE_UPLOADED, BATCH_PROCESSING_STARTED,
IMAGE_PROCESSED, BATCH_COMPLETED twice). The delay of an event is its receipt by the
client minus its `at` (stamped in the emitting transaction, before the commit), on the
same clock: commit, publish, Redis, the realtime server's ordering and fan-out, the
websocket and the client's own event loop. Printed: p50/p95/max over all events and per
type, events missing or out of order at the clients, connect+join time, and the realtime
server's peak RSS (VmHWM) and CPU.

Users are inserted straight into the database with one shared password hash and get
their tokens from core's `create_access_token`, exactly what the API's sign-up returns:
sign-up through the API costs ~0.5 s of argon2 per user on the 2-core box, which for 500
users would be most of the time budget and measures nothing about realtime. Everything
else goes through the services. OCR is off by default (`--ocr` turns it on) so the run
stays well under five minutes; the worker is still busy naming and zipping while events
flow.

`python -m bench.realtime` uses its own database (renamer_bench_rt), bucket and Redis
database (10); `run()` uses whatever bench.environment set up in the calling process.
Bounded in time (`deadline`, default 270 s); every process started here is stopped on the
way out, on success, error or Ctrl-C.
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # before bench.environment reads them
    os.environ.setdefault("RENAMER_BENCH_DATABASE", "renamer_bench_rt")
    os.environ.setdefault("RENAMER_BENCH_REDIS_DB", "10")

import argparse
import asyncio
import contextlib
import itertools
import shutil
import signal
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench import environment
from bench.processes import ApiProcess, MemorySampler, ServiceProcess, UvicornProcess, WorkerProcess, cpu_seconds

EVENTS_PER_BATCH = 5
TARGET_P95_MS = 100.0
CONNECT_CONCURRENCY = 50
HTTP_CONCURRENCY = 4
PASSWORD = "bench password 123"  # benchmark users only


def progress(message: str) -> None:
    print(f"[realtime] {message}", file=sys.stderr, flush=True)


class RealtimeProcess(UvicornProcess):
    name = "realtime server"
    app = "realtime.app:app"
    health_path = "/health/ready"  # subscribed to Redis, not merely listening

    def metric(self, sample: str) -> float:
        """The value of one sample from /metrics, e.g. 'renamer_realtime_reorder_total{outcome="held"}'."""
        for line in httpx.get(f"{self.base_url}/metrics", timeout=10).text.splitlines():
            if line.startswith(sample + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


@dataclass
class Follower:
    """One simulated browser: a user, its batch and its socket."""

    user_id: uuid.UUID
    token: str
    batch_id: str = ""
    received: list[tuple[float, dict[str, Any]]] = field(default_factory=list)  # (time.time(), payload)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    sio: Any = None


@dataclass
class Result:
    clients: int
    users_created_s: float = 0.0
    connect_join_s: float = 0.0
    upload_s: float = 0.0
    processing_s: float = 0.0  # first upload to the last client's "ZIP ready"
    delays_ms: dict[str, list[float]] = field(default_factory=dict)  # event type -> delays
    slowest: list[tuple[float, str, int]] = field(default_factory=list)  # (delay ms, type, seq), worst first
    missing: int = 0  # events a client never got (gaps in its seq)
    out_of_order: int = 0
    unfinished: int = 0  # clients that never saw their ZIP ready
    realtime_hwm: int = 0
    realtime_rss_idle: int = 0  # VmRSS before the clients connect
    realtime_rss_peak: int = 0  # highest VmRSS sampled (every 100 ms) during the run
    realtime_cpu_s: float = 0.0
    server_reorder: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    def all_delays(self) -> list[float]:
        return [d for values in self.delays_ms.values() for d in values]


def _vm(pid: int, key: str) -> int:
    """VmRSS or VmHWM of a process, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def _create_users(count: int) -> list[Follower]:
    from core.accounts import repository
    from core.accounts.models import User
    from core.accounts.security import create_access_token, email_hash, hash_password
    from core.config import get_settings
    from core.db import transaction

    settings = get_settings()
    password_hash = hash_password(PASSWORD)
    users = []
    with transaction() as session:
        for _ in range(count):
            email = f"rt-{uuid.uuid4().hex[:16]}@example.com"
            users.append(
                repository.add(
                    session,
                    User(email=email, email_hash=email_hash(email), display_name="bench", password_hash=password_hash),
                )
            )
        ids = [user.id for user in users]
    return [Follower(user_id=user_id, token=create_access_token(user_id, settings)[0]) for user_id in ids]


async def _bounded(concurrency: int, jobs: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Any) -> Any:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


def _picture(seed: int) -> bytes:
    from tests.fixtures.images import jpeg

    return jpeg(320, 240, seed=seed, quality=80)


class Run:
    def __init__(self, api_url: str, realtime_url: str, followers: list[Follower], result: Result) -> None:
        self.api_url = api_url
        self.realtime_url = realtime_url
        self.followers = followers
        self.result = result

    async def create_batches(self, http: httpx.AsyncClient) -> None:
        async def create(follower: Follower) -> None:
            response = await http.post(
                "/batches",
                json={"name": "realtime bench", "keywords": ["summer sale"]},
                headers={"Authorization": f"Bearer {follower.token}"},
            )
            response.raise_for_status()
            follower.batch_id = str(response.json()["id"])

        await _bounded(HTTP_CONCURRENCY, [create(f) for f in self.followers])

    async def connect_all(self) -> None:
        import socketio

        async def connect(follower: Follower) -> None:
            sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)

            @sio.on("*")
            async def on_event(_name: str, payload: Any = None) -> None:
                follower.received.append((time.time(), payload))
                data = payload.get("data", {}) if isinstance(payload, dict) else {}
                if payload.get("type") == "BATCH_COMPLETED" and data.get("download_ready"):
                    follower.done.set()

            await sio.connect(self.realtime_url, auth={"token": follower.token}, transports=["websocket"])
            follower.sio = sio
            ack = await sio.call("join", {"batch_id": follower.batch_id}, timeout=30)
            if not ack.get("ok") or ack.get("seq") != 0:
                raise RuntimeError(f"join refused: {ack}")

        await _bounded(CONNECT_CONCURRENCY, [connect(f) for f in self.followers])

    async def upload_and_start(self, http: httpx.AsyncClient) -> None:
        async def one(index: int, follower: Follower) -> None:
            headers = {"Authorization": f"Bearer {follower.token}"}
            files = [("files", (f"IMG_{index:04d}.jpg", _picture(index), "image/jpeg"))]
            response = await http.post(f"/batches/{follower.batch_id}/images", files=files, headers=headers)
            response.raise_for_status()
            if response.json().get("accepted") != 1:
                raise RuntimeError(f"upload refused: {response.text[:300]}")
            (await http.post(f"/batches/{follower.batch_id}/start", headers=headers)).raise_for_status()

        await _bounded(HTTP_CONCURRENCY, [one(i, f) for i, f in enumerate(self.followers)])

    async def wait_done(self, timeout: float) -> None:
        waits = [asyncio.wait_for(f.done.wait(), timeout) for f in self.followers]
        outcomes = await asyncio.gather(*waits, return_exceptions=True)
        self.result.unfinished = sum(1 for o in outcomes if isinstance(o, BaseException))
        await asyncio.sleep(0.5)  # stragglers (a late duplicate would show up as out of order)

    async def disconnect_all(self) -> None:
        await asyncio.gather(*(f.sio.disconnect() for f in self.followers if f.sio is not None), return_exceptions=True)

    def tally(self) -> None:
        for follower in self.followers:
            seqs = []
            for received_at, payload in follower.received:
                at = datetime.fromisoformat(payload["at"]).timestamp()
                delay = (received_at - at) * 1000
                self.result.delays_ms.setdefault(payload["type"], []).append(delay)
                self.result.slowest.append((delay, payload["type"], payload["seq"]))
                seqs.append(payload["seq"])
            self.result.out_of_order += sum(1 for a, b in itertools.pairwise(seqs) if b <= a)
            self.result.missing += EVENTS_PER_BATCH - len(set(seqs) & set(range(1, EVENTS_PER_BATCH + 1)))
        self.result.slowest = sorted(self.result.slowest, reverse=True)[:3]


async def _drive(
    api: ApiProcess, realtime: RealtimeProcess, followers: list[Follower], result: Result, budget: float
) -> None:
    run = Run(api.base_url, realtime.base_url, followers, result)
    limits = httpx.Limits(max_connections=HTTP_CONCURRENCY * 2)
    async with httpx.AsyncClient(base_url=api.base_url, timeout=60, limits=limits) as http:
        progress(f"creating {len(followers)} batches through the API ...")
        await run.create_batches(http)
        progress(f"connecting {len(followers)} Socket.IO clients and joining their batches ...")
        started = time.monotonic()
        await run.connect_all()
        result.connect_join_s = time.monotonic() - started
        progress(f"  {result.connect_join_s:.1f} s; uploading one image per batch and starting it ...")
        started = time.monotonic()
        try:
            await run.upload_and_start(http)
            result.upload_s = time.monotonic() - started
            progress(f"  uploads done in {result.upload_s:.1f} s; waiting for every ZIP-ready event ...")
            await run.wait_done(max(10.0, budget - (time.monotonic() - started)))
            result.processing_s = time.monotonic() - started
        finally:
            run.tally()
            await run.disconnect_all()


def run(
    clients: int = 500, *, run_dir: Path | None = None, ocr: bool = False, deadline: float = 270.0, fresh: bool = True
) -> dict[str, Any]:
    """Run the benchmark in the environment bench.environment set up (database, bucket, Redis
    database) and return its figures. `fresh` recreates that database and empties the bucket
    and Redis database first; pass False to add to what another benchmark left there."""
    began = time.monotonic()
    run_dir = run_dir or environment.OUT_DIR / "realtime"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    result = Result(clients=clients)
    if fresh:
        progress(f"fresh database {environment.BENCH_DB}, bucket and Redis db {environment.BENCH_REDIS_DB} ...")
        environment.recreate_database()
        environment.reset_bucket_and_queue()
    environment.wait_for_clamd()

    base = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    worker_env = {
        **base,
        "RENAMER_WORKER_METRICS_PORT": str(environment.free_port()),
        "PROMETHEUS_MULTIPROC_DIR": str(run_dir / "worker-metrics"),
        "RENAMER_OCR_ENABLED": "true" if ocr else "false",
    }
    (run_dir / "worker-metrics").mkdir()
    services: list[ServiceProcess] = []
    sampler: MemorySampler | None = None
    try:
        api = ApiProcess(environment.free_port(), run_dir / "api.log", base).start()
        services.append(api)
        realtime = RealtimeProcess(environment.free_port(), run_dir / "realtime.log", base).start()
        services.append(realtime)
        sampler = MemorySampler(realtime.pid, pss_every=0).__enter__()
        cpu_at_start = cpu_seconds(realtime.pid) or 0.0
        worker = WorkerProcess("rt", run_dir, worker_env).start()
        services.append(worker)

        progress(f"creating {clients} users (one shared password hash, tokens from core) ...")
        started = time.monotonic()
        followers = _create_users(clients)
        result.users_created_s = time.monotonic() - started

        result.realtime_rss_idle = _vm(realtime.pid, "VmRSS")
        budget = deadline - (time.monotonic() - began)
        asyncio.run(asyncio.wait_for(_drive(api, realtime, followers, result, budget - 15), budget))

        result.realtime_cpu_s = (cpu_seconds(realtime.pid) or 0.0) - cpu_at_start
        sampler.sample()
        result.realtime_hwm = _vm(realtime.pid, "VmHWM")
        result.realtime_rss_peak = sampler.tree.processes[realtime.pid].peak_rss
        for outcome in ("held", "released_after_gap", "late_dropped"):
            result.server_reorder[outcome] = realtime.metric(f'renamer_realtime_reorder_total{{outcome="{outcome}"}}')
    except BaseException as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, Exception):
            raise
    finally:
        if sampler is not None:
            sampler.stop()
        for service in reversed(services):
            with contextlib.suppress(Exception):
                service.stop(timeout=10)
    figures = _figures(result)
    figures["elapsed_s"] = time.monotonic() - began
    return figures


def _figures(result: Result) -> dict[str, Any]:
    delays = result.all_delays()
    return {
        "clients": result.clients,
        "events_received": len(delays),
        "events_expected": result.clients * EVENTS_PER_BATCH,
        "missing": result.missing,
        "out_of_order": result.out_of_order,
        "unfinished_clients": result.unfinished,
        "p50_ms": _percentile(delays, 50),
        "p95_ms": _percentile(delays, 95),
        "max_ms": max(delays) if delays else float("nan"),
        "slowest": [f"{kind} seq {seq}: {delay:.0f} ms" for delay, kind, seq in result.slowest],
        "by_type": {
            kind: {"count": len(v), "p50_ms": _percentile(v, 50), "p95_ms": _percentile(v, 95)}
            for kind, v in sorted(result.delays_ms.items())
        },
        "users_created_s": result.users_created_s,
        "connect_join_s": result.connect_join_s,
        "upload_s": result.upload_s,
        "processing_s": result.processing_s,
        "realtime_vmhwm_mb": result.realtime_hwm / 1e6,
        "realtime_rss_idle_mb": result.realtime_rss_idle / 1e6,
        "realtime_rss_peak_mb": result.realtime_rss_peak / 1e6,
        "realtime_cpu_s": result.realtime_cpu_s,
        "server_reorder": result.server_reorder,
        "target_p95_ms": TARGET_P95_MS,
        "error": result.error,
    }


def render(figures: dict[str, Any]) -> str:
    p95 = figures["p95_ms"]
    verdict = "PASS" if p95 == p95 and p95 <= TARGET_P95_MS and not figures["error"] else "MISS"
    lines = [
        f"Realtime: {figures['clients']} clients, each following its own 1-image batch",
        f"  {'event delay (at -> client)':<34} p50 {figures['p50_ms']:7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {figures['max_ms']:7.1f} ms   target p95 <= {TARGET_P95_MS:.0f} ms: {verdict}",
    ]
    for kind, row in figures["by_type"].items():
        lines.append(
            f"    {kind:<32} p50 {row['p50_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms   ({row['count']} events)"
        )
    lines += [
        f"  {'slowest':<34} {'; '.join(figures['slowest'])}",
        f"  {'events received / expected':<34} {figures['events_received']} / {figures['events_expected']}   "
        f"missing {figures['missing']}, out of order {figures['out_of_order']}, "
        f"clients never done {figures['unfinished_clients']}",
        f"  {'server reorder (held/gap/late)':<34} "
        + " / ".join(
            f"{figures['server_reorder'].get(k, 0):.0f}" for k in ("held", "released_after_gap", "late_dropped")
        ),
        f"  {'connect + join, all clients':<34} {figures['connect_join_s']:.1f} s",
        f"  {'uploads+starts / to last ZIP event':<34} {figures['upload_s']:.1f} s / {figures['processing_s']:.1f} s",
        f"  {'realtime server VmHWM':<34} {figures['realtime_vmhwm_mb']:.0f} MB   (VmRSS: before clients "
        f"{figures['realtime_rss_idle_mb']:.0f} MB, peak with clients {figures['realtime_rss_peak_mb']:.0f} MB)",
        f"  {'realtime server CPU':<34} {figures['realtime_cpu_s']:.1f} s",
        f"  {'whole run':<34} {figures['elapsed_s']:.0f} s",
    ]
    if figures["error"]:
        lines.append(f"  ERROR: {figures['error']}")
    return "\n".join(lines) + "\n"


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--ocr", action="store_true", help="name images with OCR on (slower worker)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)  # stop the services on `kill` too
    environment.apply()
    figures = run(args.clients, ocr=args.ocr)
    print(render(figures), end="")
    return 1 if figures["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
