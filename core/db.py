"""Engine, sessions and the after-commit hook.

Services take a session and never commit: the API's request dependency or the worker's
task wrapper owns the transaction (`transaction()` below). Jobs and realtime events are
registered with `after_commit(session, fn)` and run only once the transaction commits;
a rollback drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
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
