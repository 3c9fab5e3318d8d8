"""Alembic environment: target metadata from core, URL from core.config (or -x url=...).

Migrations run as the tables' owner (RENAMER_DATABASE_OWNER_URL); afterwards the app's role
(the user of RENAMER_DATABASE_URL) is created if missing and granted DML on every table
(core.db_roles), so the app never owns what row-level security protects.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlmodel import create_engine

import core.all_models  # noqa: F401  (registers every table)
from core.config import get_settings
from core.db import metadata
from core.db_roles import provision_app_role

config = context.config


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or get_settings().effective_database_owner_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
        provision_app_role(connection, get_settings().database_url)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:  # tests pass an open connection
        _run(connectable)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
