"""Leader/follower reads: the dashboard list and image listings read the replica, everything
else the primary; a writer reads its own writes; a dead or lagging replica is skipped.

Routing is proved with a second, independent PostgreSQL instance holding DIFFERENT rows than
the primary (a batch only the "replica" has): whichever rows come back say which server
answered. Lag is tested on a real streaming standby (pg_basebackup -R) of a private primary.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

import core.all_models  # noqa: F401  the tables below must be known
from core import db
from core.config import PROJECT_ROOT, get_settings
from core.redis import get_redis
from tests.conftest import TEST_DB
from tests.support.api import organization_id
from tests.support.postgres import PrivateCluster, server_bin

PG_BIN = server_bin()
pytestmark = pytest.mark.skipif(PG_BIN is None, reason="no PostgreSQL server binaries under /usr/lib/postgresql")
STICKY_SECONDS = 1


def _migrate(url: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.cmd_opts = argparse.Namespace(x=[f"url={url}"])
    command.upgrade(config, "head")


@pytest.fixture(scope="module")
def replica_server(services: None) -> Iterator[PrivateCluster]:
    """An independent server with the same schema as the test database, and none of its rows."""
    assert PG_BIN is not None
    cluster = PrivateCluster.create(PG_BIN).start()
    try:
        cluster.create_database(TEST_DB)
        _migrate(cluster.url(TEST_DB))
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def replica_writer(replica_server: PrivateCluster) -> Iterator[Engine]:
    """Writes the replica's own rows (the app's replica sessions are read-only)."""
    engine = db.make_engine(replica_server.url(TEST_DB))
    yield engine
    engine.dispose()


@pytest.fixture
def with_replica(replica_server: PrivateCluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[db.ReplicaRouter]:
    """The app configured with the replica (settings are read per request; the router is cached)."""
    monkeypatch.setenv("RENAMER_DATABASE_REPLICA_URL", replica_server.url(TEST_DB))
    monkeypatch.setenv("RENAMER_REPLICA_READ_YOUR_WRITES_SECONDS", str(STICKY_SECONDS))
    get_settings.cache_clear()
    db.get_replica_router.cache_clear()
    router = db.get_replica_router()
    assert router.configured
    yield router
    monkeypatch.undo()
    get_settings.cache_clear()
    db.get_replica_router.cache_clear()


USERS = db.metadata.tables["users"]
ORGANIZATIONS = db.metadata.tables["organizations"]
BATCHES = db.metadata.tables["batches"]


def _copy_to_replica(writer: Engine, source: Table, row_id: object, **changes: object) -> None:
    with db.get_maintenance_engine().connect() as primary:  # every tenant's rows
        row = dict(primary.execute(select(source).where(source.c.id == row_id)).mappings().one())
    with writer.begin() as replica:
        replica.execute(insert(source).values({**row, **changes}))


def _user_id(client: TestClient, auth: dict[str, str]) -> uuid.UUID:
    response = client.get("/me", headers=auth)
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])


def _names(client: TestClient, auth: dict[str, str]) -> set[str]:
    response = client.get("/batches", headers=auth)
    assert response.status_code == 200, response.text
    return {b["name"] for b in response.json()["items"]}


def _wait_until_not_sticky(user_id: uuid.UUID) -> None:
    deadline = time.monotonic() + STICKY_SECONDS + 3
    while get_redis().exists(f"renamer:rw:{user_id}"):
        assert time.monotonic() < deadline, "the read-your-writes marker did not expire"
        time.sleep(0.1)


def test_listings_read_the_replica_writes_and_writers_read_the_primary(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    with_replica: db.ReplicaRouter,
    replica_writer: Engine,
) -> None:
    created = client.post("/batches", json={"name": "on-primary"}, headers=auth)
    assert created.status_code == 201, created.text
    batch_id = uuid.UUID(created.json()["id"])
    user_id = _user_id(client, auth)
    # The replica's copy differs from the primary's, and it has a batch the primary lacks.
    _copy_to_replica(replica_writer, USERS, user_id)
    _copy_to_replica(replica_writer, ORGANIZATIONS, organization_id(client, auth))
    _copy_to_replica(replica_writer, BATCHES, batch_id, name="on-replica")
    replica_only = uuid.uuid4()
    _copy_to_replica(replica_writer, BATCHES, batch_id, id=replica_only, name="replica-only")

    # Read-your-own-writes: right after the POST this user's list is the primary's.
    ttl = get_redis().ttl(f"renamer:rw:{user_id}")
    assert 0 < ttl <= STICKY_SECONDS
    assert _names(client, auth) == {"on-primary"}

    # Meanwhile a user who wrote nothing reads the replica.
    other_id, other_organization = _user_id(client, other_auth), organization_id(client, other_auth)
    _copy_to_replica(replica_writer, USERS, other_id)
    _copy_to_replica(replica_writer, ORGANIZATIONS, other_organization)
    with replica_writer.begin() as conn:
        conn.execute(
            insert(BATCHES).values(
                id=uuid.uuid4(), owner_id=other_id, organization_id=other_organization, name="other-on-replica"
            )
        )
    assert _names(client, other_auth) == {"other-on-replica"}

    # Once the marker expires, the dashboard list and the image listing come from the replica...
    _wait_until_not_sticky(user_id)
    page = client.get("/batches", headers=auth).json()
    assert {b["name"] for b in page["items"]} == {"on-replica", "replica-only"} and page["total"] == 2
    assert client.get(f"/batches/{replica_only}/images", headers=auth).status_code == 200
    # ...while the single-batch path stays on the primary, which knows nothing of replica-only.
    assert client.get(f"/batches/{batch_id}", headers=auth).json()["name"] == "on-primary"
    assert client.get(f"/batches/{replica_only}", headers=auth).status_code == 404

    # Any write (here a PATCH) sends the writer back to the primary, and shows the change at once.
    renamed = client.patch(f"/batches/{batch_id}", json={"name": "renamed"}, headers=auth)
    assert renamed.status_code == 200, renamed.text
    assert _names(client, auth) == {"renamed"}
    assert client.get(f"/batches/{replica_only}/images", headers=auth).status_code == 404


def test_replica_sessions_refuse_writes(with_replica: db.ReplicaRouter, replica_writer: Engine) -> None:
    session = with_replica.open_session()
    assert session is not None
    try:
        with pytest.raises(DBAPIError, match="read-only transaction"):
            session.execute(update(BATCHES).values(name="x"))
    finally:
        session.close()


def test_a_stopped_replica_falls_back_to_the_primary(
    client: TestClient, auth: dict[str, str], with_replica: db.ReplicaRouter, replica_server: PrivateCluster
) -> None:
    created = client.post("/batches", json={"name": "only-on-primary"}, headers=auth)
    batch_id = created.json()["id"]
    user_id = _user_id(client, auth)
    _wait_until_not_sticky(user_id)
    assert _names(client, auth) == set()  # the replica has neither this user's batches nor the user
    assert with_replica.usable()  # and the verdict that it is fine is cached

    replica_server.stop()  # runs last in this module: the replica stays down
    started = time.monotonic()
    assert _names(client, auth) == {"only-on-primary"}
    assert client.get(f"/batches/{batch_id}/images", headers=auth).status_code == 200
    assert time.monotonic() - started < 5
    assert not with_replica.usable()


def test_streaming_standby_lag_sends_reads_to_the_primary() -> None:
    assert PG_BIN is not None
    primary = PrivateCluster.create(PG_BIN).start()
    standby: PrivateCluster | None = None
    engines: list[Engine] = []
    try:
        primary.execute("CREATE TABLE notes (body text)")
        standby = PrivateCluster.standby_of(primary).start()
        replica_engine = db.make_replica_engine(standby.url())
        primary_engine = db.make_replica_engine(primary.url())
        engines += [replica_engine, primary_engine]
        router = db.ReplicaRouter(sessionmaker(bind=replica_engine), max_lag_seconds=1.0)

        # A server not in recovery counts as current.
        assert db.ReplicaRouter(sessionmaker(bind=primary_engine), max_lag_seconds=0).lag_seconds() == 0
        primary.execute("INSERT INTO notes VALUES ('first')")
        _wait(lambda: standby is not None and standby.execute("SELECT count(*) FROM notes") == [(1,)])
        _wait(lambda: router.lag_seconds() == 0)  # caught up; an idle primary is not lag
        assert router.usable() and router.open_session() is not None

        # Replay stops while WAL keeps arriving: the standby falls behind.
        standby.execute("SELECT pg_wal_replay_pause()")
        primary.execute("INSERT INTO notes VALUES ('second')")
        _wait(lambda: router.lag_seconds() > 1.0)
        assert router.usable()  # the cached verdict holds for a few seconds...
        router.forget_verdict()
        assert not router.usable() and router.open_session() is None  # ...then reads go to the primary

        standby.execute("SELECT pg_wal_replay_resume()")
        _wait(lambda: router.lag_seconds() == 0)
        router.forget_verdict()
        assert router.usable()
    finally:
        for engine in engines:
            engine.dispose()
        if standby is not None:
            standby.destroy()
        primary.destroy()


def _wait(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_prepared_statements_can_be_turned_off_for_pgbouncer(services: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for setting, expected in (("true", 5), ("false", None)):
        monkeypatch.setenv("RENAMER_DATABASE_PREPARED_STATEMENTS", setting)
        get_settings.cache_clear()
        engine = db.make_engine(get_settings().database_url)
        try:
            with engine.connect() as conn:
                assert conn.connection.driver_connection.prepare_threshold == expected  # type: ignore[union-attr]
        finally:
            engine.dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
