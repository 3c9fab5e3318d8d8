"""Test harness: real PostgreSQL, Redis, S3 (SeaweedFS) and clamd, started by
`scripts/services.sh up` (make test does it). Tests get their own database (migrated
with Alembic), their own bucket and their own Redis database, so a running `make dev`
is left alone.
"""

from __future__ import annotations

import os
import uuid

# Settings are read once per process: set the test environment before core is imported.
TEST_DB = os.environ.get("RENAMER_TEST_DATABASE", "renamer_test")
PG_URL = os.environ.get("RENAMER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
# The app connects as an ordinary role, so row-level security applies to it, exactly as in
# production; migrations (and maintenance work) use the owner, PG_URL's superuser.
APP_ROLE = os.environ.get("RENAMER_TEST_APP_ROLE", "renamer_app")
APP_URL = PG_URL.replace("://postgres@", f"://{APP_ROLE}@", 1)
# Separate runs (two checkouts, or CI next to `make dev`) can use separate names.
TEST_REDIS_DB = os.environ.get("RENAMER_TEST_REDIS_DB", "15")
TEST_ENV = {
    "RENAMER_ENVIRONMENT": "test",
    "RENAMER_DATABASE_URL": f"{APP_URL}/{TEST_DB}",
    "RENAMER_DATABASE_OWNER_URL": f"{PG_URL}/{TEST_DB}",
    "RENAMER_REDIS_URL": f"redis://127.0.0.1:6379/{TEST_REDIS_DB}",
    "RENAMER_S3_BUCKET": TEST_DB.replace("_", "-"),
    "RENAMER_REALTIME_CHANNEL": f"renamer-socketio-{TEST_DB}",
    "RENAMER_BROKER_VISIBILITY_TIMEOUT": "8",
    "RENAMER_STUCK_PROCESSING_AFTER_SECONDS": "6",
    "RENAMER_STUCK_QUEUED_AFTER_SECONDS": "20",
    "RENAMER_SWEEP_INTERVAL_SECONDS": "2",
    "RENAMER_WORKER_METRICS_PORT": "0",
    "RENAMER_TASK_MAX_RETRIES": "2",
    # The whole suite signs up from one test-client address; the per-IP limit is tested on its own.
    "RENAMER_SIGNUP_PER_IP_PER_HOUR": "100000",
    "RENAMER_SIGNIN_PER_IP_PER_MINUTE": "100000",
    # OpenAI counts as configured so that batches may choose it; the discard port refuses at once,
    # and the tests that use it point RENAMER_OPENAI_BASE_URL at tests/fakes/openai_server.py.
    "RENAMER_OPENAI_API_KEY": "sk-test-not-a-real-key",
    "RENAMER_OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
}
os.environ.update(TEST_ENV)

from collections.abc import Iterator  # noqa: E402

import psycopg  # noqa: E402
import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from core.config import PROJECT_ROOT, get_settings  # noqa: E402
from core.redis import get_redis  # noqa: E402
from core.storage import get_storage  # noqa: E402


def _create_app_role() -> None:
    """The app's role, idempotently (roles are shared by every database of the server, and
    parallel runs may race to create it): an ordinary login role, no BYPASSRLS. Migrations
    grant it DML on the test database's tables (core.db_roles)."""
    with psycopg.connect(PG_URL.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(
            "DO $$ BEGIN "
            f'CREATE ROLE "{APP_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION; '
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )


def _recreate_database() -> None:
    with psycopg.connect(PG_URL.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEST_DB}"')
    _create_app_role()


@pytest.fixture(scope="session")
def services() -> Iterator[None]:
    """A fresh, migrated test database, an empty test bucket and Redis database.
    Only tests that talk to them ask for it; pure unit tests never touch shared state."""
    _recreate_database()
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    command.upgrade(config, "head")
    get_redis().flushdb()
    storage = get_storage()
    storage.ensure_bucket()
    storage.delete(*storage.list_keys(""))
    yield


@pytest.fixture(scope="session")
def client(services: None) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _sign_up(client: TestClient) -> dict[str, str]:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post("/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    """Headers of a fresh user."""
    return _sign_up(client)


@pytest.fixture
def other_auth(client: TestClient) -> dict[str, str]:
    """Headers of a second, unrelated user."""
    return _sign_up(client)


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    return get_settings()


@pytest.fixture(scope="session")
def worker(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real Celery worker (prefork, with beat) shared by the end-to-end tests."""
    from tests.support.processes import WorkerProcess

    process = WorkerProcess("main", tmp_path_factory.mktemp("worker")).start()
    yield process
    process.stop()
