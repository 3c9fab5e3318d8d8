"""Small helpers for driving the API like a client would."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from typing import Any

import httpx
from fastapi.testclient import TestClient


def create_batch(client: TestClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("keywords", ["summer sale", "sneakers"])
    response = client.post("/batches", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def upload(client: TestClient, auth: dict[str, str], batch_id: str, files: list[tuple[str, bytes]]) -> httpx.Response:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post(f"/batches/{batch_id}/images", files=parts, headers=auth)


def wait_for_batch(
    client: TestClient, auth: dict[str, str], batch_id: str, *, timeout: float = 120.0, download: bool = True
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    batch: dict[str, Any] = {}
    while time.monotonic() < deadline:
        batch = client.get(f"/batches/{batch_id}", headers=auth).json()
        if batch["status"] in ("COMPLETED", "PARTIAL", "FAILED") and (batch["download_ready"] or not download):
            return batch
        time.sleep(0.3)
    raise TimeoutError(f"batch not finished in {timeout}s: {batch}")


def all_images(client: TestClient, auth: dict[str, str], batch_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(f"/batches/{batch_id}/images", params={"page": page, "page_size": 200}, headers=auth).json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1


def download_zip(client: TestClient, auth: dict[str, str], batch_id: str) -> zipfile.ZipFile:
    link = client.get(f"/batches/{batch_id}/download", headers=auth)
    assert link.status_code == 200, link.text
    response = httpx.get(link.json()["url"], timeout=60)
    assert response.status_code == 200, response.text[:300]
    return zipfile.ZipFile(io.BytesIO(response.content))


def organization_id(client: TestClient, auth: dict[str, str]) -> uuid.UUID:
    """The organization the caller works in (their personal one right after sign-up)."""
    response = client.get("/organizations/current", headers=auth)
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])
