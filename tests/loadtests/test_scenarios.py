"""The locust scenarios still work: each mix runs a few seconds against a live stack (API and
worker on the test database) with no failed request, and every request type of the mix ran.
A smoke test that keeps loadtests/ from rotting; it measures nothing (figures: make loadtest)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests.run import LOAD_LIMITS, LocalStack, Mix, read_stats, run_locust

pytestmark = pytest.mark.slow

# Small batches and quick polling: a whole campaign (sign-up to ZIP download) fits in seconds.
SMALL = {
    "LOADTEST_IMAGES_MIN": "3",
    "LOADTEST_IMAGES_MAX": "4",
    "LOADTEST_POLL_SECONDS": "0.3",
    "LOADTEST_BATCH_TIMEOUT": "60",
    "LOADTEST_READ_ACCOUNTS": "2",
    "LOADTEST_READ_BATCHES": "1",
    "LOADTEST_READ_IMAGES": "3",
    "LOADTEST_READ_WAIT_MIN": "0.05",
    "LOADTEST_READ_WAIT_MAX": "0.2",
}

UPLOAD_REQUESTS = {
    "POST /auth/signup",
    "POST /auth/login",
    "POST /batches",
    "POST /batches/{id}/images",
    "POST /batches/{id}/start",
    "GET /batches/{id}",
    "GET /batches/{id}/images",
    "PATCH /images/{id}",
    "GET /batches/{id}/download",
    "GET ZIP from S3",
}
READ_REQUESTS = {"GET /batches", "GET /batches/{id}", "GET /batches/{id}/images"}


@pytest.fixture(scope="module")
def live_stack(
    services: None, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """One API process and a worker on the test database; the session's worker is stopped meanwhile."""
    from tests.support.processes import running_session_worker

    session_worker = running_session_worker(request)
    if session_worker is not None:
        session_worker.stop()
    stack = LocalStack(tmp_path_factory.mktemp("loadtest-stack"), api_workers=1, env={**LOAD_LIMITS}).start()
    try:
        yield stack.url
    finally:
        stack.stop()
        if session_worker is not None:
            session_worker.start()


def _run(mix: Mix, host: str, folder: Path) -> tuple[dict[str, tuple[int, int]], Path]:
    prefix = folder / mix.name
    run_locust(mix, host, prefix, log_path=folder / f"{mix.name}.log")
    try:
        aggregated, rows = read_stats(prefix)
    except (OSError, RuntimeError):
        pytest.fail(f"locust did not report:\n{(folder / f'{mix.name}.log').read_text()[-3000:]}")
    failures = (folder / f"{mix.name}_failures.csv").read_text()
    assert aggregated.failures == 0, failures
    return {row.name: (row.requests, row.failures) for row in rows}, prefix


def test_the_read_mix_runs_every_request_without_failures(live_stack: str, tmp_path: Path) -> None:
    counts, _ = _run(
        Mix("read", "ReaderUser", users=4, spawn_rate=4, run_time=6, env=SMALL, reset_after_ramp=False),
        live_stack,
        tmp_path,
    )
    assert set(counts) == READ_REQUESTS
    assert all(requests > 0 for requests, _ in counts.values()), counts


def test_a_marketer_campaign_runs_from_sign_up_to_zip_download(live_stack: str, tmp_path: Path) -> None:
    mix = Mix("upload", "MarketerUser", users=2, spawn_rate=2, run_time=40, env=SMALL, reset_after_ramp=False)
    counts, prefix = _run(mix, live_stack, tmp_path)
    assert set(counts) == UPLOAD_REQUESTS, counts
    campaigns = json.loads(Path(f"{prefix}_campaigns.json").read_text())
    assert campaigns["campaigns_completed"] >= 1 and campaigns["campaigns_abandoned"] == 0, campaigns
    assert counts["GET ZIP from S3"][0] >= 1
    assert counts["POST /batches/{id}/images"][0] >= 3 * campaigns["campaigns_completed"]
