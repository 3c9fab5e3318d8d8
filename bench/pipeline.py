"""The pipeline through the real API and the real worker, phase by phase.

  ingest      every file uploaded over HTTP (multipart, 10 files a request, 2 client threads)
              while no worker runs, so validation, scanning and storage have the CPU alone
  processing  then the worker starts and the batch is started: analysis and naming until
              COMPLETED (wall clock) and per-stage means from the worker's /metrics
  zip         from the batch's completion to its ZIP being recorded (zip_built_at)
  end to end  a second batch of the same pictures with the worker running during the upload,
              from the first upload request to the ZIP being downloadable
  no OCR      a JPEG-only batch through a worker with RENAMER_OCR_ENABLED=false
  50 MP       one 50-megapixel JPEG through a fresh worker: the peak RSS of the child that ran it

Timestamps of completion and ZIP come from the batch row (the worker writes them), so
polling intervals do not blur them; the client side uses time.time() on the same clock.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import observe
from bench.client import Api, PipelineBroken, ScannerWentAway, Upload, prepare, progress, upload_all
from bench.corpus import CorpusFile
from bench.environment import free_port, wait_for_clamd
from bench.processes import ApiProcess, CpuAccounting, CpuUse, MemorySampler, TreeMemory, WorkerProcess

# Celery logs a task that raised an exception it was not told to retry as "raised unexpected".
_CRASH = re.compile(r"Task \S+\[[0-9a-f-]+\] raised unexpected: [^\n]*")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\b")


QUIET_WAIT = 20.0  # at most this long before one phase ...
QUIET_BUDGET = 80.0  # ... and this long over the whole run, to stay within ~10 minutes on a busy box


def wait_for_quiet(
    cpu: CpuAccounting, label: str, *, max_wait: float = QUIET_WAIT, threshold: float = 0.3
) -> str | None:
    """Before a timed phase, wait (at most `max_wait`) for other people's jobs to use less than
    `threshold` cores: on a shared 2-core box one test suite halves every figure. Returns a
    note when the machine stayed busy."""
    started = time.monotonic()
    foreign = 0.0
    while True:
        mark = cpu.mark()
        time.sleep(2.0)
        foreign = cpu.since(mark).foreign_cores
        if foreign < threshold:
            return None
        if time.monotonic() - started >= max_wait:
            waited = f"after waiting {max_wait:.0f} s" if max_wait > 0 else "(no waiting left in the run's budget)"
            return f"{label}: other jobs used {foreign:.2f} cores {waited}; measured anyway"
        progress(f"  waiting for a quieter machine before {label}: other jobs use {foreign:.2f} cores")


# --------------------------------------------------------------------------- results


@dataclass
class BatchRun:
    label: str
    batch_id: str
    images: int
    upload: Upload | None = None
    worker_ready_at: float = 0.0
    started_at: float = 0.0  # time.time() of POST /start
    row: observe.BatchRow | None = None
    stages: observe.StageTotals = observe.EMPTY_TOTALS
    cpu_stages: observe.StageTotals = observe.EMPTY_TOTALS  # the worker thread's CPU time per stage
    analyzer: observe.AnalyzerTimings | None = None
    zip_size_announced: int = 0
    cpu: CpuUse | None = None  # processing window (the upload has its own)
    zip_cpu: CpuUse | None = None  # from seeing the batch complete to seeing its ZIP ready

    @property
    def completed_at(self) -> float:
        assert self.row is not None and self.row.completed_at is not None
        return self.row.completed_at.timestamp()

    @property
    def zip_built_at(self) -> float:
        assert self.row is not None and self.row.zip_built_at is not None
        return self.row.zip_built_at.timestamp()


@dataclass
class WorkerRun:
    label: str
    startup_s: float
    memory: TreeMemory
    log_problems: tuple[int, list[str]]
    children_seen: int


@dataclass
class LargeImage:
    file_mb: float
    megapixels: float
    child_pid: int
    child_hwm: int
    child_peak_rss: int
    child_idle_rss: int
    analysis_s: float | None
    total_s: float


@dataclass
class PipelineResults:
    ingest: BatchRun | None = None
    end_to_end: BatchRun | None = None
    no_ocr: BatchRun | None = None
    no_ocr_no_safety: BatchRun | None = None  # the same, also RENAMER_NUDENET_ENABLED=false
    large: LargeImage | None = None
    large_batch: BatchRun | None = None
    workers: list[WorkerRun] = field(default_factory=list)
    api_memory: TreeMemory | None = None
    api_log_problems: tuple[int, list[str]] = (0, [])
    broken: str | None = None
    disturbances: list[str] = field(default_factory=list)  # what the shared machine did to the run


# --------------------------------------------------------------------------- phases


class Pipeline:
    def __init__(self, run_dir: Path, base_env: dict[str, str], cpu: CpuAccounting, run_id: str) -> None:
        self.run_dir = run_dir
        self.base_env = base_env
        self.cpu = cpu
        self.run_id = run_id
        self.results = PipelineResults()
        self.current_worker: WorkerProcess | None = None
        self.quiet_budget = QUIET_BUDGET
        self._cleanups: list[Callable[[], None]] = []

    # -- processes

    def start_api(self) -> ApiProcess:
        env = {k: v for k, v in self.base_env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        api = ApiProcess(free_port(), self.run_dir / "api.log", env)
        self._cleanups.append(api.stop)
        progress(f"starting the API on {api.base_url} ...")
        api.start()
        self.cpu.add_root(api.pid, "api")
        self.api_process = api
        self.api_memory = MemorySampler(api.pid, interval=0.5, pss_every=0)  # its VmHWM is what counts
        self.api_memory.__enter__()
        self._cleanups.append(self.api_memory.stop)
        return api

    def start_worker(self, label: str, **settings: str) -> tuple[WorkerProcess, MemorySampler]:
        env = dict(self.base_env)
        env["RENAMER_WORKER_METRICS_PORT"] = str(free_port())
        # Its own directory: worker/metrics.py wipes it at start, and the default one
        # (.data/metrics/worker) belongs to a `make dev` worker.
        metrics_dir = self.run_dir / f"metrics-{label}"
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        # worker/app.py creates only its default directory, not one given in the
        # environment, and the first Counter at import needs it (reported as a bug).
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env.update(settings)
        worker = WorkerProcess(label, self.run_dir, env)
        self._cleanups.append(worker.stop)
        progress(f"starting worker {label} {' '.join(f'{k}={v}' for k, v in settings.items())}...")
        worker.start()
        self.current_worker = worker
        self.cpu.add_root(worker.pid, "worker")
        sampler = MemorySampler(worker.pid)
        sampler.__enter__()
        self._cleanups.append(sampler.stop)
        progress(f"  worker {label} ready in {worker.ready_at - worker.started_at:.1f} s")
        return worker, sampler

    def stop_worker(self, worker: WorkerProcess, sampler: MemorySampler) -> WorkerRun:
        self.current_worker = None
        sampler.sample()
        worker.stop()
        sampler.stop()
        children = sum(1 for p in sampler.tree.processes.values() if p.role == "child")
        run = WorkerRun(
            label=worker.label,
            startup_s=worker.ready_at - worker.started_at,
            memory=sampler.tree,
            log_problems=observe.log_problems(worker.log_text()),
            children_seen=children,
        )
        self.results.workers.append(run)
        return run

    def close(self) -> None:
        """Stop everything that was started, newest first; safe to call twice."""
        while self._cleanups:
            cleanup = self._cleanups.pop()
            try:
                cleanup()
            except Exception as exc:
                print(f"[pipeline] cleanup failed: {exc!r}", file=sys.stderr)

    # -- the phases

    def run(self, files: list[CorpusFile], large: CorpusFile, no_ocr_jpegs: int = 60) -> PipelineResults:
        try:
            api_process = self.start_api()
            api = Api(api_process.base_url)
            self._cleanups.append(api.close)
            api.sign_up()
            self._ingest_then_process(api, files)
            jpegs = [f for f in files if f.mime_type == "image/jpeg"][:no_ocr_jpegs]
            self.results.no_ocr = self._no_ocr(api, jpegs)
            # The NudeNet safety flag (issue 4) came after the analysis target (issue 2): its cost in the worker.
            self.results.no_ocr_no_safety = self._no_ocr(api, jpegs, safety=False)
            self._large_image(api, large)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # anything that stops the pipeline: report what we have, exit non-zero
            self.results.broken = f"{type(exc).__name__}: {exc}"
            progress(f"PIPELINE BROKEN: {self.results.broken}")
            traceback.print_exc(file=sys.stderr)
        finally:
            if hasattr(self, "api_memory"):
                self.api_memory.sample()
                self.results.api_memory = self.api_memory.tree
                self.results.api_log_problems = observe.log_problems(self.api_process.log_text())
            self.close()
        return self.results

    def _quiet(self, label: str) -> None:
        started = time.monotonic()
        note = wait_for_quiet(self.cpu, label, max_wait=min(QUIET_WAIT, self.quiet_budget))
        self.quiet_budget = max(0.0, self.quiet_budget - (time.monotonic() - started))
        if note:
            self.results.disturbances.append(note)

    def _watch_worker(self) -> None:
        """A task that crashed (a bug, not a retry) never finishes its image: stop at once."""
        worker = self.current_worker
        if worker is None:
            return
        text = worker.log_text()
        match = _CRASH.search(text)
        if match:
            error = next((line for line in text[match.end() :].splitlines() if _EXCEPTION_LINE.match(line)), "")
            raise PipelineBroken(f"a worker task crashed: {match.group(0).strip()} ... {error} (see {worker.log_path})")
        if not worker.alive():
            raise PipelineBroken(f"the worker exited:\n{worker.log_tail()}")

    def _finish(self, api: Api, run: BatchRun, timeout: float) -> None:
        api.wait(run.batch_id, download=True, timeout=timeout, watch=self._watch_worker)
        run.row = observe.batch_row(run.batch_id)
        run.zip_size_announced = api.check_download(run.batch_id)
        run.analyzer = observe.analyzer_timings([run.batch_id])
        if run.row.status != "COMPLETED" or run.row.processed_images != run.images:
            raise PipelineBroken(
                f"batch {run.label} ended {run.row.status} with {run.row.processed_images}/{run.images} named, "
                f"{run.row.failed_images} failed ({run.analyzer.failures})"
            )

    def _upload_batch(
        self, api: Api, label: str, files: list[CorpusFile], *, no_worker: bool, quiet: bool = True
    ) -> tuple[str, Upload]:
        """Create a batch and upload `files` to it. When clamd goes away mid-upload (somebody
        restarting the services on a shared machine), the batch is dropped and the upload
        redone on a new one once clamd answers again, so no figure has a restart in it."""
        for attempt in range(3):
            batch_id = api.create_batch(f"Bench {label}")
            payloads = prepare(files, f"{self.run_id}-{label}-{attempt}")
            try:
                if quiet:
                    self._quiet(f"the {label} upload")
                return batch_id, upload_all(api, batch_id, payloads, self.cpu)
            except ScannerWentAway as exc:
                note = f"{label}: clamd stopped answering during the upload (attempt {attempt + 1}); batch redone"
                self.results.disturbances.append(note)
                progress(f"  {note}: {exc}")
                observe.delete_batch(batch_id)
                if no_worker:  # its queued tasks would otherwise be run by the next worker
                    from core.redis import get_redis

                    get_redis().flushdb()
                wait_for_clamd()
            finally:
                del payloads
        raise PipelineBroken(f"{label}: clamd kept going away during the upload")

    def _ingest_then_process(self, api: Api, files: list[CorpusFile]) -> None:
        # 1. ingest alone
        total_mb = sum(f.size for f in files) / 1e6
        progress(f"ingest: uploading {len(files)} files ({total_mb:.0f} MB), no worker running ...")
        batch_id, upload = self._upload_batch(api, "ingest", files, no_worker=True)
        run = BatchRun("ingest", batch_id, images=len(files), upload=upload)
        self.results.ingest = run
        progress(f"  {upload.accepted} accepted in {upload.seconds:.1f} s = {upload.images_s:.1f} images/s")
        if upload.accepted != len(files):
            raise PipelineBroken(f"ingest accepted {upload.accepted}/{len(files)}: {upload.rejection_details}")

        # 2. analysis and naming: start the batch, then the worker
        run.started_at = time.time()
        api.start(run.batch_id)
        self._quiet("processing")
        worker, sampler = self.start_worker("main")
        mark = self.cpu.mark()
        run.worker_ready_at = worker.ready_at
        api.wait(run.batch_id, download=False, timeout=600, watch=self._watch_worker)
        run.cpu = self.cpu.since(mark)
        progress("  batch completed; waiting for its ZIP ...")
        mark = self.cpu.mark()
        self._finish(api, run, timeout=600)
        run.zip_cpu = self.cpu.since(mark)
        run.stages = observe.stage_totals(worker.metrics())
        processing_s, zip_s = run.completed_at - run.worker_ready_at, run.zip_built_at - run.completed_at
        progress(f"  processed in {processing_s:.1f} s, ZIP in {zip_s:.1f} s")

        # 3. end to end with the worker running during the upload
        before = observe.stage_totals(worker.metrics())
        progress(f"end to end: uploading {len(files)} files with the worker running ...")
        mark = self.cpu.mark()
        batch_id, upload = self._upload_batch(api, "end-to-end", files, no_worker=False)
        e2e = BatchRun("end to end", batch_id, images=len(files), upload=upload)
        self.results.end_to_end = e2e
        e2e.started_at = time.time()
        api.start(e2e.batch_id)
        self._finish(api, e2e, timeout=600)
        e2e.cpu = self.cpu.since(mark)
        e2e.stages = observe.stage_totals(worker.metrics()) - before
        progress(f"  ZIP downloadable {e2e.zip_built_at - upload.started:.1f} s after the first upload")
        self.stop_worker(worker, sampler)

    def _no_ocr(self, api: Api, jpegs: list[CorpusFile], *, safety: bool = True) -> BatchRun:
        label = "no-ocr" if safety else "no-ocr-no-safety"
        settings = {"RENAMER_OCR_ENABLED": "false"} | ({} if safety else {"RENAMER_NUDENET_ENABLED": "false"})
        described = ", ".join(f"{key}={value}" for key, value in settings.items())
        progress(f"{label}: {len(jpegs)} JPEGs through a worker with {described} ...")
        batch_id, upload = self._upload_batch(api, label, jpegs, no_worker=True)
        run = BatchRun(label, batch_id, images=len(jpegs), upload=upload)
        run.started_at = time.time()
        api.start(run.batch_id)
        self._quiet(f"processing ({label})")
        worker, sampler = self.start_worker(label, **settings)
        mark = self.cpu.mark()
        run.worker_ready_at = worker.ready_at
        api.wait(run.batch_id, download=False, timeout=300, watch=self._watch_worker)
        run.cpu = self.cpu.since(mark)
        self._finish(api, run, timeout=300)
        metrics_text = worker.metrics()
        run.stages = observe.stage_totals(metrics_text)
        run.cpu_stages = observe.stage_totals(metrics_text, observe.STAGE_CPU_METRIC)
        self.stop_worker(worker, sampler)
        return run

    @staticmethod
    def _settled_children(sampler: MemorySampler, timeout: float = 8.0) -> dict[int, int]:
        """VmRSS per child once the children have finished loading (worker_process_init
        keeps loading the provider after Celery says "ready.")."""
        deadline = time.monotonic() + timeout
        previous: dict[int, int] = {}
        while True:
            time.sleep(0.5)
            sampler.sample()
            current = {pid: p.last_rss for pid, p in sampler.tree.processes.items() if p.role == "child" and not p.gone}
            settled = current.keys() == previous.keys() and all(
                abs(current[pid] - previous[pid]) < 1024 * 1024 for pid in current
            )
            if settled or time.monotonic() > deadline:
                return current
            previous = current

    def _large_image(self, api: Api, large: CorpusFile) -> None:
        progress(f"50 MP: one {large.size / 1e6:.0f} MB JPEG through a fresh worker ...")
        worker, sampler = self.start_worker("large")
        idle = self._settled_children(sampler)
        cpu_before = sampler.snapshot_cpu()
        started = time.time()
        batch_id, upload = self._upload_batch(api, "50mp", [large], no_worker=False, quiet=False)
        run = BatchRun("50 MP", batch_id, images=1, upload=upload)
        self.results.large_batch = run
        if upload.accepted != 1:
            raise PipelineBroken(f"the 50 MP JPEG was refused: {upload.rejection_details}")
        api.start(run.batch_id)
        self._finish(api, run, timeout=300)
        run.stages = observe.stage_totals(worker.metrics())
        cpu_after = sampler.snapshot_cpu()
        # The child that analysed it is the one that spent the CPU (the other one at most
        # built a one-file ZIP); beat's child stays idle.
        busiest = max(
            (pid for pid in cpu_after if pid in idle), key=lambda pid: cpu_after[pid] - cpu_before.get(pid, 0.0)
        )
        self.stop_worker(worker, sampler)
        child = sampler.tree.processes[busiest]
        from PIL import Image

        with Image.open(large.path) as img:
            megapixels = img.width * img.height / 1e6
        self.results.large = LargeImage(
            file_mb=large.size / 1e6,
            megapixels=megapixels,
            child_pid=busiest,
            child_hwm=child.hwm,
            child_peak_rss=child.peak_rss,
            child_idle_rss=idle.get(busiest, 0),
            analysis_s=run.stages.mean("analysis"),
            total_s=run.zip_built_at - started,
        )


def base_environment() -> dict[str, str]:
    """The environment the services get: the benchmark's settings (already applied) and nothing the
    benchmark process picked up while measuring (the analyzer sets OMP_THREAD_LIMIT in-process)."""
    return dict(os.environ)
