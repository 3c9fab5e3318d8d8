"""Driving the API like a client: sign-up, batches, multipart uploads from concurrent threads, polling."""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.corpus import CorpusFile, salted
from bench.processes import CpuAccounting, CpuUse

FILES_PER_REQUEST = 10
REQUEST_TIMEOUT = 180.0  # one request of 10 files takes ~3 s; a hung API must not hang the benchmark
# Upload requests in flight, and the clamd-alone comparison's clients (bench/run.py): the
# same number on both sides. RENAMER_BENCH_UPLOAD_CLIENTS=3 matches the web app's concurrency.
UPLOAD_CLIENTS = int(os.environ.get("RENAMER_BENCH_UPLOAD_CLIENTS", "2"))
KEYWORDS = ["summer sale", "sneakers"]


class PipelineBroken(RuntimeError):
    """The pipeline itself failed (an error response, a batch that never finishes): exit non-zero."""


class ScannerWentAway(RuntimeError):
    """clamd stopped answering mid-upload (503 scanner_unavailable)."""


def progress(message: str) -> None:
    print(f"[pipeline] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- HTTP client


@dataclass
class Upload:
    files: int = 0
    bytes: int = 0
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # code -> files
    rejection_details: list[str] = field(default_factory=list)
    requests: int = 0
    started: float = 0.0  # time.time() when the first request went out
    finished: float = 0.0  # when the last response came back
    cpu: CpuUse | None = None

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def images_s(self) -> float:
        return self.accepted / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_s(self) -> float:
        return self.bytes / self.seconds / 1e6 if self.seconds > 0 else 0.0


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.headers: dict[str, str] = {}
        self.client = httpx.Client(base_url=base_url, timeout=60)

    def _check(self, response: httpx.Response, *expected: int) -> Any:
        if response.status_code not in expected:
            raise PipelineBroken(
                f"{response.request.method} {response.request.url.path} -> {response.status_code}: "
                f"{response.text[:500]}"
            )
        return response.json()

    def sign_up(self) -> None:
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        body = self._check(
            self.client.post("/auth/signup", json={"email": email, "password": "bench password 123"}), 201
        )
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}

    def create_batch(self, name: str) -> str:
        body = self._check(
            self.client.post("/batches", json={"name": name, "keywords": KEYWORDS}, headers=self.headers), 201
        )
        return str(body["id"])

    def start(self, batch_id: str) -> dict[str, Any]:
        return dict(self._check(self.client.post(f"/batches/{batch_id}/start", headers=self.headers), 200))

    def batch(self, batch_id: str) -> dict[str, Any]:
        return dict(self._check(self.client.get(f"/batches/{batch_id}", headers=self.headers), 200))

    def wait(
        self,
        batch_id: str,
        *,
        download: bool,
        timeout: float,
        watch: Callable[[], None] | None = None,
        stall_after: float = 90.0,
        interval: float = 0.25,
    ) -> dict[str, Any]:
        """Poll until the batch is finished (and its ZIP ready when `download`).

        `watch` is called on every poll and may raise (the worker's log shows a task
        crashing); a batch whose count of finished images has not moved for `stall_after`
        seconds is given up on, so a broken pipeline costs a minute and a half, not `timeout`.
        """
        deadline = time.monotonic() + timeout
        batch: dict[str, Any] = {}
        last_report = 0.0
        last_done, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            batch = self.batch(batch_id)
            if batch["status"] in ("COMPLETED", "PARTIAL", "FAILED") and (batch["download_ready"] or not download):
                return batch
            if watch is not None:
                watch()
            done = batch["processed_images"] + batch["failed_images"]
            if done != last_done:
                last_done, last_change = done, time.monotonic()
            elif time.monotonic() - last_change > stall_after:
                raise PipelineBroken(f"batch {batch_id} made no progress for {stall_after:.0f} s: {batch}")
            if time.monotonic() - last_report > 10:
                last_report = time.monotonic()
                progress(
                    f"  batch {batch['status']}: {done}/{batch['total_images']} done, "
                    f"ZIP ready: {batch['download_ready']}"
                )
            time.sleep(interval)
        raise PipelineBroken(
            f"batch {batch_id} not {'downloadable' if download else 'finished'} after {timeout:.0f} s: {batch}"
        )

    def check_download(self, batch_id: str) -> int:
        """The download link works and points at a ZIP; returns the size the API announces."""
        link = self._check(self.client.get(f"/batches/{batch_id}/download", headers=self.headers), 200)
        head = httpx.get(link["url"], headers={"Range": "bytes=0-3"}, timeout=30)
        if head.status_code not in (200, 206) or not head.content.startswith(b"PK\x03\x04"):
            raise PipelineBroken(f"the download link did not return a ZIP: {head.status_code} {head.content[:40]!r}")
        return int(link.get("size") or 0)

    def close(self) -> None:
        self.client.close()


def prepare(files: list[CorpusFile], salt: str) -> list[tuple[str, bytes, str]]:
    """(name, bytes, mime) for each file, salted so clamd scans it for real (see bench.corpus)."""
    return [(f.name, salted(f.read(), f.mime_type, f"{salt}-{i}"), f.mime_type) for i, f in enumerate(files)]


def upload_all(api: Api, batch_id: str, payloads: list[tuple[str, bytes, str]], cpu: CpuAccounting) -> Upload:
    groups = [payloads[i : i + FILES_PER_REQUEST] for i in range(0, len(payloads), FILES_PER_REQUEST)]
    result = Upload(files=len(payloads), bytes=sum(len(data) for _, data, _ in payloads))
    lock = threading.Lock()
    errors: list[BaseException] = []
    pending = iter(groups)

    def client() -> None:
        with httpx.Client(base_url=api.base_url, timeout=REQUEST_TIMEOUT, headers=api.headers) as http:
            while not errors:
                with lock:
                    group = next(pending, None)
                if group is None:
                    return
                parts = [("files", (name, data, "application/octet-stream")) for name, data, _ in group]
                try:
                    response = http.post(f"/batches/{batch_id}/images", files=parts)
                    if response.status_code == 503 and "scanner_unavailable" in response.text:
                        raise ScannerWentAway(response.text[:200])
                    body = api._check(response, 200, 422)
                except BaseException as exc:
                    errors.append(exc)
                    return
                with lock:
                    result.requests += 1
                    result.accepted += int(body.get("accepted", 0))
                    for item in body.get("results", []):
                        if item["status"] == "rejected":
                            result.rejected[item["code"]] = result.rejected.get(item["code"], 0) + 1
                            if len(result.rejection_details) < 5:
                                result.rejection_details.append(f"{item['filename']}: {item['code']}: {item['detail']}")
                    if result.requests % 5 == 0:
                        progress(f"  {result.requests}/{len(groups)} requests, {result.accepted} accepted")

    mark = cpu.mark()
    result.started = time.time()
    threads = [threading.Thread(target=client, name=f"upload-{i}") for i in range(UPLOAD_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.finished = time.time()
    result.cpu = cpu.since(mark)
    if errors:
        if isinstance(errors[0], ScannerWentAway):
            raise errors[0]
        raise PipelineBroken(f"upload failed: {errors[0]}") from errors[0]
    return result
