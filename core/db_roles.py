"""The application's database role: the one row-level security applies to.

The app connects as a role that is not superuser, has NOBYPASSRLS, does not own the tables
and holds only SELECT, INSERT, UPDATE and DELETE (plus EXECUTE on the two lookup functions
of migration 0007). The owner (RENAMER_DATABASE_OWNER_URL) runs the migrations; after every
`alembic upgrade` (migrations/env.py) `provision_app_role` makes sure the app role exists and
holds exactly those rights on every table, the ones a later migration added included.

The role's name (and password, where there is one) come from RENAMER_DATABASE_URL. When the
app URL names the owner itself (a single-URL setup), there is nothing to provision and
nothing is isolated by role: `check_app_role` says so in the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

log = logging.getLogger(__name__)

# Tables the app reads but must never write.
READ_ONLY_TABLES = ("alembic_version",)


@dataclass(frozen=True)
class AppRole:
    name: str
    password: str | None


def app_role(database_url: str) -> AppRole | None:
    url = make_url(database_url)
    if not url.username:
        return None
    return AppRole(name=url.username, password=url.password)


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def ensure_role(connection: Connection, role: AppRole) -> None:
    """Create the role when it is missing (the owner needs CREATEROLE for that; otherwise a
    DBA creates it as docs/deploy.md says), and refuse one that could see past row-level
    security. A password in the URL is (re)applied, so rotating it is a secret change and an
    `alembic upgrade`."""
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": role.name}).first()
    quoted = _quote(connection, role.name)
    if exists is None:
        connection.execute(
            text(f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION")
        )
    if role.password:
        statement = connection.execute(
            text("SELECT format('ALTER ROLE %I PASSWORD %L', CAST(:name AS text), CAST(:password AS text))"),
            {"name": role.name, "password": role.password},
        ).scalar_one()
        connection.execute(text(statement))
    check_role(connection, role.name)


def check_role(connection: Connection, name: str) -> None:
    row = connection.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :name"), {"name": name}
    ).first()
    if row is None:
        raise RuntimeError(f"The database role {name!r} of RENAMER_DATABASE_URL does not exist; create it first.")
    if row.rolsuper or row.rolbypassrls:
        raise RuntimeError(
            f"The database role {name!r} of RENAMER_DATABASE_URL is a superuser or has BYPASSRLS, so row-level "
            "security would not separate tenants; connect the app as an ordinary role (docs/deploy.md)."
        )


def grant(connection: Connection, name: str) -> None:
    """DML on every table, usage of sequences, EXECUTE on our functions; nothing else. Also the
    default privileges, so tables a later migration creates are covered at once."""
    quoted = _quote(connection, name)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ):
        connection.execute(text(statement))
    for table in READ_ONLY_TABLES:
        if connection.execute(text("SELECT to_regclass(:table)"), {"table": f"public.{table}"}).scalar_one():
            connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {quoted}"))
    functions = connection.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.proname LIKE 'renamer\\_%'"
        )
    ).scalars()
    for signature in functions:
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {signature} TO {quoted}"))


def provision_app_role(connection: Connection, database_url: str) -> None:
    """Called by migrations/env.py after upgrading, on the owner's connection."""
    role = app_role(database_url)
    current = connection.execute(text("SELECT current_user")).scalar_one()
    if role is None or role.name == current:
        log.warning(
            "RENAMER_DATABASE_URL connects as the tables' owner (%s): row-level security applies only to "
            "roles that are not the owner; set RENAMER_DATABASE_OWNER_URL and an app role (docs/deploy.md)",
            current,
        )
        return
    ensure_role(connection, role)
    grant(connection, role.name)
