"""Grafana provisioning and dashboards (monitoring/grafana/), every panel's query run against a real Prometheus.

Grafana itself is not installed here, so the test does what Grafana would: it substitutes the template and
interval variables and sends each panel's PromQL to Prometheus's query API. Prometheus (Debian's
/usr/bin/prometheus, started by the test on a free port with its own data folder) loads the real rule file and
scrapes, every second, the test's own processes: two uvicorn APIs (one whose clamd address is wrong, so uploads
are refused fail-closed), the realtime server, a prefork CPU worker and a thread-pool I/O worker that calls a
fake OpenAI. A few batches driven through the HTTP API give every exported metric a sample.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from core.config import PROJECT_ROOT
from scripts.stack import free_port, stop_process_group
from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.fixtures import images as fx
from tests.realtime.harness import Client, Loop, RealtimeProcess, token_of
from tests.support.api import all_images, create_batch, upload, wait_for_batch
from tests.support.processes import ApiProcess, WorkerProcess, running_session_worker, start_logged

GRAFANA = PROJECT_ROOT / "monitoring" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
RULES = PROJECT_ROOT / "monitoring" / "prometheus" / "rules.yml"
SCRAPE_SECONDS = 1

# Metrics whose panels must parse but cannot return data here: this test's batches never hit a quota or
# pay (tests/api/test_billing.py and test_quota.py cover those counters). A labelled counter has no
# series until it first counts, so each must still be absent; the test says when one appears.
NOT_EXPORTED_YET = {
    "renamer_quota_refusals_total": "no upload here exceeds a plan's quota",
    "renamer_checkouts_started_total": "no checkout is started here",
    "renamer_checkouts_completed_total": "no checkout is completed here",
    "renamer_revenue_usd_total": "no invoice is paid here",
    "renamer_payment_webhooks_total": "no Stripe webhook arrives here",
}


def _dashboards() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, json.loads(path.read_text())) for path in DASHBOARDS]


def _targets(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


# ------------------------------------------------------------------------- static checks


def test_provisioning_points_at_the_dashboards_and_the_datasource_they_use() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    mounts = dict(volume.split(":")[:2] for volume in compose["services"]["grafana"]["volumes"])
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "image-renamer.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == mounts["./monitoring/grafana/dashboards"]
    assert mounts["./monitoring/grafana/provisioning"] == "/etc/grafana/provisioning"
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [prometheus] = datasource["datasources"]
    assert prometheus["type"] == "prometheus" and prometheus["url"] == "http://prometheus:9090"

    assert {name for name, _ in _dashboards()} == {"overview.json", "pipeline.json", "providers.json", "business.json"}
    uids = [dashboard["uid"] for _, dashboard in _dashboards()]
    assert len(set(uids)) == len(uids)
    for name, dashboard in _dashboards():
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(set(ids)) == len(ids), name
        variables = {v["name"] for v in dashboard["templating"]["list"]}
        for panel in dashboard["panels"]:
            if panel["type"] == "row":
                continue
            assert panel["targets"], f"{name}: {panel['title']} has no query"
            assert panel["datasource"]["uid"] == prometheus["uid"], f"{name}: {panel['title']}"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == prometheus["uid"], f"{name}: {panel['title']}"
                used = set(re.findall(r"\$(\w+)", target["expr"])) - {"__rate_interval", "__interval", "__range"}
                assert used <= variables, f"{name}: {panel['title']} uses undefined {used - variables}"
                # "All" selects the regex .*, which only works with =~
                for variable in used:
                    assert f'=~"${variable}"' in target["expr"], f"{name}: {panel['title']}: match ${variable} with =~"


# ------------------------------------------------------------------------- the live stack


class PrometheusProcess:
    """Debian's /usr/bin/prometheus with a generated config, its own port and data folder."""

    def __init__(self, folder: Path, targets: dict[str, list[str]]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        config = {
            "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [
                {"job_name": job, "static_configs": [{"targets": addresses}]} for job, addresses in targets.items()
            ],
        }
        self.config = folder / "prometheus.yml"
        self.config.write_text(yaml.safe_dump(config))
        self.log_path = folder / "prometheus.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> PrometheusProcess:
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus is missing: run scripts/bootstrap.sh (it installs Debian's `prometheus` package)")
        command = [
            binary, f"--config.file={self.config}", f"--storage.tsdb.path={self.folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1d",
        ]  # fmt: skip
        self.process = start_logged(
            command,
            name="prometheus",
            log_path=self.log_path,
            ready=lambda: httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200,
            timeout=timeout,
            cwd=None,
        )
        return self

    def api(self, path: str, **params: Any) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=30)
        body: dict[str, Any] = response.json()
        return body

    def stop(self) -> None:
        stop_process_group(self.process, timeout=15)


@dataclass
class Stack:
    prometheus: PrometheusProcess
    api: ApiProcess
    api_without_clamd: ApiProcess
    realtime: RealtimeProcess
    fake_openai: FakeOpenAI


@pytest.fixture(scope="module")
def stack(services: None, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("monitoring")
    session_worker = running_session_worker(request)
    if session_worker is not None:
        session_worker.stop()  # it has no metrics port and must not take our tasks
    processes: list[Any] = []
    try:
        with FakeOpenAI(latency=0.0) as fake:
            cpu_port, io_port = free_port(), free_port()
            closed_port = free_port()  # nothing listens there: clamd "down" for the second API
            cpu = WorkerProcess("mon-cpu", folder, beat=False, env={"RENAMER_WORKER_METRICS_PORT": str(cpu_port)})
            # As in production: the vision queue on the threads pool.
            io = WorkerProcess(
                "mon-io", folder, beat=False, concurrency=8, pool="threads", queues="vision",
                env={
                    "RENAMER_WORKER_METRICS_PORT": str(io_port),
                    "RENAMER_OPENAI_BASE_URL": fake.base_url,
                    "RENAMER_PROVIDER_RETRY_ATTEMPTS": "2",
                    "RENAMER_PROVIDER_RETRY_BASE_SECONDS": "0.05",
                    "RENAMER_PROVIDER_BREAKER_FAILURES": "3",
                    "RENAMER_PROVIDER_BREAKER_RESET_SECONDS": "60",
                },
            )  # fmt: skip
            api = ApiProcess("ok", folder)
            api_without_clamd = ApiProcess(
                "no-clamd", folder, {"RENAMER_CLAMD_HOST": "127.0.0.1", "RENAMER_CLAMD_PORT": str(closed_port)}
            )
            realtime = RealtimeProcess("mon", folder)
            processes = [cpu, io, api, api_without_clamd, realtime]
            # Started side by side: each takes seconds of mostly imports, many more on a busy machine.
            with ThreadPoolExecutor(len(processes)) as pool:
                for started in [pool.submit(p.start, timeout=180) for p in processes]:
                    started.result()
            prometheus = PrometheusProcess(
                folder,
                {
                    "api": [f"127.0.0.1:{api.port}", f"127.0.0.1:{api_without_clamd.port}"],
                    "realtime": [f"127.0.0.1:{realtime.port}"],
                    "worker": [f"127.0.0.1:{cpu_port}"],
                    "worker-io": [f"127.0.0.1:{io_port}"],
                },
            )
            processes.append(prometheus)
            prometheus.start()
            yield Stack(prometheus, api, api_without_clamd, realtime, fake)
    finally:
        for process in reversed(processes):
            process.stop()
        if session_worker is not None:
            session_worker.start()


def _drive_batches(stack: Stack) -> None:
    """Batches through the HTTP API that touch every exported metric."""
    with httpx.Client(base_url=stack.api.url, timeout=60) as http:
        email = f"mon-{time.time_ns()}@example.com"
        signup = http.post("/auth/signup", json={"email": email, "password": "correct horse battery"})
        assert signup.status_code == 201, signup.text
        auth = {"Authorization": f"Bearer {signup.json()['access_token']}"}

        refused_batch = create_batch(http, auth)  # type: ignore[arg-type]

        def refused_upload() -> None:
            """Fail closed: the API that cannot reach clamd refuses the whole upload."""
            with httpx.Client(base_url=stack.api_without_clamd.url, timeout=30) as no_clamd:
                refused = upload(no_clamd, auth, refused_batch["id"], [("a.jpg", fx.jpeg(seed=901))])  # type: ignore[arg-type]
            assert refused.status_code == 503 and refused.json()["code"] == "scanner_unavailable", refused.text

        # Twice, scrapes apart: a counter's first sample is no increase, and UploadsRefusedFailClosed
        # (pending, in the overview's alerts table) needs one.
        refused_upload()

        loop = Loop()
        try:
            # A socket with a bad token is refused; a good one follows the local batch.
            with contextlib.suppress(Exception):
                Client(loop, stack.realtime.url).connect(token="not-a-token")
            follower = Client(loop, stack.realtime.url).connect(token=token_of(auth))

            local = create_batch(http, auth, keywords=["garden chair"])  # type: ignore[arg-type]
            follower.join(local["id"])
            files = [(f"chair-{n}.jpg", fx.jpeg(seed=910 + n)) for n in range(4)]
            files += [("chair-0-again.jpg", files[0][1]), ("eicar.jpg", fx.eicar_appended_to_jpeg())]
            response = upload(http, auth, local["id"], files)  # type: ignore[arg-type]
            assert response.json()["accepted"] == 4 and response.json()["rejected"] == 2, response.text
            assert http.post(f"/batches/{local['id']}/start", headers=auth).status_code == 200

            def remote_batch(images: list[tuple[str, bytes]]) -> dict[str, Any]:
                batch = create_batch(http, auth, providers=["openai", "local"], keywords=["blue vase"])  # type: ignore[arg-type]
                # Followed too: the delivery-delay series then grow across scrapes, not in one burst.
                follower.join(batch["id"])
                assert upload(http, auth, batch["id"], images).status_code == 200  # type: ignore[arg-type]
                assert http.post(f"/batches/{batch['id']}/start", headers=auth).status_code == 200
                return wait_for_batch(http, auth, batch["id"], timeout=60, download=False)  # type: ignore[arg-type]

            vases = [(f"vase-{n}.jpg", fx.jpeg(seed=930 + n)) for n in range(3)]
            assert remote_batch(vases)["status"] == "COMPLETED"
            assert remote_batch(vases[:1])["cost_usd"] == 0  # the same bytes again: served from the cache
            stack.fake_openai.script(*[Behaviour.server_error(500) for _ in range(30)])
            failing = remote_batch([(f"jug-{n}.jpg", fx.jpeg(seed=950 + n)) for n in range(4)])
            assert failing["status"] == "COMPLETED"  # the local analyzer took over

            refused_upload()
            done = wait_for_batch(http, auth, local["id"], timeout=60)  # type: ignore[arg-type]
            assert done["status"] == "COMPLETED" and done["download_ready"], done
            assert len(all_images(http, auth, local["id"])) == 4  # type: ignore[arg-type]
            follower.disconnect()
        finally:
            loop.close()


def _promql(expr: str, *, range_seconds: int, variables: set[str]) -> str:
    # What Grafana sends: $__rate_interval is at least four scrape intervals, $__range the time picker's span,
    # and "All" of a variable is its allValue, .*
    expr = expr.replace("$__rate_interval", f"{4 * SCRAPE_SECONDS + 1}s").replace("$__interval", f"{SCRAPE_SECONDS}s")
    expr = expr.replace("$__range", f"{range_seconds}s")
    for variable in variables:
        expr = expr.replace(f"${{{variable}}}", ".*").replace(f"${variable}", ".*")
    return expr


def test_a_thread_pool_worker_exports_its_counters(tmp_path: Path) -> None:
    # One process that imports core.metrics and then runs the worker's metrics setup, as the threads pool does.
    folder = tmp_path / "worker-metrics"
    folder.mkdir()
    script = (
        "from prometheus_client import CollectorRegistry, generate_latest, multiprocess\n"
        "from core import metrics\n"
        "from worker.metrics import _serve_metrics\n"
        "_serve_metrics()\n"
        "metrics.IMAGES_FINISHED.labels(status='named', provider='openai').inc()\n"
        "registry = CollectorRegistry()\n"
        "multiprocess.MultiProcessCollector(registry)\n"
        "print(generate_latest(registry).decode())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "RENAMER_WORKER_METRICS_PORT": "0"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert 'renamer_images_finished_total{provider="openai",status="named"} 1.0' in result.stdout


def _await_first_scrapes(prometheus: PrometheusProcess, timeout: float = 30.0) -> None:
    """Every target scraped once before any traffic. Prometheus's first scrape of a target can
    come seconds after it is ready; a series whose whole life falls before it has no increase
    for rate() to see, and its panels would show nothing (a race that failed a full run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        targets = prometheus.api("targets")["data"]["activeTargets"]
        if targets and all(t["health"] == "up" for t in targets):
            return
        time.sleep(0.2)
    raise TimeoutError(f"targets not all scraped: {[(t['scrapeUrl'], t['health']) for t in targets]}")


@pytest.mark.slow
def test_every_panel_query_runs_and_returns_data_on_a_live_stack(stack: Stack) -> None:
    started = time.time()
    _await_first_scrapes(stack.prometheus)
    _drive_batches(stack)
    time.sleep(3 * SCRAPE_SECONDS + 1)  # the last counts scraped and the rules evaluated over them
    prometheus = stack.prometheus

    targets = prometheus.api("targets")["data"]["activeTargets"]
    assert {(t["labels"]["job"], t["health"]) for t in targets} == {
        ("api", "up"),
        ("realtime", "up"),
        ("worker", "up"),
        ("worker-io", "up"),
    }, [(t["labels"]["job"], t["lastError"]) for t in targets]
    for group in prometheus.api("rules")["data"]["groups"]:
        for rule in group["rules"]:
            assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))

    for metric, reason in NOT_EXPORTED_YET.items():
        assert not prometheus.api("series", **{"match[]": metric})["data"], (
            f"{metric} is exported now ({reason} no longer holds): remove it from NOT_EXPORTED_YET and docs"
        )

    now = time.time()
    problems: list[str] = []
    checked = 0
    for name, dashboard in _dashboards():
        variables = {v["name"] for v in dashboard["templating"]["list"]}
        for variable in dashboard["templating"]["list"]:
            metric, label = re.fullmatch(r"label_values\((\w+), (\w+)\)", variable["definition"]).groups()  # type: ignore[union-attr]
            if not prometheus.api(f"label/{label}/values", **{"match[]": metric})["data"]:
                problems.append(f"{name}: variable {variable['name']} has no values")
        for title, expr in _targets(dashboard):
            query = _promql(expr, range_seconds=int(now - started) + 1, variables=variables)
            body = prometheus.api("query_range", query=query, start=started, end=now, step=SCRAPE_SECONDS)
            checked += 1
            if body["status"] != "success":
                problems.append(f"{name}: {title}: {body.get('error')} in {query}")
                continue
            exempt = [m for m in NOT_EXPORTED_YET if re.search(rf"\b{m}\b", expr)]
            if not exempt and not body["data"]["result"]:
                problems.append(f"{name}: {title}: no data for {query}")
    assert checked >= 60
    assert not problems, "\n".join(problems)
