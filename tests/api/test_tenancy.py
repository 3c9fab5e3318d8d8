"""Tenant isolation: PostgreSQL row-level security on the app's own connection, and every
endpoint that takes an id answers 404 to another organization's ids."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.config import get_settings
from core.db import TENANT_SETTING, get_engine, maintenance_transaction, transaction
from core.db_roles import app_role
from tests.api.test_organizations import join, switch
from tests.conftest import PG_URL, TEST_DB
from tests.fixtures import images as fx
from tests.support.api import create_batch, organization_id, upload

TENANT_TABLES = (
    "batches",
    "images",
    "api_keys",
    "invitations",
    "payments",
    "subscriptions",
    "usage_periods",
    "analysis_cache",
)


@dataclass(frozen=True)
class Tenant:
    auth: dict[str, str]
    user_id: uuid.UUID
    organization_id: uuid.UUID
    batch_id: uuid.UUID
    image_id: uuid.UUID


def _tenant(client: TestClient, auth: dict[str, str], seed: int) -> Tenant:
    batch = create_batch(client, auth, name=f"Tenant batch {seed}")
    reply = upload(client, auth, batch["id"], [("shoe.jpg", fx.jpeg(seed=seed))])
    assert reply.status_code == 200, reply.text
    return Tenant(
        auth=auth,
        user_id=uuid.UUID(client.get("/me", headers=auth).json()["id"]),
        organization_id=organization_id(client, auth),
        batch_id=uuid.UUID(batch["id"]),
        image_id=uuid.UUID(reply.json()["results"][0]["image_id"]),
    )


@pytest.fixture
def tenants(client: TestClient, auth: dict[str, str], other_auth: dict[str, str]) -> tuple[Tenant, Tenant]:
    return _tenant(client, auth, 901), _tenant(client, other_auth, 902)


def _app_connection() -> psycopg.Connection[Any]:
    """A plain connection as the application's role, outside our code entirely."""
    return psycopg.connect(get_settings().database_url.replace("+psycopg", ""), autocommit=False)


# --- The database itself -------------------------------------------------------------------


def test_a_query_without_a_tenant_filter_sees_only_the_current_tenants_rows(tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    with _app_connection() as conn:
        conn.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, str(a.organization_id)))
        batches = conn.execute("SELECT id, organization_id FROM batches").fetchall()
        images = conn.execute("SELECT organization_id FROM images").fetchall()
        assert batches and {row[1] for row in batches} == {a.organization_id}
        assert a.batch_id in {row[0] for row in batches} and b.batch_id not in {row[0] for row in batches}
        assert images and {row[0] for row in images} == {a.organization_id}
        conn.rollback()

        # Another transaction on the same connection: the setting was transaction-local.
        assert conn.execute("SELECT count(*) FROM batches").fetchone() == (0,)
        conn.rollback()

        conn.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, str(b.organization_id)))
        assert {row[0] for row in conn.execute("SELECT id FROM batches")} >= {b.batch_id}
        assert a.batch_id not in {row[0] for row in conn.execute("SELECT id FROM batches")}
        conn.rollback()


def test_with_no_tenant_every_tenant_owned_table_is_empty_and_nothing_raises(tenants: tuple[Tenant, Tenant]) -> None:
    with maintenance_transaction() as session:
        assert session.execute(text("SELECT count(*) FROM batches")).scalar_one() >= 2, "the rows exist"
    with _app_connection() as conn:
        for setting in (None, ""):  # never set on this connection, then explicitly empty
            if setting is not None:
                conn.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, setting))
            for table in TENANT_TABLES:
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
            conn.rollback()
    with transaction() as session:  # our own sessions without a tenant, likewise
        assert session.execute(text("SELECT count(*) FROM batches")).scalar_one() == 0


def test_the_app_role_cannot_write_into_another_tenant(tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    with _app_connection() as conn:
        conn.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, str(a.organization_id)))
        moved = conn.execute("UPDATE batches SET name = 'taken' WHERE id = %s", (b.batch_id,))
        assert moved.rowcount == 0, "another tenant's row is invisible to UPDATE"
        assert conn.execute("DELETE FROM images WHERE batch_id = %s", (b.batch_id,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("UPDATE batches SET organization_id = %s WHERE id = %s", (b.organization_id, a.batch_id))
        conn.rollback()
        conn.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, str(a.organization_id)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO batches (id, organization_id, name, status, keywords, language, max_name_length, "
                "case_style, total_images, processed_images, failed_images, content_version) "
                "VALUES (%s, %s, 'planted', 'PENDING', '{}', 'en', 60, 'kebab', 0, 0, 0, 1)",
                (uuid.uuid4(), b.organization_id),
            )
        conn.rollback()


def test_the_app_role_cannot_escape_row_level_security(tenants: tuple[Tenant, Tenant]) -> None:
    role = app_role(get_settings().database_url)
    assert role is not None and role.name != "postgres"
    with _app_connection() as conn:
        superuser, bypass = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone() or (None, None)
        assert (superuser, bypass) == (False, False), "not superuser, NOBYPASSRLS"
        owned = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        ).fetchone()
        assert owned == (0,), "the app role owns no table, so it cannot ALTER ... DISABLE ROW LEVEL SECURITY"
        forced = dict(
            conn.execute(
                "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(%s) AND relkind = 'r'",
                (list(TENANT_TABLES),),
            ).fetchall()
        )
        assert forced == dict.fromkeys(TENANT_TABLES, True)

        conn.execute("SET row_security = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("SELECT * FROM batches")
        conn.rollback()
        for escape in (
            "ALTER TABLE batches DISABLE ROW LEVEL SECURITY",
            "DROP POLICY tenant_isolation ON batches",
            "SET ROLE postgres",
            "SET SESSION AUTHORIZATION postgres",
            "ALTER ROLE renamer_app BYPASSRLS",
            "CREATE TABLE planted (id int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(escape)
            conn.rollback()
        # DML only: the migrations' own table is read-only to it.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM alembic_version")
        conn.rollback()


def test_our_sessions_carry_the_tenant_across_commits_and_clear_it(tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    from core.db import get_sessionmaker, set_tenant

    session = get_sessionmaker()()
    try:
        set_tenant(session, a.organization_id)
        for _ in range(2):  # a second transaction of the same session keeps the tenant
            ids = set(session.execute(text("SELECT id FROM batches")).scalars())
            assert a.batch_id in ids and b.batch_id not in ids
            session.commit()
        set_tenant(session, b.organization_id)  # switching mid-transaction applies at once
        session.execute(text("SELECT 1"))
        set_tenant(session, a.organization_id)
        assert a.batch_id in set(session.execute(text("SELECT id FROM batches")).scalars())
        set_tenant(session, None)
        assert session.execute(text("SELECT count(*) FROM batches")).scalar_one() == 0
    finally:
        session.close()


def test_a_pooled_connection_never_carries_a_tenant_into_the_next_transaction(tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    with transaction(tenant=a.organization_id) as session:
        assert session.execute(text("SELECT count(*) FROM batches")).scalar_one() >= 1
    engine = get_engine()
    for _ in range(engine.pool.size() + 1):  # whichever pooled connection comes back
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM batches")).scalar_one() == 0


def test_the_migration_role_is_the_owner_and_the_app_role_is_granted_by_migrating(services: None) -> None:
    with psycopg.connect(PG_URL.replace("+psycopg", "") + f"/{TEST_DB}") as conn:
        owners = {row[0] for row in conn.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname='public'")}
        assert owners == {"postgres"}
        granted = conn.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'renamer_app' AND table_name = 'batches' ORDER BY 1"
        ).fetchall()
        assert [row[0] for row in granted] == ["DELETE", "INSERT", "SELECT", "UPDATE"]


# --- Every endpoint with an id ---------------------------------------------------------------

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ID_PARAMS = {"batch_id", "image_id", "organization_id", "user_id", "invitation_id", "key_id"}
# A valid body for each route that needs one, so that what is checked is the id, not the body.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/batches/{batch_id}"): {"name": "Renamed by a stranger"},
    ("POST", "/batches/{batch_id}/keyword-suggestions"): {"keywords": ["shoes"]},
    ("POST", "/batches/{batch_id}/uploads"): {"files": [{"name": "a.jpg", "size": 10}]},
    ("POST", "/batches/{batch_id}/uploads/complete"): {"upload_ids": [str(uuid.uuid4())]},
    ("PATCH", "/images/{image_id}"): {"alt_text": "A stranger's words."},
    ("PATCH", "/organizations/{organization_id}"): {"name": "Taken over"},
    ("PATCH", "/organizations/{organization_id}/members/{user_id}"): {"role": "owner"},
    ("POST", "/organizations/{organization_id}/invitations"): {"email": "intruder@example.com", "role": "owner"},
    ("POST", "/organizations/{organization_id}/api-keys"): {"name": "stolen"},
}
MULTIPART = {("POST", "/batches/{batch_id}/images")}


def _routes_with_ids() -> list[tuple[str, str]]:
    """Every operation of the app (its OpenAPI document) whose path takes an id."""
    from api.app import create_app

    found = []
    for path, operations in create_app().openapi()["paths"].items():
        params = set(re.findall(r"{(\w+)}", path))
        if not params:
            continue
        unknown = params - ID_PARAMS
        assert not unknown, f"{path}: teach this test about {unknown} so its isolation is checked"
        found += [(method.upper(), path) for method in sorted(operations) if method in HTTP_METHODS]
    return found


ROUTES = _routes_with_ids()


@pytest.fixture
def victim(client: TestClient, auth: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Tenant A, with something behind every kind of id: a batch with an image, an invitation
    and an API key."""
    batch = create_batch(client, auth, name="Not yours")
    uploaded = upload(client, auth, batch["id"], [("private.jpg", fx.jpeg(seed=931))])
    assert uploaded.status_code == 200, uploaded.text
    image = uploaded.json()["results"][0]["image_id"]
    organization = organization_id(client, auth)
    invitation = client.post(
        f"/organizations/{organization}/invitations", json={"email": "friend@example.com"}, headers=auth
    )
    key = client.post(f"/organizations/{organization}/api-keys", json={"name": "A's key"}, headers=auth)
    assert invitation.status_code == 201 and key.status_code == 201, (invitation.text, key.text)
    ids = {
        "batch_id": batch["id"],
        "image_id": image,
        "organization_id": str(organization),
        "user_id": client.get("/me", headers=auth).json()["id"],
        "invitation_id": invitation.json()["id"],
        "key_id": key.json()["id"],
    }
    yield ids
    # Nothing the stranger tried changed anything.
    assert client.get(f"/batches/{batch['id']}", headers=auth).json()["name"] == "Not yours"
    assert (
        client.get(f"/images/{image}", headers=auth).json()["alt_text"]
        != BODIES[("PATCH", "/images/{image_id}")]["alt_text"]
    )
    assert client.get("/organizations/current", headers=auth).json()["name"] != "Taken over"
    keys = client.get(f"/organizations/{organization}/api-keys", headers=auth).json()
    assert [k["revoked_at"] for k in keys] == [None]
    invitations = client.get(f"/organizations/{organization}/invitations", headers=auth).json()
    assert [i["id"] for i in invitations] == [ids["invitation_id"]]


def _call(client: TestClient, method: str, path: str, ids: dict[str, str], headers: dict[str, str]) -> Any:
    url = path.format(**{name: ids[name] for name in re.findall(r"{(\w+)}", path)})
    if (method, path) in MULTIPART:
        return client.request(
            method, url, files=[("files", ("x.jpg", fx.jpeg(seed=932), "image/jpeg"))], headers=headers
        )
    body = BODIES.get((method, path))
    return client.request(method, url, json=body, headers=headers)


def test_the_route_table_covers_every_kind_of_id() -> None:
    assert {name for _, path in ROUTES for name in re.findall(r"{(\w+)}", path)} == ID_PARAMS
    assert len(ROUTES) >= 20


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_tenants_ids_answer_404(
    client: TestClient, victim: dict[str, str], other_auth: dict[str, str], method: str, path: str
) -> None:
    response = _call(client, method, path, victim, other_auth)
    assert response.status_code == 404, (method, path, response.status_code, response.text)
    assert response.json()["error"] == "NotFound"


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p in ROUTES if p.startswith("/organizations/{organization_id}/") and p.count("{") == 2],
)
def test_another_tenants_ids_answer_404_under_your_own_organization(
    client: TestClient, victim: dict[str, str], other_auth: dict[str, str], method: str, path: str
) -> None:
    """A's member, invitation or key id under B's own organization (where B is owner)."""
    ids = {**victim, "organization_id": str(organization_id(client, other_auth))}
    response = _call(client, method, path, ids, other_auth)
    assert response.status_code == 404, (method, path, response.status_code, response.text)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ROUTES if p.startswith(("/batches", "/images"))])
def test_another_tenants_ids_answer_404_to_an_api_key(
    client: TestClient, victim: dict[str, str], other_auth: dict[str, str], method: str, path: str
) -> None:
    mine = organization_id(client, other_auth)
    key = client.post(f"/organizations/{mine}/api-keys", json={"name": "probe"}, headers=other_auth).json()["key"]
    response = _call(client, method, path, victim, {"Authorization": f"Bearer {key}"})
    assert response.status_code == 404, (method, path, response.status_code, response.text)


def test_members_of_one_organization_see_each_others_batches(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    """The same rules through a shared organization: B joins A's, switches to it, and works
    on A's batch; B's personal batches stay out of A's view."""
    shared = organization_id(client, auth)
    batch = create_batch(client, auth, name="Team batch")
    mine = create_batch(client, other_auth, name="B's own")
    as_member = join(client, owner=auth, member=other_auth, organization_id=shared)

    listed = [b["id"] for b in client.get("/batches", headers=as_member).json()["items"]]
    assert batch["id"] in listed and mine["id"] not in listed
    assert client.patch(f"/batches/{batch['id']}", json={"name": "Edited by B"}, headers=as_member).status_code == 200
    assert client.get(f"/batches/{batch['id']}", headers=auth).json()["name"] == "Edited by B"
    theirs = create_batch(client, as_member, name="Made by B for the team")
    assert theirs["id"] in [b["id"] for b in client.get("/batches", headers=auth).json()["items"]]
    assert client.get(f"/batches/{mine['id']}", headers=as_member).status_code == 404, "B's personal batch"
    assert client.get(f"/batches/{mine['id']}", headers=other_auth).status_code == 401, "switching ended it"


def test_a_removed_member_loses_access_at_once(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    shared = organization_id(client, auth)
    batch = create_batch(client, auth)
    as_member = join(client, owner=auth, member=other_auth, organization_id=shared)
    assert client.get(f"/batches/{batch['id']}", headers=as_member).status_code == 200
    member_id = client.get("/me", headers=as_member).json()["id"]

    assert client.delete(f"/organizations/{shared}/members/{member_id}", headers=auth).status_code == 204

    refused = client.get(f"/batches/{batch['id']}", headers=as_member)
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_member"
    assert "switch" in refused.json()["detail"]
    # Still signed in: they see what they belong to and can switch back to their own.
    (personal,) = client.get("/organizations", headers=as_member).json()
    assert personal["personal"] and personal["id"] != str(shared)
    back = switch(client, as_member, personal["id"])
    assert client.get(f"/batches/{batch['id']}", headers=back).status_code == 404


def test_the_app_and_maintenance_connections_are_different_roles(services: None) -> None:
    """Maintenance work (sweeps, retention) sees every tenant; the app sees none without one."""
    with maintenance_transaction() as session:
        maintenance_user = session.execute(text("SELECT current_user")).scalar_one()
        assert session.execute(text("SELECT count(*) FROM organizations")).scalar_one() >= 0
    with transaction() as session:
        app_user = session.execute(text("SELECT current_user")).scalar_one()
    assert (maintenance_user, app_user) == ("postgres", "renamer_app")
