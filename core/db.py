"""Engine, sessions and the after-commit hook.

Services take a session and never commit: the API's request dependency or the worker's
task wrapper owns the transaction (`transaction()` below). Jobs and realtime events are
registered with `after_commit(session, fn)` and run only once the transaction commits;
a rollback drops them.

Tenants: PostgreSQL row-level security keeps each organization's rows apart (migration
0007). The application connects as a role without BYPASSRLS that does not own the tables,
and every transaction says whose rows it may see: `transaction(tenant=...)` or
`set_tenant(session, ...)` records the organization on the session, and each transaction the
session begins runs `SELECT set_config('renamer.tenant_id', <id>, true)` first (transaction-local,
i.e. SET LOCAL, so a pooled connection or PgBouncer never carries it into someone else's
transaction). With no tenant set a tenant-owned table shows no rows at all. Work that must see
every tenant (the sweeps, retention, account deletion) uses `maintenance_transaction()`, a
separate connection (settings.effective_database_maintenance_url) as a role that bypasses
row-level security. The worker's task wrapper sets an ambient tenant (`tenant_scope`) from
the task's payload, which every `transaction()` inside it picks up.

Leader/follower reads: with `database_replica_url` set, reads that tolerate a few seconds of
lag (the dashboard list, image listings) may use a read-only session on the replica
(`ReplicaRouter`); writes and read-your-own-write paths stay on the primary.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import redis
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlmodel import SQLModel, create_engine

from core.config import get_settings

# Deterministic constraint names, so Alembic migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

_AFTER_COMMIT = "renamer_after_commit"
_TENANT = "renamer_tenant_id"
# The PostgreSQL setting the row-level security policies compare organization_id with.
TENANT_SETTING = "renamer.tenant_id"
_SET_TENANT = text(f"SELECT set_config('{TENANT_SETTING}', :tenant, true)")
# The tenant of the task being run (core.db.tenant_scope), for transactions opened without one.
_ambient_tenant: ContextVar[uuid.UUID | None] = ContextVar("renamer_ambient_tenant", default=None)
log = logging.getLogger(__name__)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if not get_settings().database_prepared_statements:
        kwargs["connect_args"] = {"prepare_threshold": None, **kwargs.get("connect_args", {})}
    settings = get_settings()
    kwargs.setdefault("pool_size", settings.database_pool_size)
    kwargs.setdefault("max_overflow", settings.database_max_overflow)
    kwargs.setdefault("pool_timeout", settings.database_pool_timeout)
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    import core.all_models  # noqa: F401  every mapper must be known before the first flush

    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` after the session's current transaction commits; forget it on rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    for fn in callbacks:
        try:
            fn()
        except Exception:
            # The state change is already committed. A lost job is picked up by the
            # periodic sweep of stuck images, so a broker hiccup must not fail the request.
            log.exception("after-commit callback failed", extra={"callback": getattr(fn, "__name__", repr(fn))})


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


@lru_cache
def get_maintenance_engine() -> Engine:
    return make_engine(get_settings().effective_database_maintenance_url, pool_size=2, max_overflow=8)


@lru_cache
def get_maintenance_sessionmaker() -> sessionmaker[Session]:
    """Sessions that see every tenant: for system work only (sweeps, retention, deletion of an
    account across its organizations, lookups before the tenant is known). Never hand one to
    code that serves a request's own data."""
    import core.all_models  # noqa: F401  as in get_sessionmaker

    return sessionmaker(bind=get_maintenance_engine(), expire_on_commit=False)


def set_tenant(session: Session, organization_id: uuid.UUID | None) -> None:
    """From now on every transaction of `session` sees only this organization's rows (None:
    none at all). Applies at once to a transaction already open, and to every later one
    (the value lives in session.info, so it survives commits)."""
    session.info[_TENANT] = organization_id
    if session.in_transaction():
        _apply_tenant(session.connection(), organization_id)  # one bind per session here


def tenant_of(session: Session) -> uuid.UUID | None:
    """The organization `session` is working for (None: no tenant, or a maintenance session)."""
    value = session.info.get(_TENANT)
    return value if isinstance(value, uuid.UUID) else None


def _apply_tenant(connection: Connection, organization_id: uuid.UUID | None) -> None:
    # An empty string, not NULL: the policies read NULLIF(current_setting(...), ''), so an
    # unset or cleared tenant matches no row rather than raising a cast error.
    connection.execute(_SET_TENANT, {"tenant": str(organization_id) if organization_id else ""})


@event.listens_for(Session, "after_begin")
def _tenant_on_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    tenant = session.info.get(_TENANT)
    if tenant is not None:
        _apply_tenant(connection, tenant)


@contextmanager
def tenant_scope(organization_id: uuid.UUID | None) -> Iterator[None]:
    """Every `transaction()` opened inside (in this thread or task) works for this tenant
    unless it names another. The worker's task wrapper sets it from the payload."""
    token = _ambient_tenant.set(organization_id)
    try:
        yield
    finally:
        _ambient_tenant.reset(token)


def ambient_tenant() -> uuid.UUID | None:
    return _ambient_tenant.get()


@contextmanager
def transaction(factory: sessionmaker[Session] | None = None, *, tenant: uuid.UUID | None = None) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any exception. `tenant` (else the
    ambient tenant of tenant_scope) is the organization whose rows it sees; with neither,
    tenant-owned tables look empty."""
    session = (factory or get_sessionmaker())()
    organization_id = tenant if tenant is not None else _ambient_tenant.get()
    if organization_id is not None:
        set_tenant(session, organization_id)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def maintenance_transaction() -> Iterator[Session]:
    """A unit of work that sees every tenant (row-level security bypassed by the maintenance
    role): the beat sweeps, retention, and anything that must cross organizations."""
    with transaction(get_maintenance_sessionmaker()) as session:
        yield session


# --- Read replica ------------------------------------------------------------------------
# A replica that is unreachable or too far behind is skipped, so configuring one can never
# make reads less available than the primary alone.

# One health check is trusted this long: a check per request would cost a round trip each.
REPLICA_VERDICT_SECONDS = 3.0
# libpq's smallest useful connect timeout; a dead replica must not stall a request for long.
_REPLICA_CONNECT_TIMEOUT = 2
# Lag is the age of the last replayed transaction, except that an idle primary sends nothing to
# replay, so that age grows with no real lag: a standby that is streaming and has replayed all it
# received is current. A server not in recovery (a primary, or a plain test server) has no lag.
_LAG_QUERY = text(
    """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
             AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, 'Infinity')
    END
    """
)


def make_replica_engine(url: str) -> Engine:
    # postgresql_readonly makes psycopg open every transaction READ ONLY (in its BEGIN, no extra
    # round trip), so a write routed here by mistake fails instead of reaching the replica.
    return make_engine(
        url, connect_args={"connect_timeout": _REPLICA_CONNECT_TIMEOUT}, execution_options={"postgresql_readonly": True}
    )


class ReplicaRouter:
    """Decides whether lag-tolerant reads may use the replica, and opens their sessions."""

    def __init__(self, replica: sessionmaker[Session] | None, *, max_lag_seconds: float) -> None:
        self._replica = replica
        self.max_lag_seconds = max_lag_seconds
        self._lock = threading.Lock()
        self._verdict: tuple[float, bool] | None = None  # (monotonic time of the check, usable)

    @property
    def configured(self) -> bool:
        return self._replica is not None

    def lag_seconds(self) -> float:
        """The replica's lag now (a query); raises SQLAlchemyError when it cannot be reached."""
        if self._replica is None:
            raise RuntimeError("no replica configured")
        with self._replica() as session:
            return float(session.execute(_LAG_QUERY).scalar_one())

    def usable(self) -> bool:
        if self._replica is None:
            return False
        # One thread checks while the others wait for its verdict rather than all querying at once.
        with self._lock:
            now = time.monotonic()
            if self._verdict is not None and now - self._verdict[0] < REPLICA_VERDICT_SECONDS:
                return self._verdict[1]
            try:
                lag = self.lag_seconds()
                usable = lag <= self.max_lag_seconds
                if not usable:
                    log.warning("replica lags %.1f s (limit %.1f s): reading the primary", lag, self.max_lag_seconds)
            except SQLAlchemyError as exc:
                log.warning("replica unreachable, reading the primary: %s", exc)
                usable = False
            self._verdict = (time.monotonic(), usable)
            return usable

    def mark_unusable(self) -> None:
        with self._lock:
            self._verdict = (time.monotonic(), False)

    def forget_verdict(self) -> None:
        with self._lock:
            self._verdict = None

    def open_session(self) -> Session | None:
        """A read-only session on the replica with its connection already made, or None when
        the caller should read the primary instead."""
        if self._replica is None or not self.usable():
            return None
        session = self._replica()
        try:
            # Connect now, so a replica that went away since the last check falls back here
            # rather than failing the request in the middle of the route.
            session.connection()
        except SQLAlchemyError as exc:
            session.close()
            log.warning("replica connection failed, reading the primary: %s", exc)
            self.mark_unusable()
            return None
        return session


@lru_cache
def get_replica_router() -> ReplicaRouter:
    settings = get_settings()
    if settings.database_replica_url is None:
        return ReplicaRouter(None, max_lag_seconds=settings.replica_max_lag_seconds)
    import core.all_models  # noqa: F401  as in get_sessionmaker

    replica = sessionmaker(bind=make_replica_engine(settings.database_replica_url), expire_on_commit=False)
    return ReplicaRouter(replica, max_lag_seconds=settings.replica_max_lag_seconds)


# Read-your-own-writes lives in Redis rather than in a cookie: every API process sees it, and
# API clients with bearer tokens (scripts, the cross-origin web app) do not keep cookies.
def _recent_writer_key(user_id: uuid.UUID) -> str:
    return f"renamer:rw:{user_id}"


def mark_recent_writer(client: redis.Redis, user_id: uuid.UUID, *, seconds: int) -> None:
    """From now on, for `seconds`, this user's lag-tolerant reads go to the primary."""
    try:
        client.set(_recent_writer_key(user_id), b"1", ex=seconds)
    except redis.RedisError as exc:
        # The write itself must not fail for this; while Redis is down, reads use the primary anyway.
        log.warning("could not record a recent writer: %s", exc)


def is_recent_writer(client: redis.Redis, user_id: uuid.UUID) -> bool:
    try:
        return bool(client.exists(_recent_writer_key(user_id)))
    except redis.RedisError:
        return True  # unknown: the primary is always right
