"""`make bench`: what this machine can do, and what the pipeline does with it.

    uv run --frozen python -m bench.run          (after scripts/services.sh up)

Prints a table (also written to bench/out/latest.txt) of:
  1. standalone limits measured in the same run: clamd INSTREAM, SHA-256, draft decode;
  2. the pipeline through the real API (uvicorn) and the real worker (Celery prefork with
     beat): ingest, analysis and naming, ZIP, end to end, analysis without OCR, and the
     worker's peak RSS, including for one 50-megapixel JPEG;
  3. targets with PASS/MISS.
It is not a test: it exits 0 whatever the figures, and non-zero only when the pipeline
itself breaks (an error response, a batch that never completes). Progress goes to stderr.

Everything runs against its own database (renamer_bench), bucket (renamer-bench) and Redis
database (13), so a running `make dev` or test suite is left alone. The 220 benchmark
files are generated once and cached in bench/out/corpus/.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from types import FrameType

from bench import environment

# Settings are read once per process: the benchmark's database, bucket and Redis database
# must be in the environment before anything imports core.
environment.apply()

from bench.client import UPLOAD_CLIENTS, progress  # noqa: E402
from bench.corpus import large_photo, photo_corpus  # noqa: E402
from bench.environment import OUT_DIR  # noqa: E402
from bench.pipeline import Pipeline, base_environment, wait_for_quiet  # noqa: E402
from bench.processes import CpuAccounting  # noqa: E402
from core.config import PROJECT_ROOT, get_settings  # noqa: E402

# A whole run takes 3-5 minutes on the 2-core dev box; past this something hangs.
DEADLINE_SECONDS = 20 * 60


class BenchTimeout(Exception):
    pass


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _deadline(_signum: int, _frame: FrameType | None) -> None:
    raise BenchTimeout(f"the benchmark ran past its {DEADLINE_SECONDS // 60}-minute deadline")


def _revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        return f"{rev}{' + uncommitted changes' if dirty else ''}" if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _clamd_pid() -> str:
    from core.config import get_settings

    try:
        return (get_settings().data_dir / "clamd" / "clamd.pid").read_text().strip()
    except OSError:
        return "?"


def _header(run_id: str) -> list[str]:
    import PIL

    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [
        f"Image Renamer benchmark  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  run {run_id}  revision {_revision()}",
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, Pillow-SIMD {PIL.__version__}, "
        f"load average at start {load}",
    ]


def main() -> int:
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGALRM, _deadline)  # raised in the main thread: cleanup runs, the table is printed
    signal.alarm(DEADLINE_SECONDS)
    run_id = uuid.uuid4().hex[:8]
    run_dir = OUT_DIR / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    header = _header(run_id)
    base_env = base_environment()  # before the in-process analyzer touches os.environ

    from bench import report, standalone

    clamd_at_start = _clamd_pid()
    files = photo_corpus(jpegs=200, megapixels=12, pngs=20, png_size=(2000, 1500))
    large = large_photo(50)
    cpu = CpuAccounting(get_settings().data_dir)
    try:
        progress("fresh database renamer_bench, empty bucket and Redis db ...")
        environment.recreate_database()
        environment.reset_bucket_and_queue()

        quiet_note = wait_for_quiet(cpu, "the standalone measurements")
        mark = cpu.mark()
        limits = standalone.measure(files, run_id=run_id, clients=UPLOAD_CLIENTS)
        standalone_foreign = cpu.since(mark).foreign_cores
        pipeline = Pipeline(run_dir, base_env, cpu, run_id)
        try:
            if quiet_note:
                pipeline.results.disturbances.append(quiet_note)
            results = pipeline.run(files, large)
        finally:
            pipeline.close()
        try:
            environment.empty_bucket()  # ~1 GB of benchmark objects; the rows stay for inspection
        except Exception as exc:
            progress(f"could not empty the benchmark bucket: {exc!r}")
    finally:
        signal.alarm(0)
        cpu.stop()

    if _clamd_pid() != clamd_at_start:
        results.disturbances.append(
            f"clamd was restarted during the run (pid {clamd_at_start} -> {_clamd_pid()}): "
            "somebody else restarted the services"
        )
    table = report.render(
        header=header,
        files=files,
        standalone=limits,
        standalone_foreign=standalone_foreign,
        results=results,
        elapsed_s=time.monotonic() - started,
    )
    print(table, end="")
    (OUT_DIR / "latest.txt").write_text(table)
    progress(f"table written to {OUT_DIR / 'latest.txt'}; service logs in {run_dir}")
    return 1 if results.broken else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\n[bench] interrupted; services stopped", file=sys.stderr)
        sys.exit(130)
