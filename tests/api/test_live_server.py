"""Through a real HTTP server (uvicorn), where a response can race its own transaction.

The race is made wide and certain rather than left to chance: a deferred constraint
trigger, present only during this module, sleeps at COMMIT time for batches named
SLOW_COMMIT. A response sent before its commit would reach the client while the row is
still invisible to every other connection, so the follow-up read would get 404.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.conftest import PG_URL, TEST_DB
from tests.support.processes import ApiProcess

SLOW_COMMIT = "slow-commit-probe"
COMMIT_SECONDS = 1.5
OWNER_DSN = PG_URL.replace("+psycopg", "") + f"/{TEST_DB}"


@pytest.fixture(scope="module")
def slow_commits(services: None) -> Iterator[None]:
    with psycopg.connect(OWNER_DSN, autocommit=True) as conn:
        conn.execute(
            "CREATE OR REPLACE FUNCTION test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF NEW.name = '{SLOW_COMMIT}' THEN PERFORM pg_sleep({COMMIT_SECONDS}); END IF; "
            "RETURN NULL; END $$"
        )
        conn.execute(
            "CREATE CONSTRAINT TRIGGER test_slow_commit AFTER INSERT ON batches "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_slow_commit()"
        )
    try:
        yield
    finally:
        with psycopg.connect(OWNER_DSN, autocommit=True) as conn:
            conn.execute("DROP TRIGGER IF EXISTS test_slow_commit ON batches")
            conn.execute("DROP FUNCTION IF EXISTS test_slow_commit()")


@pytest.fixture(scope="module")
def live_api(slow_commits: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    api = ApiProcess("live", tmp_path_factory.mktemp("live-api")).start()
    try:
        yield api.url
    finally:
        api.stop()


def _sign_up(http: httpx.Client) -> dict[str, str]:
    email = f"race-{uuid.uuid4().hex[:10]}@example.com"
    response = http.post("/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_response_is_sent_only_after_its_transaction_committed(live_api: str) -> None:
    with httpx.Client(base_url=live_api, timeout=30) as http:
        headers = _sign_up(http)
        started = time.monotonic()
        created = http.post("/batches", json={"name": SLOW_COMMIT, "keywords": ["x"]}, headers=headers)
        assert created.status_code == 201, created.text
        # The answer waited for the slow commit: the check below cannot pass by luck.
        assert time.monotonic() - started >= COMMIT_SECONDS
        assert http.get(f"/batches/{created.json()['id']}", headers=headers).status_code == 200
