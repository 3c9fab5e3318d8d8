"""Through a real HTTP server (uvicorn), where a response can race its own transaction."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from core.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def live_api(services: None) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A loaded 2-core CI box can take a while to import the app; fail loudly, not with a refused connection.
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the API did not start on {url} (exit code {process.poll()})")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_response_is_sent_only_after_its_transaction_committed(live_api: str) -> None:
    with httpx.Client(base_url=live_api, timeout=10) as http:
        for _ in range(15):
            email = f"race-{uuid.uuid4().hex[:10]}@example.com"
            token = http.post("/auth/signup", json={"email": email, "password": "correct horse battery"}).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            created = http.post("/batches", json={"keywords": ["x"]}, headers=headers)
            assert created.status_code == 201, created.text  # the account exists at once
            assert http.get(f"/batches/{created.json()['id']}", headers=headers).status_code == 200
