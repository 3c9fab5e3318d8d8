"""Organizations: the personal one made at sign-up, creating and renaming, switching, members
and their roles, invitations by email (the mail captured as the console sender logs it)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from core.config import Settings
from tests.conftest import PG_URL, TEST_DB
from tests.support.api import create_batch, organization_id

PASSWORD = "correct horse battery"  # what tests/conftest.py signs users up with
INVITE_LINK = re.compile(r"https?://\S+/invitations/accept\?token=([A-Za-z0-9_\-]+)")


class _Mailbox(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.mails: list[tuple[str, str]] = []  # (to, whole message)

    def emit(self, record: logging.LogRecord) -> None:
        if record.args:
            self.mails.append((str(record.args[0]), record.getMessage()))  # type: ignore[index]

    def tokens_to(self, address: str) -> list[str]:
        return [token for to, text in self.mails if to == address for token in INVITE_LINK.findall(text)]


@contextmanager
def mailbox() -> Iterator[_Mailbox]:
    """Mail the console sender writes to the log (no smtp_url in tests), as it is sent."""
    logger = logging.getLogger("core.accounts.mail")
    handler, level = _Mailbox(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _sql(query: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(PG_URL.replace("+psycopg", "") + f"/{TEST_DB}", autocommit=True) as conn:
        cursor = conn.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _bearer(response_json: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {response_json['access_token']}"}


def _email(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get("/me", headers=headers).json()["email"])


def _user_id(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get("/me", headers=headers).json()["id"])


def invite(
    client: TestClient, by: dict[str, str], organization: uuid.UUID | str, email: str, role: str = "member"
) -> str:
    """Invite `email`; the token from the mail that went out."""
    with mailbox() as box:
        response = client.post(
            f"/organizations/{organization}/invitations", json={"email": email, "role": role}, headers=by
        )
        assert response.status_code == 201, response.text
    (token,) = box.tokens_to(email)
    return token


def switch(client: TestClient, headers: dict[str, str], organization: uuid.UUID | str) -> dict[str, str]:
    response = client.post("/auth/switch-organization", json={"organization_id": str(organization)}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["organization_id"] == str(organization)
    return _bearer(response.json())


def join(
    client: TestClient,
    *,
    owner: dict[str, str],
    member: dict[str, str],
    organization_id: uuid.UUID,
    role: str = "member",
) -> dict[str, str]:
    """`member` joins the organization by invitation and switches to it: their new headers."""
    token = invite(client, owner, organization_id, _email(client, member), role)
    accepted = client.post("/invitations/accept", json={"token": token}, headers=member)
    assert accepted.status_code == 200, accepted.text
    return switch(client, member, organization_id)


@pytest.fixture
def team(client: TestClient, auth: dict[str, str]) -> tuple[uuid.UUID, dict[str, str]]:
    """A new (not personal) organization owned by `auth`, and `auth` switched into it (which
    ends the `auth` session: use the headers returned)."""
    created = client.post("/organizations", json={"name": "  Acme   Marketing "}, headers=auth)
    assert created.status_code == 201, created.text
    organization = uuid.UUID(created.json()["id"])
    return organization, switch(client, auth, organization)


def test_sign_up_makes_a_personal_organization_with_its_owner(client: TestClient) -> None:
    email = f"new-{uuid.uuid4().hex[:10]}@example.com"
    signed = client.post("/auth/signup", json={"email": email, "password": PASSWORD, "display_name": "Ada"})
    assert signed.status_code == 201
    headers = _bearer(signed.json())
    (personal,) = client.get("/organizations", headers=headers).json()
    assert personal["personal"] and personal["role"] == "owner" and personal["name"] == "Ada"
    assert signed.json()["organization_id"] == personal["id"]
    assert client.get("/organizations/current", headers=headers).json()["id"] == personal["id"]
    # The organization has a plan from the start (billing reads it).
    assert _sql("SELECT plan FROM subscriptions WHERE organization_id = %s", uuid.UUID(personal["id"])) == [("BASIC",)]
    # Logging in again starts in the personal organization.
    login = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert login.json()["organization_id"] == personal["id"]


def test_create_rename_switch_and_list_organizations(
    client: TestClient, auth: dict[str, str], team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, in_team = team
    listed = client.get("/organizations", headers=in_team).json()
    assert [o["personal"] for o in listed] == [True, False], "personal first"
    assert listed[1] == {**listed[1], "id": str(organization), "name": "Acme Marketing", "role": "owner"}
    assert client.get("/organizations/current", headers=in_team).json()["id"] == str(organization)
    renamed = client.patch(f"/organizations/{organization}", json={"name": "Acme"}, headers=in_team)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme"
    assert client.patch(f"/organizations/{organization}", json={"name": "   "}, headers=in_team).status_code == 400
    # A batch made in the team is not in the personal organization, and the other way round.
    batch = create_batch(client, in_team, name="Team work")
    assert client.get(f"/batches/{batch['id']}", headers=in_team).status_code == 200
    personal = switch(client, in_team, listed[0]["id"])
    assert client.get(f"/batches/{batch['id']}", headers=personal).status_code == 404
    assert client.get("/batches", headers=personal).json()["items"] == []


def test_switching_ends_the_old_session_and_refuses_a_stranger_organization(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, in_team = team
    assert client.get("/organizations/current", headers=auth).status_code == 401, "switching logged it out"
    strangers = organization_id(client, other_auth)
    refused = client.post("/auth/switch-organization", json={"organization_id": str(strangers)}, headers=in_team)
    assert refused.status_code == 404 and refused.json()["code"] == "organization_not_found"
    assert client.get("/organizations/current", headers=in_team).json()["id"] == str(organization)


def test_switching_with_a_cookie_session_sets_a_new_cookie(client: TestClient) -> None:
    email = f"cookie-{uuid.uuid4().hex[:10]}@example.com"
    browser = TestClient(client.app)
    signed = browser.post("/auth/signup", json={"email": email, "password": PASSWORD, "use_cookie": True})
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    created = browser.post("/organizations", json={"name": "Cookie Co"}, headers=csrf)
    assert created.status_code == 201, created.text
    without_csrf = browser.post("/auth/switch-organization", json={"organization_id": created.json()["id"]})
    assert without_csrf.status_code == 403 and without_csrf.json()["code"] == "csrf_failed"
    switched = browser.post(
        "/auth/switch-organization", json={"organization_id": created.json()["id"], "use_cookie": True}, headers=csrf
    )
    assert switched.status_code == 200 and "access_token" not in switched.json()
    assert browser.get("/organizations/current").json()["name"] == "Cookie Co"
    batch = browser.post("/batches", json={"name": "x"}, headers={"X-CSRF-Token": switched.json()["csrf_token"]})
    assert batch.status_code == 201, batch.text


def test_an_invitation_by_mail_is_accepted_once_by_the_invited_address(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, in_team = team
    invited = _email(client, other_auth)
    token = invite(client, in_team, organization, invited, role="admin")
    # Only hashes are stored: neither the address nor the token is in the table.
    rows = _sql("SELECT email_hash, token_hash, email_hint FROM invitations WHERE organization_id = %s", organization)
    assert len(rows) == 1 and invited not in str(rows) and token not in str(rows)
    assert rows[0][2] == f"{invited[:2]}…@example.com"
    pending = client.get(f"/organizations/{organization}/invitations", headers=in_team).json()
    assert [(p["role"], p["expired"]) for p in pending] == [("admin", False)]

    # Someone else signed in cannot use it, even with the token.
    intruder = client.post(
        "/auth/signup", json={"email": f"x-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    )
    wrong = client.post("/invitations/accept", json={"token": token}, headers=_bearer(intruder.json()))
    assert wrong.status_code == 403 and wrong.json()["code"] == "invitation_other_address"

    accepted = client.post("/invitations/accept", json={"token": token}, headers=other_auth)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {**accepted.json(), "id": str(organization), "role": "admin", "personal": False}
    again = client.post("/invitations/accept", json={"token": token}, headers=other_auth)
    assert again.status_code == 400 and again.json()["code"] == "invitation_invalid"
    assert client.get(f"/organizations/{organization}/invitations", headers=in_team).json() == []
    members = client.get(f"/organizations/{organization}/members", headers=in_team).json()
    assert sorted(m["role"] for m in members) == ["admin", "owner"]
    assert {m["email"] for m in members} == {_email(client, in_team), invited}
    assert [o["id"] for o in client.get("/organizations", headers=other_auth).json()][1:] == [str(organization)]


def test_invitations_expire_are_revocable_and_a_new_one_replaces_the_old(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, in_team = team
    invited = _email(client, other_auth)
    first = invite(client, in_team, organization, invited)
    second = invite(client, in_team, organization, invited)
    replaced = client.post("/invitations/accept", json={"token": first}, headers=other_auth)
    assert replaced.status_code == 400 and replaced.json()["code"] == "invitation_invalid"

    (pending,) = client.get(f"/organizations/{organization}/invitations", headers=in_team).json()
    assert (
        client.delete(f"/organizations/{organization}/invitations/{pending['id']}", headers=in_team).status_code == 204
    )
    revoked = client.post("/invitations/accept", json={"token": second}, headers=other_auth)
    assert revoked.status_code == 400 and revoked.json()["code"] == "invitation_invalid"
    assert (
        client.delete(f"/organizations/{organization}/invitations/{pending['id']}", headers=in_team).status_code == 404
    )

    third = invite(client, in_team, organization, invited)
    _sql(
        "UPDATE invitations SET expires_at = now() - %s WHERE organization_id = %s AND revoked_at IS NULL",
        timedelta(seconds=1),
        organization,
    )
    assert client.get(f"/organizations/{organization}/invitations", headers=in_team).json()[0]["expired"] is True
    expired = client.post("/invitations/accept", json={"token": third}, headers=other_auth)
    assert expired.status_code == 400 and expired.json()["code"] == "invitation_expired"
    unknown = client.post("/invitations/accept", json={"token": "not-a-token"}, headers=other_auth)
    assert unknown.status_code == 400


def test_inviting_an_existing_member_is_refused(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, in_team = team
    address = _email(client, other_auth)
    join(client, owner=in_team, member=other_auth, organization_id=organization)
    again = client.post(f"/organizations/{organization}/invitations", json={"email": address}, headers=in_team)
    assert again.status_code == 409 and again.json()["code"] == "already_member"
    bad = client.post(f"/organizations/{organization}/invitations", json={"email": "not an address"}, headers=in_team)
    assert bad.status_code == 422


def test_role_rules(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str], team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, owner = team
    owner_id = _user_id(client, owner)
    member = join(client, owner=owner, member=other_auth, organization_id=organization)
    member_id = _user_id(client, member)
    third_signup = client.post(
        "/auth/signup", json={"email": f"t-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    )
    admin = join(client, owner=owner, member=_bearer(third_signup.json()), organization_id=organization, role="admin")
    admin_id = _user_id(client, admin)
    base = f"/organizations/{organization}"

    # Members work on batches, but manage nothing.
    assert client.post("/batches", json={"name": "member's"}, headers=member).status_code == 201
    for method, path, body in (
        ("GET", f"{base}/invitations", None),
        ("POST", f"{base}/invitations", {"email": "a@example.com"}),
        ("GET", f"{base}/api-keys", None),
        ("POST", f"{base}/api-keys", {"name": "k"}),
        ("PATCH", f"{base}/members/{admin_id}", {"role": "member"}),
        ("DELETE", f"{base}/members/{admin_id}", None),
        ("PATCH", base, {"name": "Mine now"}),
    ):
        refused = client.request(method, path, json=body, headers=member)
        assert refused.status_code == 403 and refused.json()["code"] == "not_allowed", (method, path, refused.text)
    assert client.get(f"{base}/members", headers=member).status_code == 200, "members see who is in"

    # Admins manage members and keys, but cannot touch owners or make one.
    assert client.patch(f"{base}/members/{member_id}", json={"role": "admin"}, headers=admin).json()["role"] == "admin"
    assert client.patch(f"{base}/members/{member_id}", json={"role": "member"}, headers=admin).status_code == 200
    for body in ({"role": "owner"},):
        refused = client.patch(f"{base}/members/{member_id}", json=body, headers=admin)
        assert refused.status_code == 403 and "owner" in refused.json()["detail"]
    assert client.patch(f"{base}/members/{owner_id}", json={"role": "member"}, headers=admin).status_code == 403
    assert client.delete(f"{base}/members/{owner_id}", headers=admin).status_code == 403
    refused = client.post(f"{base}/invitations", json={"email": "b@example.com", "role": "owner"}, headers=admin)
    assert refused.status_code == 403

    # The last owner can neither be demoted nor leave.
    demote = client.patch(f"{base}/members/{owner_id}", json={"role": "admin"}, headers=owner)
    assert demote.status_code == 409 and demote.json()["code"] == "last_owner"
    leave = client.delete(f"{base}/members/{owner_id}", headers=owner)
    assert leave.status_code == 409 and leave.json()["code"] == "last_owner"
    # With a second owner, they can.
    assert client.patch(f"{base}/members/{admin_id}", json={"role": "owner"}, headers=owner).json()["role"] == "owner"
    assert client.patch(f"{base}/members/{owner_id}", json={"role": "admin"}, headers=owner).status_code == 200
    assert client.delete(f"{base}/members/{owner_id}", headers=owner).status_code == 204, "anyone may leave"
    assert client.get(f"{base}/members", headers=owner).json()["code"] == "not_a_member"
    roles = {m["user_id"]: m["role"] for m in client.get(f"{base}/members", headers=admin).json()}
    assert roles == {admin_id: "owner", member_id: "member"}
    # A member can leave too.
    assert client.delete(f"{base}/members/{member_id}", headers=member).status_code == 204
    assert client.delete(f"{base}/members/{uuid.uuid4()}", headers=admin).status_code == 404


def test_deleting_an_account_keeps_shared_work_and_refuses_a_sole_owner(
    client: TestClient, settings: Settings, team: tuple[uuid.UUID, dict[str, str]]
) -> None:
    organization, owner = team
    email = f"leaving-{uuid.uuid4().hex[:8]}@example.com"
    leaver = _bearer(client.post("/auth/signup", json={"email": email, "password": PASSWORD}).json())
    leaver_personal = organization_id(client, leaver)
    in_team = join(client, owner=owner, member=leaver, organization_id=organization)
    shared_batch = create_batch(client, in_team, name="Made by the leaver")
    personal_batch = create_batch(client, switch(client, in_team, leaver_personal), name="Private")

    # The owner of a team with other members cannot simply leave it behind.
    refused = client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=owner)
    assert refused.status_code == 409 and refused.json()["code"] == "sole_owner"
    assert "Acme Marketing" in refused.json()["detail"] and "owner" in refused.json()["detail"]
    assert client.get("/organizations/current", headers=owner).status_code == 200, "nothing was deleted"

    # A member can go: their personal organization goes with them, the team keeps their batch.
    login = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
    assert client.request("DELETE", "/auth/me", json={"password": PASSWORD}, headers=_bearer(login)).status_code == 204
    kept = client.get(f"/batches/{shared_batch['id']}", headers=owner)
    assert kept.status_code == 200 and kept.json()["name"] == "Made by the leaver"
    assert _sql("SELECT owner_id FROM batches WHERE id = %s", uuid.UUID(shared_batch["id"])) == [(None,)]
    assert _sql("SELECT count(*) FROM batches WHERE id = %s", uuid.UUID(personal_batch["id"])) == [(0,)]
    assert _sql("SELECT count(*) FROM organizations WHERE id = %s", leaver_personal) == [(0,)]
    assert len(client.get(f"/organizations/{organization}/members", headers=owner).json()) == 1
