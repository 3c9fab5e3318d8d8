"""Real API and worker processes for end-to-end tests (started, killed and waited for)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from core.config import PROJECT_ROOT
from scripts.stack import free_port, stop_process_group


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test environment for a process a test starts, plus `extra`.

    Never the test process's PROMETHEUS_MULTIPROC_DIR: a test module that imports worker.app
    sets one here, and children sharing it would aggregate each other's samples, and each
    worker's start-up clean-up would wipe those of the processes started before it. A worker
    picks its own folder (worker/app.py); `extra` may still name one."""
    inherited = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    return {**inherited, **(extra or {})}


def wait_until(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], *, name: str, log_path: Path, timeout: float
) -> None:
    """Poll `ready` every 0.2 s until it holds; raise with the log's tail if the process exits
    or the time runs out. HTTP errors while it starts count as not ready yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if ready():
                return
        time.sleep(0.2)
    raise TimeoutError(f"{name} not ready in {timeout:.0f} s:\n{log_path.read_text(errors='replace')[-3000:]}")


def start_logged(
    command: list[str],
    *,
    name: str,
    log_path: Path,
    ready: Callable[[], bool],
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = PROJECT_ROOT,
) -> subprocess.Popen[bytes]:
    """Start `command` as the leader of a process group of its own (stop it with
    scripts.stack.stop_process_group), its output appended to `log_path`, and wait until
    `ready()` holds (wait_until: fails with the log's tail)."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    wait_until(process, ready, name=name, log_path=log_path, timeout=timeout)
    return process


class ApiProcess:
    """`uvicorn api.main:app` on a free port with the test environment plus `env`."""

    def __init__(self, name: str, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"api-{name}.log"
        self.env = child_environment(env)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> ApiProcess:
        # A loaded 2-core CI box can take a while to import the app: wait, and fail with its log.
        command = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = start_logged(
            command,
            name="API",
            log_path=self.log_path,
            ready=lambda: httpx.get(f"{self.url}/health", timeout=2).status_code == 200,
            timeout=timeout,
            env=self.env,
        )
        return self

    def stop(self) -> None:
        stop_process_group(self.process, timeout=15)


class WorkerProcess:
    def __init__(
        self,
        name: str,
        log_dir: Path,
        *,
        beat: bool = True,
        concurrency: int = 2,
        env: dict[str, str] | None = None,
        pool: str = "prefork",
        queues: str = "images,exports,maintenance",
    ) -> None:
        self.name = name
        self.pool = pool
        self.queues = queues
        self.env = child_environment(env)
        self.log_path = log_dir / f"worker-{name}.log"
        self.schedule = log_dir / f"beat-{name}.schedule"
        self.beat = beat
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> WorkerProcess:
        command = [
            sys.executable, "-m", "celery", "-A", "worker.app", "worker",
            "--pool", self.pool, "--concurrency", str(self.concurrency), "--queues", self.queues,
            "--hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle", "--loglevel", "INFO",
        ]  # fmt: skip
        if self.beat:
            command += ["--beat", "--schedule", str(self.schedule)]
        # A restart appends to the log: look for readiness after this point only.
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.process = start_logged(
            command,
            name=f"worker {self.name}",
            log_path=self.log_path,
            ready=lambda: b" ready." in self.log_path.read_bytes()[offset:],
            timeout=timeout,
            env=self.env,
        )
        return self

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and every child, mid-task."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process_group(self.process, timeout=20)


def running_session_worker(request: pytest.FixtureRequest) -> WorkerProcess | None:
    """The session's `worker` if an earlier test started it (else None). Modules that run a stack
    of their own stop it meanwhile, or it takes their jobs from the shared queues. Asking for
    the fixture would start one only to stop it again, so its cached value is looked up."""
    try:
        definitions = request._fixturemanager.getfixturedefs("worker", request.node) or ()
        cached = definitions[-1].cached_result if definitions else None
    except (AttributeError, TypeError):  # pytest internals moved: fall back to the public way
        worker: WorkerProcess = request.getfixturevalue("worker")
        return worker
    return cached[0] if cached else None
