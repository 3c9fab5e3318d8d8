"""The real API and worker as subprocesses, and what they cost in memory and CPU.

Each service runs in its own session (process group), so stopping it, on success, on an
exception or on Ctrl-C, reaches every process it forked. Memory is read from
/proc/<pid>/status (psutil is not a dependency): VmRSS every 100 ms for the process and
all its descendants, and VmHWM, the kernel's own peak, which no sampling interval misses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

import httpx

from core.config import PROJECT_ROOT
from scripts.stack import stop_process_group

CLK_TCK = os.sysconf("SC_CLK_TCK")


class ServiceProcess:
    """A subprocess in its own process group, logging to a file."""

    name = "service"

    def __init__(self, command: list[str], log_path: Path, env: dict[str, str]) -> None:
        self.command = command
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _exited(self) -> RuntimeError:
        return RuntimeError(
            f"{self.name} exited with {self.process.returncode if self.process else '?'}:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the group (a warm shutdown for Celery), SIGKILL what is left after `timeout`."""
        stop_process_group(self.process, timeout)


class UvicornProcess(ServiceProcess):
    """An ASGI app under uvicorn, started when its health path answers 200."""

    app = ""
    health_path = "/health"

    def __init__(self, port: int, log_path: Path, env: dict[str, str]) -> None:
        command = [
            sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning",
        ]  # fmt: skip
        super().__init__(command, log_path, env)
        self.base_url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 60.0) -> Self:
        self.spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise self._exited()
            try:
                if httpx.get(f"{self.base_url}{self.health_path}", timeout=3).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the {self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")


class ApiProcess(UvicornProcess):
    name = "API"
    app = "api.main:app"


class WorkerProcess(ServiceProcess):
    """`celery -A worker.app worker` with beat, as Procfile and tests/support/processes.py run it."""

    name = "worker"

    def __init__(
        self,
        label: str,
        run_dir: Path,
        env: dict[str, str],
        *,
        concurrency: int = 2,
        pool: str = "prefork",
        queues: str = "images,exports,maintenance",
        beat: bool = True,
    ) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--pool", pool,
            "--concurrency", str(concurrency), "--queues", queues,
            "--hostname", f"bench-{label}@%h", "--without-gossip", "--without-mingle", "--loglevel", "INFO",
        ]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(run_dir / f"beat-{label}.schedule")]
        super().__init__(command, run_dir / f"worker-{label}.log", env)
        self.label = label
        self.metrics_url = f"http://127.0.0.1:{env['RENAMER_WORKER_METRICS_PORT']}/metrics"
        self.started_at = 0.0  # time.time() of the spawn
        self.ready_at = 0.0  # time.time() when Celery said "ready."

    def start(self, timeout: float = 120.0) -> WorkerProcess:
        self.started_at = time.time()
        self.spawn()
        return self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 120.0) -> WorkerProcess:
        """Until Celery logs "ready." (after `spawn()`; `start()` does both)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise self._exited()
            if " ready." in self.log_text():
                self.ready_at = time.time()
                return self
            time.sleep(0.05)
        raise TimeoutError(f"worker {self.label} did not start within {timeout:.0f} s:\n{self.log_tail()}")

    def metrics(self) -> str:
        response = httpx.get(self.metrics_url, timeout=10)
        response.raise_for_status()
        return response.text


# --------------------------------------------------------------------------- /proc


def _status(pid: int) -> dict[str, int] | None:
    """VmRSS and VmHWM in bytes, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            text = status.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values if "VmRSS" in values else None


def _pss(pid: int) -> int | None:
    """Proportional set size in bytes: shared pages (the fork's copy-on-write inheritance)
    split between the processes sharing them, so a sum over processes is honest."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return "?"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as listing:
                found += [int(child) for child in listing.read().split()]
        except FileNotFoundError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    result, pending = [], children(pid)
    while pending:
        child = pending.pop()
        result.append(child)
        pending += children(child)
    return result


@dataclass
class ProcessMemory:
    pid: int
    role: str  # "main" or "child"
    command: str = ""  # /proc/<pid>/comm: "python" for Celery's processes, "tesseract" ...
    peak_rss: int = 0  # highest VmRSS sampled
    hwm: int = 0  # last VmHWM read: the kernel's peak RSS since the process started
    first_cpu: float = 0.0
    last_cpu: float = 0.0
    last_rss: int = 0
    gone: bool = False


@dataclass
class TreeMemory:
    processes: dict[int, ProcessMemory] = field(default_factory=dict)
    peak_total: int = 0  # highest sum of VmRSS over the tree in one sample (counts shared pages twice)
    peak_total_pss: int = 0  # highest sum of PSS over the tree in one sample
    samples: int = 0


class MemorySampler:
    """Samples a process tree every `interval` seconds in a background thread."""

    def __init__(self, root_pid: int, interval: float = 0.1, *, pss_every: int = 10) -> None:
        """PSS is read every `pss_every` samples (0: never): smaps_rollup walks the page
        tables, ~5 ms for a 200 MB process, which every 100 ms would take a tenth of a core
        away from the worker being measured; VmRSS and VmHWM cost ~0.03 ms."""
        self.root_pid = root_pid
        self.interval = interval
        self.pss_every = pss_every
        self._count = 0
        self.tree = TreeMemory()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"rss-{root_pid}", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def sample(self) -> None:
        with self._lock:
            pids = [self.root_pid, *descendants(self.root_pid)]
            total = 0
            total_pss = 0
            self._count += 1
            with_pss = bool(self.pss_every) and self._count % self.pss_every == 1
            seen = set()
            for pid in pids:
                status = _status(pid)
                if status is None:
                    continue
                seen.add(pid)
                cpu = cpu_seconds(pid) or 0.0
                record = self.tree.processes.get(pid)
                if record is None:
                    record = ProcessMemory(
                        pid=pid, role="main" if pid == self.root_pid else "child", command=_comm(pid), first_cpu=cpu
                    )
                    self.tree.processes[pid] = record
                if record.role == "child":  # a fork that then execs (tesseract) changes its name
                    record.command = _comm(pid)
                record.peak_rss = max(record.peak_rss, status["VmRSS"])
                record.hwm = max(record.hwm, status.get("VmHWM", 0))
                record.last_rss = status["VmRSS"]
                record.last_cpu = cpu
                total += status["VmRSS"]
                if with_pss:
                    total_pss += _pss(pid) or 0
            for pid, record in self.tree.processes.items():
                if pid not in seen:
                    record.gone = True
            self.tree.peak_total = max(self.tree.peak_total, total)
            self.tree.peak_total_pss = max(self.tree.peak_total_pss, total_pss)
            self.tree.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception as exc:  # never take the benchmark down for a missed sample
                print(f"[rss] sample failed: {exc!r}", file=sys.stderr)
            self._stop.wait(self.interval)

    def snapshot_cpu(self) -> dict[int, float]:
        """CPU seconds per live pid of the tree right now."""
        self.sample()
        with self._lock:
            return {pid: record.last_cpu for pid, record in self.tree.processes.items() if not record.gone}


# --------------------------------------------------------------------------- other load on the machine


def _busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


@dataclass(frozen=True)
class CpuMark:
    at: float  # time.monotonic()
    busy: float  # CPU seconds the whole machine had spent
    groups: dict[str, float]  # group -> CPU seconds spent by its processes so far


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds per group over a window; "other" is everything that is not ours."""

    seconds: float
    groups: dict[str, float]

    def cores(self, group: str) -> float:
        return self.groups.get(group, 0.0) / self.seconds if self.seconds > 0 else 0.0

    @property
    def foreign_cores(self) -> float:
        return self.cores("other")


class CpuAccounting:
    """Where the machine's CPU went, by group: the benchmark process, the API, the worker,
    each service the pipeline talks to, and "other" (other people's jobs on a shared box,
    so that a figure taken on a busy machine says so).

    Every second it reads the CPU time of every process of ours (kept after a process
    exits) and, on demand, the machine's busy time from /proc/stat; "other" is the
    difference. A PostgreSQL backend serving somebody else's tests cannot be told apart
    from ours and counts as "postgres".
    """

    PRIVATE: ClassVar[frozenset[str]] = frozenset({"clamd", "s3"})  # one per checkout, unlike PostgreSQL and Redis
    SERVICES: ClassVar[dict[str, str]] = {
        "clamd": "clamd",
        "postgres": "postgres",
        "redis-server": "redis",
        "weed": "s3",
    }

    def __init__(self, data_dir: Path, interval: float = 1.0) -> None:
        self.interval = interval
        self.data_dir = str(data_dir)
        self._roots: dict[int, str] = {}  # pid -> group, besides the benchmark process itself
        self._group: dict[int, str] = {}
        self._baseline: dict[int, float] = {}  # pid -> CPU seconds when first seen
        self._latest: dict[int, float] = {}  # pid -> CPU seconds when last seen (kept after exit)
        self._samples = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-accounting", daemon=True)
        self._services = self._find_services()
        self.sample()
        self._thread.start()

    def _find_services(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    name = comm.read().strip()
            except (FileNotFoundError, ProcessLookupError):
                continue
            for prefix, group in self.SERVICES.items():
                if name.startswith(prefix) and (group not in self.PRIVATE or self._ours_by_cmdline(int(entry))):
                    found[int(entry)] = group
        return found

    def _ours_by_cmdline(self, pid: int) -> bool:
        """Other checkouts run their own clamd and SeaweedFS; ours have our data directory in their arguments."""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                return self.data_dir.encode() in cmdline.read()
        except (FileNotFoundError, ProcessLookupError):
            return False

    def add_root(self, pid: int, group: str) -> None:
        with self._lock:
            self._roots[pid] = group
        self.sample()

    def sample(self) -> None:
        with self._lock:
            self._samples += 1
            if self._samples % 10 == 0:
                self._services.update(self._find_services())  # new PostgreSQL backends
            owner: dict[int, str] = dict(self._services)
            ours: set[int] = set()
            for root, group in self._roots.items():
                for pid in (root, *descendants(root)):
                    owner[pid] = group
                    ours.add(pid)
            me = os.getpid()
            for pid in (me, *descendants(me)):
                if pid not in ours:
                    owner[pid] = "bench"
                    ours.add(pid)
            for pid, group in owner.items():
                value = cpu_seconds(pid)
                if value is None:
                    continue
                if pid not in self._baseline:
                    # A process of ours born since the start spent all its CPU in the
                    # window; anything else counts from when we first saw it.
                    self._baseline[pid] = 0.0 if (pid in ours and self._samples > 1 and pid != me) else value
                self._group[pid] = group
                self._latest[pid] = value

    def mark(self) -> CpuMark:
        self.sample()
        with self._lock:
            groups: dict[str, float] = {}
            for pid, value in self._latest.items():
                group = self._group[pid]
                groups[group] = groups.get(group, 0.0) + value - self._baseline[pid]
            return CpuMark(at=time.monotonic(), busy=_busy_seconds(), groups=groups)

    def since(self, mark: CpuMark) -> CpuUse:
        now = self.mark()
        groups = {g: now.groups.get(g, 0.0) - mark.groups.get(g, 0.0) for g in now.groups}
        groups["other"] = max(0.0, (now.busy - mark.busy) - sum(groups.values()))
        return CpuUse(seconds=now.at - mark.at, groups=groups)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except Exception as exc:
                print(f"[cpu] sample failed: {exc!r}", file=sys.stderr)

    def stop(self) -> None:
        self._stop.set()
