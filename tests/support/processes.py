"""Real worker processes for end-to-end tests (started, killed and waited for)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT


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
        self.env = {**os.environ, **(env or {})}
        if "PROMETHEUS_MULTIPROC_DIR" not in (env or {}):
            # A test module that imports worker.app sets this folder in the test process; a
            # worker inheriting it would share one folder with every process started after it
            # and aggregate (and at start-up clean out) their samples. Its own, from worker.app.
            self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
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
        log = self.log_path.open("ab")
        offset = log.tell()  # a restart appends: look for readiness after this point only
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log_tail()}")
            if b" ready." in self.log_path.read_bytes()[offset:]:
                return self
            time.sleep(0.2)
        raise TimeoutError(f"worker {self.name} did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and every child, mid-task."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


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
