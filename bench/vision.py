"""Remote-provider throughput: a 1,000-image batch named through a provider that answers in 1.5 s.

The provider is the fake OpenAI server of the tests (tests/fakes/openai_server.py: the
documented Chat Completions shapes, each answer delayed by 1.5 s), driven by our real
OpenAI provider through the official SDK. Images are uploaded through the real API while
no worker runs; then one I/O worker (thread pool, queue "vision") and one CPU worker (for
the ZIP) start, and the clock runs from the batch's start to its completion. Calls in
flight are sampled from the provider's shared concurrency semaphore in Redis every 100 ms.

Run: `uv run python -m bench.vision` (part of `make bench`). Prints a table; not a test.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import statistics
import sys
import threading
import time

from PIL import Image, ImageDraw

from bench import environment

environment.apply()

from bench import observe  # noqa: E402
from bench.client import Api, PipelineBroken, progress, upload_all  # noqa: E402
from bench.environment import OUT_DIR, free_port  # noqa: E402
from bench.processes import ApiProcess, CpuAccounting, MemorySampler, WorkerProcess  # noqa: E402
from core.config import get_settings  # noqa: E402

IMAGES = int(os.environ.get("RENAMER_BENCH_VISION_IMAGES", "1000"))
LATENCY = 1.5
# One I/O worker process per core, each a thread pool: the threads wait on the provider,
# the processes share out the CPU work around the calls (decode, preview, thumbnail, SQL).
IO_PROCESSES = int(os.environ.get("RENAMER_BENCH_VISION_PROCESSES", "2"))
THREADS = int(os.environ.get("RENAMER_BENCH_VISION_THREADS", "32"))  # per process
TARGET = 15.0  # images/s (DESIGN: the CLI peers name one image at a time, under 1 image/s)


def _photo(seed: int) -> bytes:
    """A distinct 1600×1200 JPEG (product-photo size after a marketer's export)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(1400), rng.randrange(1000)
        draw.ellipse(
            (x, y, x + rng.randrange(80, 400), y + rng.randrange(80, 400)),
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )  # type: ignore[arg-type]
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _done(batch_id: str) -> int:
    row = observe.batch_row(batch_id)
    return row.processed_images + row.failed_images


def _loadavg() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


class InFlightSampler:
    def __init__(self, provider: str) -> None:
        from core.redis import get_redis

        self.redis = get_redis()
        self.key = f"renamer:provider:{provider}:in_flight"
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.samples.append(int(self.redis.zcard(self.key)))

    def __enter__(self) -> InFlightSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    from tests.fakes.openai_server import FakeOpenAI

    run_dir = OUT_DIR / "vision"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    progress(f"fresh database {environment.BENCH_DB}, empty bucket and Redis db {environment.BENCH_REDIS_DB} ...")
    environment.recreate_database()
    environment.reset_bucket_and_queue()
    progress(f"generating {IMAGES} distinct 1600x1200 JPEGs ...")
    payloads = [(f"IMG_{i:04d}.jpg", _photo(i), "image/jpeg") for i in range(IMAGES)]

    with FakeOpenAI(latency=LATENCY) as fake:
        env = {
            **os.environ,
            "RENAMER_VISION_PROVIDER": "openai,local",
            "RENAMER_OPENAI_API_KEY": "sk-bench",
            "RENAMER_OPENAI_BASE_URL": fake.base_url,
            "RENAMER_OPENAI_MAX_CONCURRENCY": str(THREADS * IO_PROCESSES),
            "RENAMER_OPENAI_REQUESTS_PER_MINUTE": "100000",
            "RENAMER_VISION_IO_CONCURRENCY": str(THREADS),
            "RENAMER_NUDENET_ENABLED": "false",
        }
        api = ApiProcess(free_port(), run_dir / "api.log", env).start()
        cpu = CpuAccounting(get_settings().data_dir)
        client = Api(api.base_url)
        io_workers: list[WorkerProcess] = []
        cpu_worker = None
        try:
            client.sign_up()
            batch_id = client.create_batch("vision throughput")
            progress(f"uploading {IMAGES} images through the API (no worker yet) ...")
            upload = upload_all(client, batch_id, payloads, cpu)
            if upload.accepted != IMAGES:
                raise PipelineBroken(f"only {upload.accepted}/{IMAGES} accepted: {upload.rejected}")
            # Uploads closed first, the CPU worker (ZIPs, sweep) next; the clock starts when the I/O
            # worker says it is ready, since it takes the queued images from that moment on.
            client.start(batch_id)
            cpu_worker = WorkerProcess("cpu", run_dir, {**env, "RENAMER_WORKER_METRICS_PORT": str(free_port())}).start()
            progress(
                f"naming through a provider that answers in {LATENCY} s, {IO_PROCESSES} I/O worker processes "
                f"x {THREADS} threads ..."
            )
            cpu.add_root(api.pid, "api")
            cpu.add_root(cpu_worker.pid, "worker")
            with InFlightSampler("openai") as sampler:
                samplers = []
                # All started together, as on a worker host whose processes are up: started one
                # after the other, the first would name images while the second still loads.
                for index in range(IO_PROCESSES):
                    io_env = {**env, "RENAMER_WORKER_METRICS_PORT": str(free_port())}
                    worker = WorkerProcess(
                        f"io{index}", run_dir, io_env, concurrency=THREADS, pool="threads", queues="vision", beat=False
                    )
                    io_workers.append(worker)
                    worker.started_at = time.time()
                    worker.spawn()
                    cpu.add_root(worker.pid, "io-worker")
                    # VmHWM is the kernel's own peak, so a slow sampler misses nothing; a fast one
                    # walking 2 x 33 threads would take CPU from the workers it measures.
                    samplers.append(MemorySampler(worker.pid, interval=1.0, pss_every=0).__enter__())
                for worker in io_workers:
                    worker.wait_ready()
                # CPU per image is counted from here (the workers' start-up is not per-image work).
                mark = cpu.mark()
                done_at_mark = _done(batch_id)
                batch = client.wait(batch_id, download=False, timeout=600)
                use = cpu.since(mark)
                for memory in samplers:
                    memory.stop()
            completed = observe.batch_row(batch_id).completed_at
            assert completed is not None
            # From the moment the first I/O worker could take images.
            seconds = completed.timestamp() - min(worker.ready_at for worker in io_workers)
            named = batch["processed_images"]
            rate = named / seconds
            busy = [s for s in sampler.samples if s > 0]
            peak_rss = max((p.hwm for memory in samplers for p in memory.tree.processes.values()), default=0)
            counted = max(1, named + batch["failed_images"] - done_at_mark)
            per_image = {group: value / counted * 1000 for group, value in use.groups.items()}
            ours = sum(value for group, value in per_image.items() if group != "other")
            order = ("io-worker", "bench", "postgres", "redis", "s3", "api", "worker")
            where = ", ".join(f"{g} {per_image[g]:.1f}" for g in order if per_image.get(g, 0.0) >= 0.05)
            lines = [
                "",
                "Remote provider throughput (fake OpenAI answering after 1.5 s; real SDK, API, Redis, S3, PostgreSQL)",
                f"  images named            {named}/{IMAGES} (failed {batch['failed_images']})",
                f"  wall clock              {seconds:.1f} s",
                f"  throughput              {rate:.1f} images/s   target >= {TARGET:.0f}   "
                f"{'PASS' if rate >= TARGET else 'MISS'}",
                f"  calls in flight         peak {max(sampler.samples, default=0)}, "
                f"mean {statistics.fmean(busy) if busy else 0:.1f} while busy (limit {THREADS * IO_PROCESSES})",
                f"  provider calls seen     {len(fake.requests)}",
                f"  CPU per image           {ours:.1f} ms over {counted} images ({where}; "
                f"'bench' is the fake server), {per_image.get('io-worker', 0.0):.1f} ms in the I/O workers",
                f"  load                    other jobs on the box used {use.foreign_cores:.2f} cores meanwhile; "
                f"load average at the end {_loadavg()}",
                f"  I/O worker peak RSS     {peak_rss / 2**20:.0f} MiB per process ({IO_PROCESSES} processes, "
                f"{THREADS} threads each)",
                "",
            ]
            print("\n".join(lines))
            (OUT_DIR / "vision.txt").write_text("\n".join(lines))
            return 0 if named == IMAGES else 1
        finally:
            for process in (*io_workers, cpu_worker, api):
                if process is not None:
                    process.stop()
            client.close()
            cpu.stop()


if __name__ == "__main__":
    sys.exit(main())
