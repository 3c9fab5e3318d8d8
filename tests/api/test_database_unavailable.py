"""When PostgreSQL refuses connections (its connection limit reached) or the pool stays
exhausted, requests get 503 database_unavailable with Retry-After, never a 500, and
nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.errors import install
from core.db import get_maintenance_sessionmaker
from tests.conftest import APP_ROLE, PG_URL, TEST_DB
from tests.support.processes import ApiProcess

# A login role the server refuses every connection to: what "too many clients" looks like to
# the app, from the server itself. Roles are cluster-wide, so the name follows the app role's.
REFUSED_ROLE = f"{APP_ROLE}_no_connections"


@pytest.fixture(scope="module")
def refused_api(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    with psycopg.connect(PG_URL.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(
            "DO $$ BEGIN "
            f'CREATE ROLE "{REFUSED_ROLE}" LOGIN CONNECTION LIMIT 0; '
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    url = PG_URL.replace("://postgres@", f"://{REFUSED_ROLE}@", 1) + f"/{TEST_DB}"
    api = ApiProcess("refused-db", Path(tmp_path_factory.mktemp("refused-db")), {"RENAMER_DATABASE_URL": url})
    api.start()
    yield api
    api.stop()


def test_a_refused_connection_is_a_503_with_retry_after_and_nothing_is_stored(refused_api: ApiProcess) -> None:
    email = "refused-db@example.com"
    response = httpx.post(
        f"{refused_api.url}/auth/signup", json={"email": email, "password": "correct horse battery"}, timeout=30
    )
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "database_unavailable"
    assert "try again" in response.json()["detail"]
    assert response.headers["Retry-After"] == "5"
    with get_maintenance_sessionmaker()() as session:
        users = session.execute(text("SELECT count(*) FROM users WHERE email = :email"), {"email": email}).scalar()
    assert users == 0
    # The refusal is the database's alone: the process itself is alive.
    assert httpx.get(f"{refused_api.url}/health", timeout=10).status_code == 200


def test_an_exhausted_pool_is_a_503() -> None:
    """SQLAlchemy raises its TimeoutError after RENAMER_DATABASE_POOL_TIMEOUT seconds without a connection."""
    app = FastAPI()
    install(app)

    @app.get("/busy")
    def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 10.00")

    response = TestClient(app).get("/busy")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"
