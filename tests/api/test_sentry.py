"""Errors reach Sentry tagged with service, release, environment and request id, and scrubbed.

The real SDK sends to tests/fakes/sentry_server.py; the assertions read the raw envelope,
so a secret that left the process in any field would be found.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import sentry_sdk
from fastapi import FastAPI, Form, UploadFile
from fastapi.testclient import TestClient

from core import logging as log_context
from core import sentry
from core.config import get_settings
from tests.fakes.sentry_server import FakeSentry

TOKEN = "tok-0123456789-very-secret"
COOKIE = "session-cookie-value-4242"
EMAIL = "dana.customer@example.com"
API_KEY = "key-live-9f8e7d6c5b"
FILE_BYTES = b"FILE-CONTENTS-MARKER-" + bytes(range(32, 127)) * 4


@pytest.fixture
def fake_sentry(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSentry]:
    with FakeSentry() as fake:
        monkeypatch.setenv("RENAMER_SENTRY_DSN", fake.dsn)
        monkeypatch.setenv("RENAMER_RELEASE", "test-rev-abc1234")
        get_settings.cache_clear()
        try:
            yield fake
        finally:
            sentry_sdk.get_client().close(timeout=2)
            sentry_sdk.init()  # no DSN: later tests in this process report nowhere
            get_settings.cache_clear()


def _app_with_a_broken_upload_route() -> FastAPI:
    from api.app import create_app

    app = create_app()

    @app.post("/test-only/batches/{batch_id}/broken-upload")
    async def broken_upload(batch_id: str, file: UploadFile, email: Annotated[str, Form()]) -> None:
        data = await file.read()
        owner = {"email": email, "access_token": TOKEN}  # locals end up in the event's stack frames
        raise RuntimeError(f"could not store {file.filename} for {email} ({len(data)} bytes, {owner})")

    return app


def test_an_unexpected_error_in_a_route_arrives_tagged_and_without_secrets(
    fake_sentry: FakeSentry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.setFormatter(log_context.JsonFormatter())
    client = TestClient(_app_with_a_broken_upload_route(), raise_server_exceptions=False)
    response = client.post(
        f"/test-only/batches/b-77/broken-upload?access_token={TOKEN}",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Cookie": f"renamer_session={COOKIE}",
            "X-Api-Key": API_KEY,
            "X-Request-ID": "req-sentry-api-1",
        },
        files={"file": ("holiday.jpg", FILE_BYTES, "image/jpeg")},
        data={"email": EMAIL},
    )
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert response.headers["X-Request-ID"] == "req-sentry-api-1"

    sentry_sdk.flush(timeout=5)
    envelope, event = fake_sentry.wait_for_event(
        lambda e: any(v.get("type") == "RuntimeError" for v in e.get("exception", {}).get("values", []))
    )

    assert event["environment"] == "test"
    assert event["release"] == "test-rev-abc1234"
    assert event["tags"]["service"] == "api"
    assert event["tags"]["request_id"] == "req-sentry-api-1"
    assert event["tags"]["batch_id"] == "b-77"
    assert "data" not in event.get("request", {}), "request bodies are never sent"
    message = next(v["value"] for v in event["exception"]["values"] if v["type"] == "RuntimeError")
    assert "could not store holiday.jpg for [email]" in message, "the useful part of the message survives"

    raw = envelope.raw.decode("utf-8", errors="replace")
    for secret in (TOKEN, COOKIE, EMAIL, API_KEY, "FILE-CONTENTS-MARKER"):
        assert secret not in raw, f"{secret!r} left the process"
    assert "publickey" in envelope.auth, "sent with the DSN's key, to the DSN's project"
    assert envelope.project == "1"

    # The log line of the same failure carries the same request id.
    lines = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
    unhandled = [line for line in lines if line["message"] == "unhandled error"]
    assert unhandled and unhandled[-1]["request_id"] == "req-sentry-api-1"
    assert unhandled[-1]["batch_id"] == "b-77"


def test_a_request_without_a_usable_id_gets_a_new_one_per_request(fake_sentry: FakeSentry) -> None:
    from api.app import create_app

    client = TestClient(create_app())
    first = client.get("/health", headers={"X-Request-ID": "bad id with spaces <script>"})
    second = client.get("/health")
    assert first.status_code == 200
    ids = {first.headers["X-Request-ID"], second.headers["X-Request-ID"]}
    assert len(ids) == 2 and all(len(i) == 32 for i in ids)


def test_nothing_is_sent_when_no_dsn_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RENAMER_SENTRY_DSN", raising=False)
    get_settings.cache_clear()
    try:
        assert sentry.init("api") is False
    finally:
        get_settings.cache_clear()


def _frame_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "message": f"sign-in failed for {EMAIL}",
        "request": {
            "url": "http://api/auth/signin",
            "query_string": f"page=2&access_token={TOKEN}",
            "headers": {
                "Authorization": f"Bearer {TOKEN}",
                "Cookie": f"renamer_session={COOKIE}",
                "X-Api-Key": API_KEY,
                "X-Amz-Security-Token": TOKEN,
                "Content-Type": "multipart/form-data; boundary=x",
                "User-Agent": "pytest",
            },
            "data": {"files": repr(FILE_BYTES)},
        },
        "exception": {
            "values": [
                {
                    "type": "RuntimeError",
                    "value": f"upstream said 401 for Authorization: Bearer {TOKEN}",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "upload",
                                "vars": {
                                    "data": repr(FILE_BYTES),
                                    "chunk": f"bytearray({FILE_BYTES!r})",
                                    "body": {"access_token": TOKEN, "password": "hunter2", "name": "ok"},
                                    "reset_token": TOKEN,
                                    "count": 3,
                                },
                            }
                        ]
                    },
                }
            ]
        },
        "extra": {"celery-job": {"kwargs": {"image_id": "i-1", "api_key": API_KEY}}},
    }
    event.update(overrides)
    return event


def test_before_send_scrubs_emails_tokens_and_file_contents_and_keeps_the_rest() -> None:
    log_context.new_context(request_id="req-unit", user_id="u-5")
    scrubbed = sentry.before_send(_frame_event(), {}, service="worker")

    text = json.dumps(scrubbed)
    for secret in (TOKEN, COOKIE, EMAIL, API_KEY, "hunter2", "FILE-CONTENTS-MARKER"):
        assert secret not in text, secret
    assert "data" not in scrubbed["request"]
    assert scrubbed["request"]["query_string"] == "page=2&access_token=[Filtered]"
    assert scrubbed["request"]["headers"]["User-Agent"] == "pytest"
    assert scrubbed["message"] == "sign-in failed for [email]"
    frame_vars = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]
    assert frame_vars["data"] == frame_vars["chunk"] == "[bytes]"
    assert frame_vars["body"]["name"] == "ok" and frame_vars["count"] == 3
    assert scrubbed["extra"]["celery-job"]["kwargs"]["image_id"] == "i-1"
    assert scrubbed["tags"] == {"service": "worker", "request_id": "req-unit", "user_id": "u-5"}


def test_the_log_context_does_not_override_tags_an_integration_set() -> None:
    log_context.new_context(request_id="req-ctx")
    scrubbed = sentry.before_send({"tags": {"request_id": "from-scope"}}, {}, service="realtime")
    assert scrubbed["tags"] == {"request_id": "from-scope", "service": "realtime"}


def test_the_sdk_runs_the_scrubber_on_what_it_captures(fake_sentry: FakeSentry) -> None:
    assert sentry.init("realtime", settings=get_settings())
    log_context.new_context(request_id="req-realtime")
    try:
        api_key = API_KEY  # noqa: F841  (a local the SDK's frame capture would otherwise send)
        raise ConnectionError(f"socket auth failed for {EMAIL} with token={TOKEN}")
    except ConnectionError:
        logging.getLogger("realtime.test").exception("connect refused")
    sentry_sdk.flush(timeout=5)
    envelope, event = fake_sentry.wait_for_event(lambda e: e.get("tags", {}).get("service") == "realtime")
    assert event["tags"]["request_id"] == "req-realtime"
    assert EMAIL not in envelope.raw.decode() and TOKEN not in envelope.raw.decode()
    assert API_KEY not in envelope.raw.decode()
