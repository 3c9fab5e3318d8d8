"""Reading what the pipeline recorded: the worker's Prometheus stage timings, the batch and
image rows (timestamps, ZIP size, the analyzer's own per-stage timings) and the logs."""

from __future__ import annotations

import re
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from prometheus_client.parser import text_string_to_metric_families

from bench.environment import database_dsn

STAGES = ("download", "analysis", "thumbnail", "naming")
STAGE_METRIC = "renamer_task_stage_duration_seconds"
STAGE_CPU_METRIC = "renamer_task_stage_cpu_seconds"


@dataclass(frozen=True)
class StageTotals:
    """Sum of seconds and count per stage, as the worker's /metrics reports them (cumulative)."""

    sums: dict[str, float]
    counts: dict[str, float]

    def __sub__(self, other: StageTotals) -> StageTotals:
        return StageTotals(
            sums={s: self.sums.get(s, 0.0) - other.sums.get(s, 0.0) for s in self.sums},
            counts={s: self.counts.get(s, 0.0) - other.counts.get(s, 0.0) for s in self.counts},
        )

    def mean(self, stage: str) -> float | None:
        count = self.counts.get(stage, 0.0)
        return self.sums.get(stage, 0.0) / count if count else None

    def total_mean(self) -> float | None:
        means = [self.mean(stage) for stage in STAGES]
        return sum(m for m in means if m is not None) if any(m is not None for m in means) else None


EMPTY_TOTALS = StageTotals(sums={}, counts={})


def stage_totals(metrics_text: str, metric: str = STAGE_METRIC) -> StageTotals:
    """Per stage: wall time (STAGE_METRIC) or the worker thread's CPU time (STAGE_CPU_METRIC)."""
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name != metric:
            continue
        for sample in family.samples:
            stage = sample.labels.get("stage", "")
            if sample.name.endswith("_sum"):
                sums[stage] = sums.get(stage, 0.0) + sample.value
            elif sample.name.endswith("_count"):
                counts[stage] = counts.get(stage, 0.0) + sample.value
    return StageTotals(sums=sums, counts=counts)


@dataclass(frozen=True)
class BatchRow:
    status: str
    total_images: int
    processed_images: int
    failed_images: int
    created_at: datetime
    completed_at: datetime | None
    zip_built_at: datetime | None
    zip_size: int | None
    zip_version: int | None
    content_version: int


def batch_row(batch_id: uuid.UUID | str) -> BatchRow:
    with psycopg.connect(database_dsn()) as conn:
        row = conn.execute(
            "SELECT status, total_images, processed_images, failed_images, created_at, completed_at,"
            " zip_built_at, zip_size, zip_version, content_version FROM batches WHERE id = %s",
            (str(batch_id),),
        ).fetchone()
    if row is None:
        raise LookupError(f"batch {batch_id} not in the benchmark database")
    return BatchRow(*row)


def delete_batch(batch_id: uuid.UUID | str) -> None:
    """Drop an abandoned batch and its images (the image rows cascade)."""
    with psycopg.connect(database_dsn()) as conn:
        conn.execute("DELETE FROM batches WHERE id = %s", (str(batch_id),))


@dataclass
class AnalyzerTimings:
    """The analyzer's own `timings_ms` per image, by MIME type (from images.analysis)."""

    images: dict[str, int] = field(default_factory=dict)
    stage_means_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # mime -> stage -> mean ms
    total_means_ms: dict[str, float] = field(default_factory=dict)  # mime -> mean of the stage sum
    ocr_runs: dict[str, int] = field(default_factory=dict)  # images where Tesseract ran (the gate fired)
    failures: dict[str, int] = field(default_factory=dict)  # failure_code -> images


def analyzer_timings(batch_ids: list[str]) -> AnalyzerTimings:
    result = AnalyzerTimings()
    per_mime: dict[str, list[dict[str, float]]] = {}
    with psycopg.connect(database_dsn()) as conn:
        rows = conn.execute(
            "SELECT mime_type, status, failure_code, analysis -> 'timings_ms'"
            " FROM images WHERE batch_id = ANY(%s::uuid[])",
            (batch_ids,),
        ).fetchall()
    for mime, status, failure_code, timings in rows:
        if status == "FAILED":
            result.failures[failure_code or "?"] = result.failures.get(failure_code or "?", 0) + 1
        if timings:
            per_mime.setdefault(mime, []).append({k: float(v) for k, v in timings.items()})
    for mime, samples in per_mime.items():
        stages = sorted({stage for sample in samples for stage in sample})
        result.images[mime] = len(samples)
        result.stage_means_ms[mime] = {s: statistics.fmean(sample.get(s, 0.0) for sample in samples) for s in stages}
        result.total_means_ms[mime] = statistics.fmean(sum(sample.values()) for sample in samples)
        result.ocr_runs[mime] = sum("ocr" in sample for sample in samples)
    return result


_PROBLEM = re.compile(
    r"\b(ERROR|CRITICAL|Traceback|WARNING)\b|\bRetry in\b|\bretr(y|ies)\b|WorkerLostError|Killed", re.I
)
_NOISE = re.compile(
    r"celery@\S+ ready|Connected to redis|mingle|Starting new HTTP|is running in dev|"
    r"beat: Starting|Scheduler: Sending due task|Task .* (received|succeeded)",
    re.I,
)


def log_problems(text: str, limit: int = 8) -> tuple[int, list[str]]:
    """(number of warning/error lines, the first few distinct ones) in a service log."""
    lines = [line for line in text.splitlines() if _PROBLEM.search(line) and not _NOISE.search(line)]
    distinct: list[str] = []
    for line in lines:
        short = line.strip()[:220]
        if short not in distinct:
            distinct.append(short)
        if len(distinct) >= limit:
            break
    return len(lines), distinct
