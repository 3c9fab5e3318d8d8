"""Ownership: another user's batch, image or ZIP is a 404, never a 403 that leaks existence."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.fixtures import images as fx
from tests.support.api import create_batch, upload


def test_foreign_batch_image_and_zip_are_404(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    batch = create_batch(client, auth)
    accepted = upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(seed=71))]).json()
    image_id = accepted["results"][0]["image_id"]
    bid = batch["id"]
    attempts = [
        ("get", f"/batches/{bid}", None),
        ("get", f"/batches/{bid}/images", None),
        ("get", f"/batches/{bid}/download", None),
        ("get", f"/batches/{bid}/manifest.csv", None),
        ("post", f"/batches/{bid}/start", None),
        ("post", f"/batches/{bid}/uploads", {"files": [{"name": "x.jpg", "size": 10}]}),
        ("post", f"/batches/{bid}/uploads/complete", {"upload_ids": [str(uuid.uuid4())]}),
        ("get", f"/images/{image_id}", None),
        ("patch", f"/images/{image_id}", {"name": "stolen"}),
        ("post", f"/images/{image_id}/regenerate", None),
    ]
    for method, path, body in attempts:
        response = client.request(method, path, json=body, headers=other_auth)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.json()["error"] == "NotFound"
    foreign_upload = upload(client, other_auth, bid, [("b.jpg", fx.jpeg(seed=72))])
    assert foreign_upload.status_code == 404
    assert client.get(f"/batches/{bid}", headers=auth).json()["total_images"] == 1
    assert [b["id"] for b in client.get("/batches", headers=other_auth).json()["items"]] == []


def test_missing_or_bad_token_is_401(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = client.get("/batches", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"] == "Unauthorized" and response.json()["detail"]


def test_signup_login_and_errors(client: TestClient) -> None:
    email = f"Person-{uuid.uuid4().hex[:8]}@Example.com"
    created = client.post("/auth/signup", json={"email": email, "password": "long enough pw"})
    assert created.status_code == 201 and created.json()["user"]["email"] == email.lower()
    duplicate = client.post("/auth/signup", json={"email": email.lower(), "password": "long enough pw"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "email_taken"
    short = client.post("/auth/signup", json={"email": "x@example.com", "password": "short"})
    assert short.status_code == 422 and "password" in short.json()["detail"]
    bad_email = client.post("/auth/signup", json={"email": "not-an-email", "password": "long enough pw"})
    assert bad_email.status_code == 422
    wrong = client.post("/auth/login", json={"email": email, "password": "wrong password"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    ok = client.post("/auth/login", json={"email": email, "password": "long enough pw"})
    assert ok.status_code == 200 and ok.json()["expires_in"] == 24 * 3600
    me = client.get("/me", headers={"Authorization": f"Bearer {ok.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == email.lower()


def test_batch_validation_and_unknown_routes(client: TestClient, auth: dict[str, str]) -> None:
    bad = client.post("/batches", json={"keywords": ["x" * 80]}, headers=auth)
    assert bad.status_code == 422 and "keyword" in bad.json()["detail"]
    assert client.get(f"/batches/{uuid.uuid4()}", headers=auth).status_code == 404
    assert client.get("/batches/not-a-uuid", headers=auth).status_code == 422
    assert client.get("/nope").json()["error"] == "NotFound"
    empty = create_batch(client, auth)
    start = client.post(f"/batches/{empty['id']}/start", headers=auth)
    assert start.status_code == 409 and start.json()["code"] == "batch_empty"
