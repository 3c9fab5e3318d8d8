"""Rate limits: per address on sign-in and sign-up, per caller on uploads and on every
authenticated call; 429 with Retry-After; shared through the real Redis; fail open."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from api.ratelimit import client_address
from core import ratelimits
from core.config import get_settings
from core.metrics import registry
from core.ratelimits import KEY_PREFIX, address_subject, describe_wait
from core.redis import get_redis
from tests.fixtures import images as fx
from tests.support.api import create_batch, upload


def _limit_keys() -> list[bytes]:
    return list(get_redis().scan_iter(match=f"{KEY_PREFIX}:*", count=1000))


@pytest.fixture
def limits(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Small budgets for one test; the counters it made are removed afterwards, so no other
    test (which runs with the default budgets) finds a limit already spent."""
    settings = get_settings()
    monkeypatch.setattr(settings, "rate_limit_enabled", True)
    monkeypatch.setattr(settings, "trusted_proxy_hops", 0)
    yield monkeypatch
    keys = _limit_keys()
    if keys:
        get_redis().delete(*keys)


def _from(client: TestClient, address: str) -> TestClient:
    """The same app, reached from another client address (the connection's peer)."""
    return TestClient(client.app, client=(address, 50000))


def _log_in(client: TestClient, email: str = "nobody@example.com", **headers: str) -> int:
    response = client.post("/auth/login", json={"email": email, "password": "not the password"}, headers=headers)
    return response.status_code


def _assert_limited(response: httpx.Response, message: str) -> int:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "RateLimited" and body["code"] == "rate_limited"
    assert body["detail"].startswith(message), body["detail"]
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1
    return retry_after


def _limited_count(scope: str) -> float:
    return registry().get_sample_value("renamer_rate_limited_total", {"scope": scope}) or 0.0


def test_sign_in_is_limited_per_address_and_other_addresses_go_on(
    client: TestClient, limits: pytest.MonkeyPatch
) -> None:
    limits.setattr(get_settings(), "signin_per_ip_per_minute", 3)
    guesser, neighbour = _from(client, "198.51.100.7"), _from(client, "198.51.100.8")
    email = f"target-{uuid.uuid4().hex[:8]}@example.com"
    refused_before = _limited_count("signin")

    assert [_log_in(guesser, email) for _ in range(3)] == [401, 401, 401]
    refused = guesser.post("/auth/login", json={"email": email, "password": "not the password"})
    retry_after = _assert_limited(refused, "Too many sign-in attempts from your address; try again in ")
    assert retry_after <= 60
    assert refused.json()["detail"] == (
        f"Too many sign-in attempts from your address; try again in {describe_wait(retry_after)}."
    )
    assert re.fullmatch(r"\d+ seconds?", describe_wait(retry_after))

    assert _log_in(neighbour, email) == 401  # another address has its own budget
    assert _limited_count("signin") == refused_before + 1

    keys = [key.decode() for key in _limit_keys()]
    assert any("signin" in key and "198.51.100.7" in key for key in keys), keys
    assert all(key.startswith(f"{KEY_PREFIX}:") for key in keys)
    assert not any(email in key or "@" in key for key in keys), keys


def test_sign_up_is_limited_per_address(client: TestClient, limits: pytest.MonkeyPatch) -> None:
    limits.setattr(get_settings(), "signup_per_ip_per_hour", 2)
    office = _from(client, "192.0.2.44")

    def sign_up() -> httpx.Response:
        email = f"new-{uuid.uuid4().hex[:10]}@example.com"
        return office.post("/auth/signup", json={"email": email, "password": "correct horse battery"})

    assert [sign_up().status_code for _ in range(2)] == [201, 201]
    refused = sign_up()
    retry_after = _assert_limited(refused, "Too many sign-ups from your address; try again in ")
    assert 3000 < retry_after <= 3600  # the window is an hour
    assert refused.json()["detail"].endswith(f"in {describe_wait(retry_after)}.")
    assert "minutes" in refused.json()["detail"]


def test_forwarded_for_counts_only_behind_trusted_proxies(client: TestClient, limits: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    limits.setattr(settings, "signin_per_ip_per_minute", 2)
    proxy = _from(client, "10.20.30.40")

    # No trusted proxies: a client inventing X-Forwarded-For still counts as its connection.
    statuses = [_log_in(proxy, **{"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(1, 4)]
    assert statuses == [401, 401, 429]

    # One trusted proxy: the address it appended is the client's, each with its own budget.
    limits.setattr(settings, "trusted_proxy_hops", 1)
    assert _log_in(proxy, **{"X-Forwarded-For": "203.0.113.50"}) == 401
    assert _log_in(proxy, **{"X-Forwarded-For": "203.0.113.50"}) == 401
    assert _log_in(proxy, **{"X-Forwarded-For": "203.0.113.50"}) == 429
    # Entries left of the proxy's were written by the client: a fresh one there buys nothing.
    assert _log_in(proxy, **{"X-Forwarded-For": "198.18.0.1, 203.0.113.50"}) == 429
    assert _log_in(proxy, **{"X-Forwarded-For": "203.0.113.51"}) == 401


def test_upload_requests_are_limited_per_caller(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], limits: pytest.MonkeyPatch
) -> None:
    batch = create_batch(client, auth)
    other_batch = create_batch(client, other_auth)
    limits.setattr(get_settings(), "uploads_per_caller_per_minute", 2)
    presign_body = {"files": [{"name": "big.jpg", "size": 1000}]}

    assert upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(seed=501))]).status_code == 200
    assert client.post(f"/batches/{batch['id']}/uploads", json=presign_body, headers=auth).status_code == 200
    refused = client.post(
        f"/batches/{batch['id']}/uploads/complete", json={"upload_ids": [str(uuid.uuid4())]}, headers=auth
    )
    _assert_limited(refused, "Too many upload requests (the limit is 2 a minute); try again in ")
    assert "several files in one request" in refused.json()["detail"]
    assert upload(client, auth, batch["id"], [("b.jpg", fx.jpeg(seed=502))]).status_code == 429

    # Only uploads are held back, and only this caller's.
    assert client.get(f"/batches/{batch['id']}", headers=auth).json()["total_images"] == 1
    assert (
        client.post(f"/batches/{other_batch['id']}/uploads", json=presign_body, headers=other_auth).status_code == 200
    )


def test_every_authenticated_call_counts_against_the_callers_budget(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], limits: pytest.MonkeyPatch
) -> None:
    limits.setattr(get_settings(), "api_per_caller_per_minute", 3)
    assert client.get("/me", headers=auth).status_code == 200
    assert client.get("/batches", headers=auth).status_code == 200
    assert client.post("/batches", json={"keywords": ["red shoes"]}, headers=auth).status_code == 201
    refused = client.get(f"/images/{uuid.uuid4()}", headers=auth)
    retry_after = _assert_limited(refused, "Too many requests (the limit is 3 a minute); try again in ")
    assert retry_after <= 60
    assert client.get("/me", headers=auth).status_code == 429

    assert client.get("/batches", headers=other_auth).status_code == 200
    assert client.get("/batches").status_code == 401  # no caller, no budget spent: log in first


def test_limits_can_be_turned_off(client: TestClient, limits: pytest.MonkeyPatch) -> None:
    limits.setattr(get_settings(), "signin_per_ip_per_minute", 1)
    limits.setattr(get_settings(), "rate_limit_enabled", False)
    caller = _from(client, "198.51.100.99")
    assert [_log_in(caller) for _ in range(3)] == [401, 401, 401]


def test_requests_go_through_when_redis_is_unreachable(
    client: TestClient, auth: dict[str, str], limits: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = get_settings()
    limits.setattr(ratelimits, "_limiters", {})  # the unreachable Redis's limiter dies with the test
    limits.setattr(settings, "redis_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    limits.setattr(settings, "signin_per_ip_per_minute", 1)
    limits.setattr(settings, "api_per_caller_per_minute", 1)
    caller = _from(client, "198.51.100.123")

    with caplog.at_level(logging.WARNING, logger="core.ratelimits"):
        assert [_log_in(caller) for _ in range(3)] == [401, 401, 401]
        assert [client.get("/me", headers=auth).status_code for _ in range(3)] == [200, 200, 200]
    assert any("Redis failed" in record.getMessage() for record in caplog.records)


# The client address and the per-address subject: pure functions, no services.


def _request(peer: str, forwarded: list[str]) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1234)})


@pytest.mark.parametrize(
    ("forwarded", "hops", "expected"),
    [
        (["203.0.113.1"], 0, "10.0.0.2"),  # untrusted header ignored
        (["203.0.113.1"], 1, "203.0.113.1"),
        (["6.6.6.6, 203.0.113.1"], 1, "203.0.113.1"),  # the client-written entry is skipped
        (["6.6.6.6, 203.0.113.1, 10.0.0.9"], 2, "203.0.113.1"),  # two proxies
        (["6.6.6.6", "203.0.113.1"], 1, "203.0.113.1"),  # several header lines read as one list
        ([], 1, "10.0.0.2"),  # did not come through the proxy
        (["203.0.113.1"], 2, "10.0.0.2"),  # fewer entries than proxies
        (["not-an-address"], 1, "10.0.0.2"),
    ],
)
def test_client_address(forwarded: list[str], hops: int, expected: str) -> None:
    assert client_address(_request("10.0.0.2", forwarded), hops) == expected


def test_ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() -> None:
    assert address_subject("2001:db8:1:2:aaaa::1") == address_subject("2001:db8:1:2:ffff::9") == "ip:2001:db8:1:2::/64"
    assert address_subject("2001:db8:1:3::1") != address_subject("2001:db8:1:2::1")
    assert address_subject("::ffff:192.0.2.5") == address_subject("192.0.2.5") == "ip:192.0.2.5"
    assert address_subject("testclient") == "ip:testclient"


def test_waits_read_naturally() -> None:
    assert [describe_wait(s) for s in (1, 42, 119, 120, 3600)] == [
        "1 second",
        "42 seconds",
        "119 seconds",
        "2 minutes",
        "60 minutes",
    ]
