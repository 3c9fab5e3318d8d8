"""Through a real HTTP server (uvicorn), where a response can race its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.processes import ApiProcess


@pytest.fixture(scope="module")
def live_api(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    api = ApiProcess("live", tmp_path_factory.mktemp("live-api")).start()
    try:
        yield api.url
    finally:
        api.stop()


def test_a_response_is_sent_only_after_its_transaction_committed(live_api: str) -> None:
    with httpx.Client(base_url=live_api, timeout=10) as http:
        for _ in range(15):
            email = f"race-{uuid.uuid4().hex[:10]}@example.com"
            token = http.post("/auth/signup", json={"email": email, "password": "correct horse battery"}).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            created = http.post("/batches", json={"keywords": ["x"]}, headers=headers)
            assert created.status_code == 201, created.text  # the account exists at once
            assert http.get(f"/batches/{created.json()['id']}", headers=headers).status_code == 200
