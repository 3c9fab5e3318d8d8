"""Run the whole Image Renamer stack on 127.0.0.1: API, worker (with beat), realtime
service and the built frontend. The browser tests use it; it works by hand too:

    uv run --frozen python scripts/stack.py                 # free ports; prints the URLs; Ctrl-C stops
    uv run --frozen python scripts/stack.py --frontend-port 3000 --api-port 3001 --realtime-port 3002
    uv run --frozen python scripts/stack.py --no-build      # use frontend/.next as it is

PostgreSQL, Redis, S3 and clamd must be up (`make services`); the processes get this
process's environment (RENAMER_* settings), plus:

* RENAMER_CORS_ORIGINS: the frontend's origin, for the API and the realtime service;
* RENAMER_FRONTEND_URL and RENAMER_OIDC_REDIRECT_URL: mail links and sign-in with a
  provider come back to this stack's ports (point RENAMER_OIDC_ISSUER and friends at a
  provider, and set NEXT_PUBLIC_OIDC_PROVIDER_NAME, to show "Sign in with ...");
* NEXT_PUBLIC_API_URL / NEXT_PUBLIC_REALTIME_URL for `next start`. The frontend reads
  them at request time (the root layout renders them into the page), so one build
  serves any ports: nothing is rebuilt when the ports change.

The frontend is (re)built first when frontend/.next is missing or older than its
sources (`npm ci` too when node_modules is missing or older than package-lock.json).
Only the standard library is used here, so this module (`scripts.stack`) is importable
from the tests, the benchmarks and the load tests, and runnable with any Python; the
services run with the same interpreter as this script.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FRONTEND = PROJECT_ROOT / "frontend"
HOST = "127.0.0.1"

# What a frontend build depends on; a newer file than .next/BUILD_ID means rebuild.
BUILD_INPUTS = ("src", "package.json", "package-lock.json", "next.config.ts", "tsconfig.json", "openapi.json")


class StackError(RuntimeError):
    pass


# Ports that free_port() handed out in this process, so two services never get the same one.
_handed_out: set[int] = set()
_random = random.SystemRandom()


@functools.cache
def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port() -> int:
    """A port on HOST that nothing listens on, for a server this process is about to start.

    Not bind(0): the kernel picks that port from its ephemeral range, which outgoing
    connections draw from too, so between the probe and the server's bind a client socket
    can take it (CI once saw uvicorn fail with EADDRINUSE that way). Ports below that range
    are only ever taken by something that binds them on purpose."""
    low, _ = _ephemeral_range()
    pool = range(10000, low) if low > 11000 else range(low, 65536)
    for _ in range(200):
        port = _random.choice(pool)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise StackError(f"no free port on {HOST} between {pool.start} and {pool.stop - 1}")


def stop_process_group(process: subprocess.Popen[bytes] | None, timeout: float = 20.0) -> None:
    """Stop the process group `process` leads (started with start_new_session=True): SIGTERM
    (a warm shutdown for Celery), then SIGKILL for whatever is left after `timeout`, including
    children that outlived their parent (a pool child mid-task)."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGCONT)  # a paused process cannot act on SIGTERM
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


# --------------------------------------------------------------------------- frontend build


def _newest_mtime(paths: Iterator[Path]) -> float:
    newest = 0.0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            newest = max(newest, path.stat().st_mtime)
    return newest


def _build_inputs() -> Iterator[Path]:
    for name in BUILD_INPUTS:
        path = FRONTEND / name
        if path.is_dir():
            yield from (p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def frontend_build_is_stale() -> bool:
    build_id = FRONTEND / ".next" / "BUILD_ID"
    if not build_id.exists():
        return True
    return _newest_mtime(_build_inputs()) > build_id.stat().st_mtime


def _dependencies_are_stale() -> bool:
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    if not installed.exists():
        return True
    return (FRONTEND / "package-lock.json").stat().st_mtime > installed.stat().st_mtime


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One build at a time per checkout (two test sessions may start together)."""
    digest = hashlib.sha256(str(FRONTEND).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"renamer-frontend-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_frontend_built(*, force: bool = False, log: IO[str] | None = None) -> bool:
    """Install and build the frontend if needed; True when a build ran."""
    npm = shutil.which("npm")
    if npm is None:
        raise StackError("npm is not installed: the frontend needs Node.js 20+ and npm")
    env = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1", "CI": os.environ.get("CI", "1")}
    out = log or sys.stderr
    with _build_lock():
        if _dependencies_are_stale():
            _run([npm, "install", "--no-audit", "--no-fund"], env=env, out=out)  # see the Makefile on npm ci
        if not force and not frontend_build_is_stale():
            return False
        _run([npm, "run", "build"], env=env, out=out)
        return True


def _run(command: list[str], *, env: dict[str, str], out: IO[str]) -> None:
    print(f"$ {' '.join(command)}  (in frontend/)", file=out, flush=True)
    result = subprocess.run(  # noqa: S603 (npm with fixed arguments)
        command, cwd=FRONTEND, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out.write(result.stdout[-20_000:])
    out.flush()
    if result.returncode != 0:
        raise StackError(f"{' '.join(command)} failed with exit code {result.returncode}:\n{result.stdout[-4000:]}")


# --------------------------------------------------------------------------- processes


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own loopback URL)
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Service:
    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    log_path: Path
    ready: Callable[[Service], bool]
    process: subprocess.Popen[bytes] | None = None
    log_offset: int = 0

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.log_offset = log.tell()
            self.process = subprocess.Popen(  # noqa: S603 (our own fixed commands)
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )

    def log_text(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.read_bytes()[self.log_offset :].decode(errors="replace")
        return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.alive():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 20.0) -> None:
        stop_process_group(self.process, timeout)


@dataclass
class Stack:
    """The services on 127.0.0.1; a port of 0 means any free one."""

    log_dir: Path
    api_port: int = 0
    realtime_port: int = 0
    frontend_port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    with_worker: bool = True
    with_realtime: bool = True
    with_frontend: bool = True
    python: str = sys.executable
    services: list[Service] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.api_port = self.api_port or free_port()
        self.realtime_port = self.realtime_port or free_port()
        self.frontend_port = self.frontend_port or free_port()

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def realtime_url(self) -> str:
        return f"http://{HOST}:{self.realtime_port}"

    @property
    def frontend_url(self) -> str:
        return f"http://{HOST}:{self.frontend_port}"

    def _base_env(self) -> dict[str, str]:
        origins = [self.frontend_url, f"http://localhost:{self.frontend_port}"]
        # Not the caller's metrics folder (a test process that imported worker.app has one):
        # the stack's worker picks its own, so its /metrics holds its own samples only.
        inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        return {
            **inherited,
            "PYTHONUNBUFFERED": "1",
            "RENAMER_CORS_ORIGINS": json.dumps(origins),
            # Mail links and the OpenID Connect round trip point at this stack's own ports.
            "RENAMER_FRONTEND_URL": self.frontend_url,
            "RENAMER_OIDC_REDIRECT_URL": f"{self.api_url}/auth/oidc/callback",
            "RENAMER_API_PORT": str(self.api_port),
            "RENAMER_REALTIME_PORT": str(self.realtime_port),
            # A `make dev` worker may hold the default metrics port.
            "RENAMER_WORKER_METRICS_PORT": os.environ.get("RENAMER_WORKER_METRICS_PORT", "0"),
            **self.env,
        }

    def _define(self) -> list[Service]:
        env = self._base_env()
        uvicorn = [self.python, "-m", "uvicorn", "--host", HOST, "--log-level", "info"]
        services = [
            Service(
                "api",
                [*uvicorn, "--port", str(self.api_port), "api.main:app"],
                PROJECT_ROOT,
                env,
                self.log_dir / "api.log",
                lambda s: _http_ok(f"{self.api_url}/health/ready"),
            )
        ]
        if self.with_worker:
            schedule = self.log_dir / "celerybeat-schedule"
            worker = [
                self.python, "-m", "celery", "-A", "worker.app", "worker",
                "--concurrency", "2", "--queues", "images,exports,maintenance",
                "--beat", "--schedule", str(schedule),
                "--hostname", f"stack-{self.api_port}@%h", "--without-gossip", "--without-mingle",
                "--loglevel", "INFO",
            ]  # fmt: skip
            services.append(
                Service(
                    "worker",
                    worker,
                    PROJECT_ROOT,
                    env,
                    self.log_dir / "worker.log",
                    lambda s: " ready." in s.log_text(),
                )
            )
        if self.with_realtime:
            services.append(
                Service(
                    "realtime",
                    [*uvicorn, "--port", str(self.realtime_port), "realtime.app:app"],
                    PROJECT_ROOT,
                    env,
                    self.log_dir / "realtime.log",
                    lambda s: _http_ok(f"{self.realtime_url}/health/ready"),
                )
            )
        if self.with_frontend:
            next_bin = FRONTEND / "node_modules" / "next" / "dist" / "bin" / "next"
            node = shutil.which("node") or "node"
            services.append(
                Service(
                    "frontend",
                    [node, str(next_bin), "start", "-p", str(self.frontend_port), "-H", HOST],
                    FRONTEND,
                    {
                        **env,
                        "NEXT_TELEMETRY_DISABLED": "1",
                        "NODE_ENV": "production",
                        "NEXT_PUBLIC_API_URL": self.api_url,
                        "NEXT_PUBLIC_REALTIME_URL": self.realtime_url,
                    },
                    self.log_dir / "frontend.log",
                    lambda s: _http_ok(f"{self.frontend_url}/login"),
                )
            )
        return services

    def wait_for_realtime_code(self, timeout: float) -> None:
        """The realtime service may still be on its way into this tree; wait for it a while."""
        deadline = time.monotonic() + timeout
        while not (PROJECT_ROOT / "realtime" / "app.py").exists():
            if time.monotonic() > deadline:
                raise StackError("realtime/app.py does not exist: the realtime service is not in this checkout")
            time.sleep(1.0)

    def start(self, timeout: float = 120.0, realtime_wait: float = 0.0) -> Stack:
        if self.with_frontend and not (FRONTEND / ".next" / "BUILD_ID").exists():
            raise StackError("the frontend is not built: run ensure_frontend_built() or `npm run build` in frontend/")
        if self.with_realtime:
            self.wait_for_realtime_code(realtime_wait)
        self.services = self._define()
        try:
            for service in self.services:
                service.start()
            pending = list(self.services)
            deadline = time.monotonic() + timeout
            while pending:
                for service in list(pending):
                    if not service.alive():
                        raise StackError(f"{service.name} exited early:\n{service.log_tail()}")
                    if service.ready(service):
                        pending.remove(service)
                if pending and time.monotonic() > deadline:
                    names = ", ".join(s.name for s in pending)
                    tails = "\n\n".join(f"--- {s.name}\n{s.log_tail()}" for s in pending)
                    raise StackError(f"not ready after {timeout:.0f} s: {names}\n{tails}")
                time.sleep(0.25)
        except BaseException:
            self.stop()
            raise
        return self

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def pause(self, name: str) -> None:
        """Freeze a service (SIGSTOP to its process group), e.g. hold the worker so a test
        can see queued images; `resume` lets it carry on where it was."""
        self.service(name).signal_group(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.service(name).signal_group(signal.SIGCONT)

    def check_alive(self) -> None:
        for service in self.services:
            if not service.alive():
                raise StackError(f"{service.name} died:\n{service.log_tail()}")

    def stop(self) -> None:
        # The frontend and realtime first: browsers lose their server before the API does.
        for service in reversed(self.services):
            service.stop()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-port", type=int, default=0)
    parser.add_argument("--realtime-port", type=int, default=0)
    parser.add_argument("--frontend-port", type=int, default=0)
    parser.add_argument("--log-dir", type=Path, default=None, help="default: a new temporary directory")
    parser.add_argument("--no-build", action="store_true", help="do not (re)build the frontend")
    parser.add_argument("--rebuild", action="store_true", help="build the frontend even if it looks current")
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--realtime-wait", type=float, default=0.0, help="seconds to wait for realtime/app.py")
    args = parser.parse_args(argv)

    if not args.no_build:
        ensure_frontend_built(force=args.rebuild)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="renamer-stack-"))
    stack = Stack(
        log_dir=log_dir,
        api_port=args.api_port,
        realtime_port=args.realtime_port,
        frontend_port=args.frontend_port,
        with_worker=not args.no_worker,
    )
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    stack.start(realtime_wait=args.realtime_wait)
    print(
        f"frontend  {stack.frontend_url}\napi       {stack.api_url}  (docs {stack.api_url}/docs)\n"
        f"realtime  {stack.realtime_url}\nlogs      {log_dir}\nCtrl-C stops everything.",
        flush=True,
    )
    try:
        while not stopping:
            stack.check_alive()
            time.sleep(1.0)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
