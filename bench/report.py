"""The printed table: figures, then targets with PASS/MISS, then what the logs and the machine said."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.corpus import CorpusFile
from bench.observe import STAGES
from bench.pipeline import BatchRun, PipelineResults, WorkerRun
from bench.processes import CpuUse, ProcessMemory
from bench.standalone import Standalone

MB = 1e6
MIB = 1024 * 1024
RSS_TARGET = 300 * MIB  # "300 MB" read as MiB, the unit RSS is reported in
LABEL, VALUE = 60, 18


@dataclass
class Table:
    lines: list[str] = field(default_factory=list)

    def title(self, text: str) -> None:
        self.lines += ["", text]

    def row(self, label: str, value: str = "", note: str = "") -> None:
        self.lines.append(f"  {label:<{LABEL}} {value:>{VALUE}}  {note}".rstrip())

    def text(self, line: str = "") -> None:
        self.lines.append(line)

    def render(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


@dataclass(frozen=True)
class Target:
    label: str
    measured: str
    wanted: str
    ok: bool
    counts: bool = True  # False: shown for comparison, not one of the targets
    busy: float = 0.0  # cores other people's jobs used while it was measured


BUSY = 0.3  # cores of other jobs above which a figure is flagged as taken on a busy machine


def _mib(value: float) -> str:
    return f"{value / MIB:.0f} MiB"


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f} ms"


def _stages(run: BatchRun) -> str:
    return ", ".join(f"{stage} {_ms(run.stages.mean(stage))}" for stage in STAGES)


def _cpu(cpu: CpuUse | None, images: int) -> str:
    """CPU milliseconds per image by component over a window, and other people's load."""
    if cpu is None or not images:
        return ""
    order = ("api", "worker", "clamd", "s3", "postgres", "redis", "bench")
    parts = [f"{g} {cpu.groups[g] / images * 1000:.0f}" for g in order if cpu.groups.get(g, 0.0) * 1000 / images >= 0.5]
    return f"CPU ms/image: {', '.join(parts)}; other jobs on the box {cpu.foreign_cores:.2f} cores"


def _process(p: ProcessMemory) -> str:
    kind = p.role if p.command.startswith("python") or p.role == "main" else f"{p.role} ({p.command})"
    return f"{kind} {_mib(p.hwm)}"


def _worker_processes(worker: WorkerRun) -> list[ProcessMemory]:
    """Celery's own processes: not the short-lived tesseract --list-langs a child runs at start."""
    return [p for p in worker.memory.processes.values() if p.role == "main" or p.command.startswith("python")]


def render(
    *,
    header: list[str],
    files: list[CorpusFile],
    standalone: Standalone,
    standalone_foreign: float,
    results: PipelineResults,
    elapsed_s: float,
) -> str:
    table = Table()
    for line in header:
        table.text(line)
    jpegs = [f for f in files if f.mime_type == "image/jpeg"]
    pngs = [f for f in files if f.mime_type == "image/png"]
    total_bytes = sum(f.size for f in files)
    mean_size = total_bytes / len(files)
    table.text(
        f"Corpus: {len(jpegs)} JPEG 12 MP q85 (mean {sum(f.size for f in jpegs) / len(jpegs) / MB:.2f} MB) + "
        f"{len(pngs)} PNG 2000x1500 (mean {sum(f.size for f in pngs) / max(1, len(pngs)) / MB:.2f} MB) = "
        f"{len(files)} files, {total_bytes / MB:.0f} MB, mean {mean_size / MB:.2f} MB. MB = 10^6 bytes, MiB = 2^20."
    )
    table.text("Every upload carries a unique comment so that clamd's clean-file cache cannot skip its scan.")
    targets: list[Target] = []

    # ------------------------------------------------------------------ 1. standalone
    s = standalone
    clamd_images_s = s.clamd_synthetic_mb_s * MB / mean_size
    table.title(f"1. Standalone limits of this machine (other jobs on the box: {standalone_foreign:.2f} cores)")
    table.row(
        f"clamd INSTREAM alone, synthetic data, unix, {s.clamd_chunk_size // 1024} KiB chunks",
        f"{s.clamd_synthetic_mb_s:.0f} MB/s",
        f"= {clamd_images_s:.1f} images/s at {mean_size / MB:.2f} MB (bench/clamd_throughput.py)",
    )
    table.row(
        f"clamd INSTREAM alone, unseen corpus files, {s.clients} clients",
        f"{s.clamd_files_mb_s:.1f} MB/s",
        f"= {s.clamd_files_images_s:.1f} images/s",
    )
    table.row(
        "  one file, one client: 12 MP JPEG / PNG / cached rescan",
        f"{s.clamd_files_jpeg_ms:.0f}/{s.clamd_files_png_ms:.0f}/{s.clamd_cached_ms:.0f} ms",
    )
    table.row("SHA-256, one core", f"{s.sha256_mb_s:.0f} MB/s", f"= {s.sha256_mb_s * MB / mean_size:.0f} images/s")
    table.row("S3 (SeaweedFS) one stream: multipart PUT / GET", f"{s.s3_put_mb_s:.0f}/{s.s3_get_mb_s:.0f} MB/s")
    table.row(
        "Pillow-SIMD draft decode, 12 MP JPEG, one core",
        f"{s.draft_decode_images_s:.1f} images/s",
        f"{1000 / s.draft_decode_images_s:.1f} ms (bench/analysis_rates.py, corpus JPEG)",
    )
    stage_ms = ", ".join(f"{k} {v:.1f}" for k, v in s.analysis_stages_ms.items())
    table.row(
        "LocalAnalyzer without OCR, same JPEG, in-process, one core",
        f"{s.analysis_images_s:.1f} images/s",
        f"{1000 / s.analysis_images_s:.1f} ms ({stage_ms} ms)",
    )

    # ------------------------------------------------------------------ 2. pipeline
    table.title("2. Pipeline through the real API and worker (Celery prefork, concurrency 2)")
    r = results
    ingest = r.ingest
    if ingest and ingest.upload and ingest.upload.seconds > 0:
        u = ingest.upload
        table.row(
            f"ingest: validate, scan, store {u.files} files, no worker",
            f"{u.images_s:.1f} images/s",
            f"{u.mb_s:.1f} MB/s, {u.seconds:.1f} s, {u.requests} requests of "
            f"~{round(u.files / max(1, u.requests))} files, {s.clients} clients",
        )
        table.row("  where the CPU went", "", _cpu(u.cpu, u.accepted))
        busy = u.cpu.foreign_cores if u.cpu else 0.0
        # clamd alone on the same files with as many clients is ingest's real ceiling (a JPEG
        # costs clamd far more than synthetic data of its size): that comparison is the target.
        targets.append(
            Target(
                "ingest >= 50% of clamd alone on the same files",
                f"{u.images_s:.1f} images/s",
                f">= {0.5 * s.clamd_files_images_s:.1f} ({u.images_s / s.clamd_files_images_s:.0%})",
                u.images_s >= 0.5 * s.clamd_files_images_s,
                busy=busy,
            )
        )
        targets.append(
            Target(
                "  for comparison: against clamd on synthetic data",
                f"{u.images_s:.1f} images/s",
                f">= {0.5 * clamd_images_s:.1f} ({u.images_s / clamd_images_s:.0%})",
                u.images_s >= 0.5 * clamd_images_s,
                counts=False,
                busy=busy,
            )
        )
    if ingest and ingest.row and ingest.row.completed_at:
        processing_s = ingest.completed_at - ingest.worker_ready_at
        table.row(
            "analysis + naming, wall clock: worker ready -> COMPLETED",
            f"{ingest.images / processing_s:.1f} images/s",
            f"{processing_s:.1f} s for {ingest.images} images",
        )
        table.row("  where the CPU went", "", _cpu(ingest.cpu, ingest.images))
        table.row("  mean per image (worker /metrics, wall time)", "", _stages(ingest))
        total, analysis = ingest.stages.total_mean(), ingest.stages.mean("analysis")
        worker_cpu = ingest.cpu.groups.get("worker", 0.0) / ingest.images if ingest.cpu else 0.0
        if total and analysis and worker_cpu:
            table.row(
                "  per core: 4 stages wall / analysis wall / worker CPU",
                f"{1 / total:.1f}/{1 / analysis:.1f}/{1 / worker_cpu:.1f}",
                f"images/s (worker CPU {worker_cpu * 1000:.0f} ms/image: all stages, Celery, DB)",
            )
        if ingest.analyzer:
            for mime, means in ingest.analyzer.stage_means_ms.items():
                detail = ", ".join(f"{k} {v:.1f}" for k, v in means.items())
                table.row(
                    f"  analyzer's own timings, {mime} ({ingest.analyzer.images[mime]} images)",
                    f"{ingest.analyzer.total_means_ms[mime]:.1f} ms",
                    f"{detail}; Tesseract ran on {ingest.analyzer.ocr_runs[mime]}",
                )
        if ingest.row.zip_built_at and ingest.row.zip_size:
            zip_s = ingest.zip_built_at - ingest.completed_at
            table.row(
                "ZIP: completed_at -> zip_built_at",
                f"{ingest.images / zip_s:.1f} images/s",
                f"{ingest.row.zip_size / MB / zip_s:.0f} MB/s, {zip_s:.1f} s, {ingest.row.zip_size / MB:.0f} MB",
            )
            table.row("  where the CPU went", "", _cpu(ingest.zip_cpu, ingest.images))
    e2e = r.end_to_end
    if e2e and e2e.upload and e2e.row and e2e.row.zip_built_at:
        e2e_s = e2e.zip_built_at - e2e.upload.started
        table.row(
            "end to end: first upload request -> ZIP downloadable",
            f"{e2e.images / e2e_s:.1f} images/s",
            f"{e2e_s:.1f} s, worker running during the upload",
        )
        table.row(
            "  upload part, sharing the CPU with the worker",
            f"{e2e.upload.images_s:.1f} images/s",
            f"{e2e.upload.seconds:.1f} s; complete {e2e.completed_at - e2e.upload.finished:.1f} s after the last "
            f"upload, ZIP {e2e.zip_built_at - e2e.completed_at:.1f} s later",
        )
        table.row("  where the CPU went", "", _cpu(e2e.cpu, e2e.images))
        table.row("  mean per image (worker /metrics, wall time)", "", _stages(e2e))
    no_ocr = r.no_ocr
    analysis = no_ocr.stages.mean("analysis") if no_ocr else None
    if no_ocr and analysis:
        table.row(
            f"analysis without OCR: {no_ocr.images} JPEGs, RENAMER_OCR_ENABLED=false",
            _ms(analysis),
            f"= {1 / analysis:.1f} images/s per core (worker /metrics)",
        )
        table.row("  where the CPU went", "", _cpu(no_ocr.cpu, no_ocr.images))
        table.row("  mean per image (worker /metrics, wall time)", "", _stages(no_ocr))
        if no_ocr.analyzer and "image/jpeg" in no_ocr.analyzer.stage_means_ms:
            detail = ", ".join(f"{k} {v:.1f}" for k, v in no_ocr.analyzer.stage_means_ms["image/jpeg"].items())
            table.row(
                "  analyzer's own timings, image/jpeg", f"{no_ocr.analyzer.total_means_ms['image/jpeg']:.1f} ms", detail
            )
        with_ocr = ingest.analyzer if ingest and ingest.analyzer else None
        if with_ocr and "image/jpeg" in with_ocr.stage_means_ms:
            gate = with_ocr.stage_means_ms["image/jpeg"].get("ocr_gate", 0.0)
            table.row(
                "  with OCR on (ingest batch): the gate per JPEG",
                f"{gate:.1f} ms",
                f"Tesseract ran on {sum(with_ocr.ocr_runs.values())} of {sum(with_ocr.images.values())} images "
                "(none shows text): the gate skipped them",
            )
        analysis_cpu = no_ocr.cpu_stages.mean("analysis")
        if analysis_cpu:
            table.row(
                "  the worker thread's CPU time in the analysis stage",
                _ms(analysis_cpu),
                f"= {1 / analysis_cpu:.1f} images/s per core of CPU (wall minus waiting for a core)",
            )

        def against_decode(label: str, rate: float, busy: float, *, counts: bool = False) -> Target:
            """`rate` (images/s per core) against 70% of this run's draft-decode rate."""
            share = rate / s.draft_decode_images_s
            wanted = f">= {0.7 * s.draft_decode_images_s:.1f} ({share:.0%})"
            return Target(label, f"{rate:.1f} images/s", wanted, share >= 0.7, counts=counts, busy=busy)

        worker_busy = no_ocr.cpu.foreign_cores if no_ocr.cpu else 0.0
        targets.append(
            against_decode(
                "analysis without OCR >= 70% of draft decode, per core", 1 / analysis, worker_busy, counts=True
            )
        )
        targets.append(
            against_decode("  for comparison: the analyzer alone, in-process", s.analysis_images_s, standalone_foreign)
        )
        # The NudeNet safety flag (issue 4) came after this target was set: its share, measured.
        targets.append(
            against_decode(
                "  for comparison: the same without the NudeNet safety model",
                s.analysis_without_safety_images_s,
                standalone_foreign,
            )
        )
        if analysis_cpu:
            targets.append(
                against_decode("  for comparison: in the worker, per core of CPU time", 1 / analysis_cpu, worker_busy)
            )
        plain = r.no_ocr_no_safety
        plain_analysis = plain.stages.mean("analysis") if plain else None
        if plain and plain_analysis:
            table.row(
                f"  the same batch size without the NudeNet model too, {plain.images} JPEGs",
                _ms(plain_analysis),
                f"= {1 / plain_analysis:.1f} images/s per core (worker /metrics, RENAMER_NUDENET_ENABLED=false)",
            )
            table.row("    mean per image (worker /metrics, wall time)", "", _stages(plain))
            plain_cpu = plain.cpu_stages.mean("analysis")
            if plain_cpu:
                table.row(
                    "    the worker thread's CPU time in the analysis stage",
                    _ms(plain_cpu),
                    f"= {1 / plain_cpu:.1f} images/s per core of CPU",
                )
            plain_busy = plain.cpu.foreign_cores if plain.cpu else 0.0
            targets.append(
                against_decode(
                    "  for comparison: in the worker without the NudeNet model", 1 / plain_analysis, plain_busy
                )
            )
            if plain_cpu:
                targets.append(
                    against_decode("  for comparison: the same, per core of CPU time", 1 / plain_cpu, plain_busy)
                )

    # memory
    batch_workers = [w for w in r.workers if w.label != "large"]
    if batch_workers:
        worker, process = max(
            ((w, p) for w in batch_workers for p in _worker_processes(w)), key=lambda wp: max(wp[1].hwm, wp[1].peak_rss)
        )
        peak = max(process.hwm, process.peak_rss)
        table.row(
            "peak worker RSS, one process: VmHWM (sampled VmRSS)",
            f"{_mib(process.hwm)} ({_mib(process.peak_rss)})",
            f"worker {worker.label}, {process.role} pid {process.pid}; sampled every 100 ms",
        )
        table.row(
            "peak worker memory, all processes: sum of RSS / sum of PSS",
            f"{_mib(max(w.memory.peak_total for w in batch_workers))}/"
            f"{_mib(max(w.memory.peak_total_pss for w in batch_workers))}",
            "PSS (read every 1 s) splits the pages the children share with the main process",
        )
        for w in r.workers:
            per = ", ".join(
                _process(p) for p in sorted(w.memory.processes.values(), key=lambda p: (p.role != "main", p.pid))
            )
            table.row(f"  worker {w.label}: VmHWM per process", "", f"{per}; ready {w.startup_s:.1f} s after start")
        targets.append(Target("peak worker RSS <= 300 MB, one process", _mib(peak), "<= 300 MiB", peak <= RSS_TARGET))
    large = r.large
    if large:
        table.row(
            f"50 MP JPEG ({large.megapixels:.1f} MP, {large.file_mb:.1f} MB): the child that ran it",
            f"{_mib(large.child_hwm)}",
            f"VmHWM; sampled peak {_mib(large.child_peak_rss)}, idle {_mib(large.child_idle_rss)}, "
            f"analysis {_ms(large.analysis_s)}, upload to ZIP {large.total_s:.1f} s",
        )
        targets.append(
            Target(
                "peak worker RSS <= 300 MB, 50 MP JPEG",
                _mib(large.child_hwm),
                "<= 300 MiB",
                large.child_hwm <= RSS_TARGET,
            )
        )
    if r.api_memory and r.api_memory.processes:
        api = max(r.api_memory.processes.values(), key=lambda p: p.hwm)
        table.row("API process peak RSS over the whole run (VmHWM), for reference", _mib(api.hwm))

    # ------------------------------------------------------------------ 3. targets
    table.title("3. Targets")
    for target in targets:
        verdict = ("PASS" if target.ok else "MISS") if target.counts else ("(pass)" if target.ok else "(miss)")
        flag = f"  measured while other jobs used {target.busy:.2f} cores" if target.busy >= BUSY else ""
        table.row(target.label, target.measured, f"{target.wanted:<24} {verdict}{flag}")
    if r.broken:
        table.row("pipeline", "BROKEN", r.broken[:300])

    if r.disturbances:
        table.title("Disturbances (the machine is shared)")
        for note in r.disturbances:
            table.text(f"  {note}")

    # ------------------------------------------------------------------ logs
    table.title("Logs: warning and error lines")
    count, lines = r.api_log_problems
    table.row("API", str(count))
    for line in lines[:4]:
        table.text(f"    {line}")
    for w in r.workers:
        count, lines = w.log_problems
        table.row(f"worker {w.label}", str(count))
        for line in lines[:4]:
            table.text(f"    {line}")
    table.text("")
    table.text(f"Total benchmark time {elapsed_s:.0f} s.")
    return table.render()
