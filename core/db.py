"""Engine, sessions and the after-commit hook.

Services take a session and never commit: the API's request dependency or the worker's
task wrapper owns the transaction (`transaction()` below). Jobs and realtime events are
registered with `after_commit(session, fn)` and run only once the transaction commits;
a rollback drops them.

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
from functools import lru_cache
from typing import Any

import redis
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
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
log = logging.getLogger(__name__)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if not get_settings().database_prepared_statements:
        kwargs["connect_args"] = {"prepare_threshold": None, **kwargs.get("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


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


@contextmanager
def transaction(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any exception."""
    session = (factory or get_sessionmaker())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


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
