"""Who may connect and which batches a connection may follow."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
import socketio
from fastapi.testclient import TestClient

from core.config import get_settings
from tests.realtime.harness import Client, RealtimeProcess, token_of
from tests.support.api import create_batch


def _refusal_code(client: Client) -> str:
    assert isinstance(client.refusal, dict), client.refusal
    assert client.refusal["message"] == client.refusal["data"]["detail"]
    return str(client.refusal["data"]["code"])


def test_a_connection_without_a_valid_token_is_refused(
    client: TestClient, auth: dict[str, str], new_client: Callable[..., Client], realtime: RealtimeProcess
) -> None:
    anonymous = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect()
    assert _refusal_code(anonymous) == "not_authenticated"

    forged = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        forged.connect(token="not-a-token")
    assert _refusal_code(forged) == "invalid_token"

    user_id = client.get("/me", headers=auth).json()["id"]
    past = datetime.now(UTC) - timedelta(hours=2)
    expired_token = jwt.encode(
        {"sub": user_id, "iat": past, "exp": past + timedelta(hours=1), "typ": "access", "jti": "expired-1"},
        get_settings().secret_key,
        algorithm="HS256",
    )
    expired = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        expired.connect(token=expired_token)
    assert _refusal_code(expired) == "token_expired"
    assert "log in again" in expired.refusal["data"]["detail"]

    someone_else = jwt.encode(
        {"sub": user_id, "iat": datetime.now(UTC), "exp": datetime.now(UTC) + timedelta(hours=1), "typ": "access"},
        "another-secret-that-is-at-least-32-bytes-long",
        algorithm="HS256",
    )
    signed_elsewhere = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        signed_elsewhere.connect(token=someone_else)
    assert _refusal_code(signed_elsewhere) == "invalid_token"

    # The same token as the API, in the handshake or as a bearer header.
    assert new_client().connect(token=token_of(auth)).sio.connected
    assert new_client().connect(headers=auth).sio.connected

    metrics = realtime.metrics()
    for reason in ("not_authenticated", "invalid_token", "token_expired"):
        assert f'renamer_realtime_refused_total{{action="connect",reason="{reason}"}}' in metrics


def test_a_connection_may_follow_only_its_own_batches(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    new_client: Callable[..., Client],
    realtime: RealtimeProcess,
) -> None:
    mine = create_batch(client, auth, name="Mine")
    theirs = create_batch(client, other_auth, name="Theirs")
    socket = new_client().connect(token=token_of(auth))

    joined = socket.join(mine["id"])
    assert joined == {
        "ok": True,
        "batch_id": mine["id"],
        "seq": 0,
        "status": "PENDING",
        "counts": {"total": 0, "processed": 0, "failed": 0},
    }
    not_found = {"ok": False, "code": "not_found", "detail": "No such batch."}
    assert socket.join(theirs["id"]) == not_found
    assert socket.join(str(uuid.uuid4())) == not_found

    bad: object
    for bad in (None, "x", 42, [], {}, {"batch_id": 7}, {"batch_id": "not-a-uuid"}, {"id": mine["id"]}):
        answer = socket.call("join", bad)
        assert answer["ok"] is False and answer["code"] == "invalid", (bad, answer)
        assert answer["detail"]
        answer = socket.call("leave", bad)
        assert answer["ok"] is False and answer["code"] == "invalid", (bad, answer)

    assert socket.call("leave", {"batch_id": theirs["id"]})["code"] == "not_found"
    assert socket.call("leave", {"batch_id": mine["id"]}) == {"ok": True}
    assert socket.call("leave", {"batch_id": mine["id"]})["code"] == "not_found"
    assert socket.sio.connected, "bad payloads never break the connection"

    metrics = realtime.metrics()
    assert 'renamer_realtime_refused_total{action="join",reason="not_found"}' in metrics
    assert 'renamer_realtime_refused_total{action="join",reason="invalid"}' in metrics


def test_health_and_metrics_are_served_on_the_same_port(realtime: RealtimeProcess) -> None:
    assert httpx.get(f"{realtime.url}/health", timeout=10).json() == {"status": "ok"}
    ready = httpx.get(f"{realtime.url}/health/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"redis": "ok", "database": "ok"}
    metrics = realtime.metrics()
    for name in (
        "renamer_realtime_connected_sockets",
        "renamer_realtime_events_delivered_total",
        "renamer_realtime_delivery_delay_seconds",
        "renamer_realtime_refused_total",
        "process_resident_memory_bytes",
    ):
        assert f"# TYPE {name}" in metrics


def test_events_reach_every_member_of_the_organization_and_no_one_else(
    client: TestClient,
    auth: dict[str, str],
    other_auth: dict[str, str],
    new_client: Callable[..., Client],
    realtime: RealtimeProcess,
) -> None:
    """The organization's room: members get its batches' events without joining; a socket of
    another organization gets none and cannot join. Events carry the tenant id."""
    from tests.api.test_organizations import join
    from tests.fixtures import images as fx
    from tests.support.api import organization_id, upload

    shared = organization_id(client, auth)
    member = join(client, owner=auth, member=other_auth, organization_id=shared)
    stranger_signup = client.post(
        "/auth/signup", json={"email": f"s-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse battery"}
    )
    stranger = {"Authorization": f"Bearer {stranger_signup.json()['access_token']}"}
    batch = create_batch(client, auth, name="Team batch")
    owner_socket = new_client().connect(token=token_of(auth))
    member_socket = new_client().connect(token=token_of(member))
    stranger_socket = new_client().connect(token=token_of(stranger))
    assert stranger_socket.join(batch["id"])["code"] == "not_found"

    assert upload(client, member, batch["id"], [("team.jpg", fx.jpeg(seed=971))]).status_code == 200

    for socket in (owner_socket, member_socket):
        socket.wait_for(lambda received: len(received) >= 1, timeout=15, what="the upload event")
        (event,) = [r for r in socket.events(batch["id"]) if r.name == "IMAGE_UPLOADED"]
        assert event.payload["organization_id"] == str(shared)
    assert stranger_socket.events() == []

    member_id = client.get("/me", headers=member).json()["id"]
    assert client.delete(f"/organizations/{shared}/members/{member_id}", headers=auth).status_code == 204
    removed = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        removed.connect(token=token_of(member))
    assert _refusal_code(removed) == "not_a_member"
