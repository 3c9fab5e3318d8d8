"""Locust scenarios: marketers using the product, and a read-heavy mix.

    locust -f loadtests/locustfile.py --host http://127.0.0.1:3001 MarketerUser   # the upload mix
    locust -f loadtests/locustfile.py --host http://127.0.0.1:3001 ReaderUser     # the read mix

`make loadtest` (loadtests/run.py) starts a local stack and runs both headless. Against any
other deployment, raise its rate limits first (one address signs up every marketer), or
expect 429s counted as failures.

* MarketerUser, one campaign per iteration: sign up, log in, create a batch with keywords,
  upload 20-50 small pictures (one file per request, three at a time, as the web app does),
  start it, poll its status until the ZIP is ready, review the image list, rename one image,
  wait for the rebuilt ZIP, fetch the download link and the ZIP itself from S3. A fresh
  account per campaign keeps every campaign inside the free plan's monthly quota.
* ReaderUser: the dashboard (batch list), batch status and image lists of accounts that
  already have finished batches. Those accounts are created through the API once, when
  locust starts (before the run time begins), and shared by every reader.

Settings (environment): LOADTEST_IMAGES_MIN/MAX (files per campaign, 20/50),
LOADTEST_UPLOAD_CONCURRENCY (3), LOADTEST_POLL_SECONDS (1.0), LOADTEST_BATCH_TIMEOUT (300),
LOADTEST_READ_ACCOUNTS (10), LOADTEST_READ_BATCHES (2 per account), LOADTEST_READ_IMAGES (25
per batch; an account's images must fit the free plan's 50 a month), LOADTEST_READ_WAIT_MIN/MAX
(0.5/1.5 s between a reader's requests).
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import gevent.pool
import requests
from locust import FastHttpUser, between, events, task
from locust.env import Environment
from locust.runners import MasterRunner

# locust puts this file's folder on sys.path, not the project's root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from loadtests.images import image_set

log = logging.getLogger("loadtests")

PASSWORD = "load test password 1"
KEYWORDS = [
    "summer sale", "sneakers", "running shoes", "leather handbag", "ceramic mug", "garden chair",
    "wool scarf", "desk lamp", "yoga mat", "coffee beans", "travel backpack", "sun hat",
]  # fmt: skip
FINISHED = {"COMPLETED", "PARTIAL", "FAILED"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


IMAGES_MIN = _int("LOADTEST_IMAGES_MIN", 20)
IMAGES_MAX = _int("LOADTEST_IMAGES_MAX", 50)
UPLOAD_CONCURRENCY = _int("LOADTEST_UPLOAD_CONCURRENCY", 3)
POLL_SECONDS = _float("LOADTEST_POLL_SECONDS", 1.0)
BATCH_TIMEOUT = _float("LOADTEST_BATCH_TIMEOUT", 300.0)
READ_ACCOUNTS = _int("LOADTEST_READ_ACCOUNTS", 10)
READ_BATCHES = _int("LOADTEST_READ_BATCHES", 2)
READ_IMAGES = _int("LOADTEST_READ_IMAGES", 25)
READ_WAIT = (_float("LOADTEST_READ_WAIT_MIN", 0.5), _float("LOADTEST_READ_WAIT_MAX", 1.5))
RUN_ID = uuid.uuid4().hex[:8]


def _email(kind: str) -> str:
    return f"loadtest-{kind}-{RUN_ID}-{uuid.uuid4().hex[:10]}@example.com"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --------------------------------------------------------------------------- results kept beside locust's CSV


@dataclass
class Campaigns:
    """End-to-end figures of the upload mix that locust's per-request stats cannot show."""

    started: float = field(default_factory=time.monotonic)
    images_uploaded: int = 0
    ready_seconds: list[float] = field(default_factory=list)  # first upload -> ZIP ready
    abandoned: int = 0

    def as_dict(self) -> dict[str, Any]:
        ready = sorted(self.ready_seconds)

        def pct(q: float) -> float | None:
            return round(ready[min(len(ready) - 1, int(q * len(ready)))], 2) if ready else None

        return {
            "seconds": round(time.monotonic() - self.started, 1),
            "images_uploaded": self.images_uploaded,
            "campaigns_completed": len(ready),
            "campaigns_abandoned": self.abandoned,
            "ready_p50_seconds": pct(0.5),
            "ready_p95_seconds": pct(0.95),
        }


CAMPAIGNS = Campaigns()


@events.test_start.add_listener
def _reset_campaigns(environment: Environment, **_: Any) -> None:
    global CAMPAIGNS
    CAMPAIGNS = Campaigns()


@events.test_stop.add_listener
def _write_campaigns(environment: Environment, **_: Any) -> None:
    if not CAMPAIGNS.images_uploaded:
        return
    summary = CAMPAIGNS.as_dict()
    log.info("upload mix campaigns: %s", summary)
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if prefix:
        Path(f"{prefix}_campaigns.json").write_text(json.dumps(summary, indent=2) + "\n")


# --------------------------------------------------------------------------- the upload mix


class MarketerUser(FastHttpUser):
    """A marketer running one campaign after another (see the module docstring)."""

    wait_time = between(1, 3)
    concurrency = UPLOAD_CONCURRENCY + 2

    def _expect(self, method: str, path: str, name: str, expected: tuple[int, ...], **kwargs: Any) -> Any:
        """The JSON body of a request that must answer one of `expected`; None (a failure) otherwise."""
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code not in expected:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return None
            try:
                return response.json() if response.text else {}
            except ValueError:
                response.failure("not JSON")
                return None

    @task
    def campaign(self) -> None:
        credentials = {"email": _email("marketer"), "password": PASSWORD}
        if self._expect("POST", "/auth/signup", "POST /auth/signup", (201,), json=credentials) is None:
            return
        login = self._expect("POST", "/auth/login", "POST /auth/login", (200,), json=credentials)
        if login is None:
            return
        auth = _bearer(login["access_token"])
        keywords = random.sample(KEYWORDS, random.randint(1, 3))
        body = {"name": f"Campaign {RUN_ID}", "keywords": keywords}
        batch = self._expect("POST", "/batches", "POST /batches", (201,), headers=auth, json=body)
        if batch is None:
            return
        batch_id = batch["id"]
        files = random.sample(image_set(), random.randint(IMAGES_MIN, min(IMAGES_MAX, len(image_set()))))
        first_upload = time.monotonic()

        def upload(file: tuple[str, bytes, str]) -> bool:
            path, name = f"/batches/{batch_id}/images", "POST /batches/{id}/images"
            result = self._expect("POST", path, name, (200,), headers=auth, files={"files": file})
            return result is not None and result.get("accepted") == 1

        accepted = sum(gevent.pool.Pool(UPLOAD_CONCURRENCY).imap_unordered(upload, files))
        CAMPAIGNS.images_uploaded += accepted
        if not accepted:
            return
        if self._expect("POST", f"/batches/{batch_id}/start", "POST /batches/{id}/start", (200,), headers=auth) is None:
            return
        if not self._wait_until_ready(batch_id, auth):
            return
        CAMPAIGNS.ready_seconds.append(time.monotonic() - first_upload)

        listing = f"/batches/{batch_id}/images?page=1&page_size=200"
        images = self._expect("GET", listing, "GET /batches/{id}/images", (200,), headers=auth)
        named = [i for i in (images or {}).get("items", []) if i["status"] == "NAMED"]
        if not named:
            return
        target = random.choice(named)
        rename = {"name": f"{random.choice(KEYWORDS).replace(' ', '-')}-hero-{uuid.uuid4().hex[:6]}"}
        if (
            self._expect("PATCH", f"/images/{target['id']}", "PATCH /images/{id}", (200,), headers=auth, json=rename)
            is None
        ):
            return
        if not self._wait_until_ready(batch_id, auth):  # the rename rebuilds the ZIP
            return
        link = self._expect("GET", f"/batches/{batch_id}/download", "GET /batches/{id}/download", (200,), headers=auth)
        if link is None:
            return
        with self.client.get(link["url"], name="GET ZIP from S3", catch_response=True) as response:
            content = response.content or b""
            if response.status_code != 200 or not content.startswith(b"PK"):
                response.failure(f"{response.status_code}: not a ZIP ({len(content)} bytes)")

    def _wait_until_ready(self, batch_id: str, auth: dict[str, str]) -> bool:
        """Poll the batch's status as a browser without a socket would, until its ZIP is ready."""
        deadline = time.monotonic() + BATCH_TIMEOUT
        while time.monotonic() < deadline:
            batch = self._expect("GET", f"/batches/{batch_id}", "GET /batches/{id}", (200,), headers=auth)
            if batch is None:
                return False
            if batch["status"] in FINISHED and batch["download_ready"]:
                return True
            gevent.sleep(POLL_SECONDS)
        CAMPAIGNS.abandoned += 1
        events.request.fire(
            request_type="FLOW", name="batch ready", response_time=BATCH_TIMEOUT * 1000, response_length=0,
            exception=TimeoutError(f"batch {batch_id} not ready after {BATCH_TIMEOUT:.0f} s"), context={},
        )  # fmt: skip
        return False


# --------------------------------------------------------------------------- the read mix


@dataclass(frozen=True)
class ReadAccount:
    token: str
    batch_ids: list[str]


READ_DATA: list[ReadAccount] = []


def _checked(response: requests.Response) -> requests.Response:
    if not response.ok:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}")
    return response


def _create_read_account(host: str, index: int) -> ReadAccount:
    """One account with READ_BATCHES started batches of READ_IMAGES pictures (not waited for)."""
    http = requests.Session()
    credentials = {"email": _email(f"reader{index}"), "password": PASSWORD}
    token = _checked(http.post(f"{host}/auth/signup", json=credentials, timeout=60)).json()["access_token"]
    http.headers.update(_bearer(token))
    batch_ids = []
    for number in range(READ_BATCHES):
        chooser = random.Random(index * 100 + number)
        body = {"name": f"Collection {number + 1}", "keywords": chooser.sample(KEYWORDS, 2)}
        batch_id = _checked(http.post(f"{host}/batches", json=body, timeout=60)).json()["id"]
        files = chooser.sample(image_set(), min(READ_IMAGES, len(image_set())))
        for start in range(0, len(files), 10):
            parts = [("files", file) for file in files[start : start + 10]]
            _checked(http.post(f"{host}/batches/{batch_id}/images", files=parts, timeout=120))
        _checked(http.post(f"{host}/batches/{batch_id}/start", timeout=60))
        batch_ids.append(batch_id)
    return ReadAccount(token=token, batch_ids=batch_ids)


def _wait_for_batches(host: str, accounts: list[ReadAccount], timeout: float) -> int:
    """Until every batch has finished and its ZIP is built (listings carry names and thumbnails,
    and the worker is idle when the run starts); returns how many did."""
    pending = {(a.token, b) for a in accounts for b in a.batch_ids}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for token, batch_id in list(pending):
            body = requests.get(f"{host}/batches/{batch_id}", headers=_bearer(token), timeout=30).json()
            if body["status"] in FINISHED and body["download_ready"]:
                pending.discard((token, batch_id))
        if pending:
            gevent.sleep(1.0)
    return sum(len(a.batch_ids) for a in accounts) - len(pending)


@events.init.add_listener
def _prepare_read_data(environment: Environment, **_: Any) -> None:
    """Before the run time starts: the readers' accounts and finished batches, through the API."""
    if isinstance(environment.runner, MasterRunner) or ReaderUser not in environment.user_classes:
        return
    host = (environment.host or "").rstrip("/")
    if not host:
        raise SystemExit("the read mix needs --host (the API's address)")
    started = time.monotonic()
    pool = gevent.pool.Pool(4)
    try:
        READ_DATA.extend(pool.imap_unordered(lambda i: _create_read_account(host, i), range(READ_ACCOUNTS)))
    except (RuntimeError, requests.RequestException) as exc:
        # SystemExit, not an exception locust would log and carry on after.
        raise SystemExit(f"read mix: creating the accounts and batches failed: {exc}") from exc
    finished = _wait_for_batches(host, READ_DATA, timeout=BATCH_TIMEOUT)
    total = READ_ACCOUNTS * READ_BATCHES
    log.info(
        "read mix data: %d accounts, %d of %d batches of %d images finished, in %.0f s",
        READ_ACCOUNTS, finished, total, READ_IMAGES, time.monotonic() - started,
    )  # fmt: skip
    if finished < total:
        log.warning("read mix: %d batches still processing; their listings lack names", total - finished)


class ReaderUser(FastHttpUser):
    """Someone who keeps the dashboard and a batch's review page open (see the module docstring)."""

    wait_time = between(*READ_WAIT)

    def on_start(self) -> None:
        if not READ_DATA:
            raise RuntimeError("no read data: the init listener did not run")
        self.account = random.choice(READ_DATA)
        self.auth = _bearer(self.account.token)

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, headers=self.auth, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")

    @task(3)
    def dashboard(self) -> None:
        self._get("/batches?page=1&page_size=50", "GET /batches")

    @task(4)
    def batch_status(self) -> None:
        self._get(f"/batches/{random.choice(self.account.batch_ids)}", "GET /batches/{id}")

    @task(2)
    def image_list(self) -> None:
        self._get(
            f"/batches/{random.choice(self.account.batch_ids)}/images?page=1&page_size=200", "GET /batches/{id}/images"
        )
