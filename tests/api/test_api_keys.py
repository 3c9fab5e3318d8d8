"""API keys per organization: shown once, stored hashed, usable as Bearer with that
organization as tenant, revoked at once, rate-limited on their own."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from core.config import Settings
from tests.api.test_organizations import join
from tests.conftest import PG_URL, TEST_DB
from tests.fixtures import images as fx
from tests.support.api import create_batch, organization_id, upload


def _sql(query: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(PG_URL.replace("+psycopg", "") + f"/{TEST_DB}", autocommit=True) as conn:
        cursor = conn.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _create_key(client: TestClient, auth: dict[str, str], name: str = "Nightly import") -> dict[str, str]:
    organization = organization_id(client, auth)
    response = client.post(f"/organizations/{organization}/api-keys", json={"name": name}, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_is_shown_once_and_stored_only_as_a_hash(client: TestClient, auth: dict[str, str]) -> None:
    created = _create_key(client, auth)
    key = created["key"]
    assert key.startswith("rk_") and len(key) >= 40 and created["prefix"] == key[:10]
    listed = client.get(f"/organizations/{created['organization_id']}/api-keys", headers=auth).json()
    assert [k["id"] for k in listed] == [created["id"]] and "key" not in listed[0]
    (row,) = _sql("SELECT key_hash, prefix FROM api_keys WHERE id = %s", uuid.UUID(created["id"]))
    assert row == (hashlib.sha256(key.encode()).hexdigest(), key[:10])
    assert key not in str(_sql("SELECT * FROM api_keys WHERE id = %s", uuid.UUID(created["id"])))


def test_a_key_works_on_its_organizations_batches_only(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    key = _bearer(_create_key(client, auth)["key"])
    mine = create_batch(client, auth, name="Made in the app")
    theirs = create_batch(client, other_auth, name="Someone else's")

    listed = [b["id"] for b in client.get("/batches", headers=key).json()["items"]]
    assert mine["id"] in listed and theirs["id"] not in listed
    made = client.post("/batches", json={"name": "Made by script"}, headers=key)
    assert made.status_code == 201
    uploaded = upload(client, key, made.json()["id"], [("a.jpg", fx.jpeg(seed=951))])
    assert uploaded.status_code == 200 and uploaded.json()["accepted"] == 1
    assert made.json()["id"] in [b["id"] for b in client.get("/batches", headers=auth).json()["items"]]
    assert client.get(f"/batches/{theirs['id']}", headers=key).status_code == 404
    assert client.get("/organizations/current", headers=key).json()["role"] == "member"


def test_a_key_cannot_manage_the_organization_or_act_as_a_person(client: TestClient, auth: dict[str, str]) -> None:
    created = _create_key(client, auth)
    key, organization = _bearer(created["key"]), created["organization_id"]
    for method, path, body in (
        ("POST", f"/organizations/{organization}/api-keys", {"name": "another"}),
        ("GET", f"/organizations/{organization}/api-keys", None),
        ("POST", f"/organizations/{organization}/invitations", {"email": "a@example.com"}),
    ):
        refused = client.request(method, path, json=body, headers=key)
        assert refused.status_code == 403 and refused.json()["code"] == "not_allowed", (path, refused.text)
    for method, path in (("GET", "/me"), ("GET", "/organizations"), ("POST", "/auth/logout"), ("DELETE", "/auth/me")):
        refused = client.request(method, path, headers=key)
        assert refused.status_code == 403 and refused.json()["code"] == "api_key_not_allowed", (path, refused.text)


def test_a_revoked_or_unknown_key_is_refused_at_once(client: TestClient, auth: dict[str, str]) -> None:
    created = _create_key(client, auth)
    key = _bearer(created["key"])
    assert client.get("/batches", headers=key).status_code == 200
    revoked = client.delete(f"/organizations/{created['organization_id']}/api-keys/{created['id']}", headers=auth)
    assert revoked.status_code == 204

    refused = client.get("/batches", headers=key)
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_api_key"
    listed = client.get(f"/organizations/{created['organization_id']}/api-keys", headers=auth).json()
    assert listed[0]["revoked_at"] is not None
    assert client.get("/batches", headers=_bearer("rk_" + "x" * 43)).json()["code"] == "invalid_api_key"
    gone = client.delete(f"/organizations/{created['organization_id']}/api-keys/{uuid.uuid4()}", headers=auth)
    assert gone.status_code == 404


def test_last_used_is_recorded_at_most_once_a_minute(client: TestClient, auth: dict[str, str]) -> None:
    created = _create_key(client, auth)
    key_id = uuid.UUID(created["id"])
    assert _sql("SELECT last_used_at FROM api_keys WHERE id = %s", key_id) == [(None,)]
    client.get("/batches", headers=_bearer(created["key"]))
    ((first,),) = _sql("SELECT last_used_at FROM api_keys WHERE id = %s", key_id)
    assert first is not None
    xmin = _sql("SELECT xmin::text FROM api_keys WHERE id = %s", key_id)
    for _ in range(3):
        client.get("/batches", headers=_bearer(created["key"]))
    assert _sql("SELECT xmin::text FROM api_keys WHERE id = %s", key_id) == xmin, "no write per request"
    _sql("UPDATE api_keys SET last_used_at = last_used_at - %s WHERE id = %s", timedelta(minutes=2), key_id)
    client.get("/batches", headers=_bearer(created["key"]))
    ((later,),) = _sql("SELECT last_used_at FROM api_keys WHERE id = %s", key_id)
    assert later > first - timedelta(minutes=2) and later >= first  # type: ignore[operator]


def test_a_key_stops_when_its_creator_leaves_the_organization(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    organization = organization_id(client, auth)
    as_admin = join(client, owner=auth, member=other_auth, organization_id=organization, role="admin")
    created = client.post(f"/organizations/{organization}/api-keys", json={"name": "admin's"}, headers=as_admin)
    key = _bearer(created.json()["key"])
    assert client.get("/batches", headers=key).status_code == 200
    admin_id = client.get("/me", headers=as_admin).json()["id"]

    assert client.delete(f"/organizations/{organization}/members/{admin_id}", headers=auth).status_code == 204

    assert client.get("/batches", headers=key).status_code == 401
    listed = client.get(f"/organizations/{organization}/api-keys", headers=auth).json()
    assert listed[0]["revoked_at"] is not None, "revoked with the member"


def test_each_key_has_its_own_rate_limit_budget(
    client: TestClient, auth: dict[str, str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _bearer(_create_key(client, auth, "one")["key"]), _bearer(_create_key(client, auth, "two")["key"])
    # The person has made 4 calls this minute (two keys, two look-ups of their organization).
    monkeypatch.setattr(settings, "api_per_caller_per_minute", 5)
    for _ in range(5):
        assert client.get("/batches", headers=first).status_code == 200
    limited = client.get("/batches", headers=first)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/batches", headers=second).status_code == 200, "another key has its own budget"
    assert client.get("/batches", headers=auth).status_code == 200, "and so has the person"
