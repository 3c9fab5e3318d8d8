"""Organization rules below the API: which organizations go with an account, the tenant a
task works for, and the tenant a session carries (real PostgreSQL, the app's role)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from core.accounts.models import User
from core.accounts.security import email_hash
from core.batches.models import Batch
from core.db import set_tenant, tenant_of, tenant_scope, transaction
from core.errors import Conflict
from core.organizations import repository, service
from core.organizations.models import Membership, OrganizationRole

pytestmark = pytest.mark.usefixtures("services")


def _user(name: str) -> uuid.UUID:
    with transaction() as session:  # users have no row-level security
        user = User(email_hash=email_hash(f"{name}-{uuid.uuid4().hex}@example.com"), display_name=name)
        session.add(user)
        session.flush()
        service.create_personal(session, user)
        return user.id


def _team(owner: uuid.UUID, *members: tuple[uuid.UUID, OrganizationRole]) -> uuid.UUID:
    with transaction() as session:
        team = service.create(session, user_id=owner, name="Team")
        for user_id, role in members:
            repository.add(session, Membership(organization_id=team.id, user_id=user_id, role=role))
        return team.id


def test_the_personal_organization_and_solo_ones_go_with_the_account() -> None:
    alice, bob = _user("alice"), _user("bob")
    solo = _team(alice)
    shared_by_bob = _team(bob, (alice, OrganizationRole.MEMBER))
    with transaction() as session:
        personal = repository.default_organization(session, alice)
        doomed = service.organizations_to_delete_with(session, alice)
    assert personal is not None and set(doomed) == {personal, solo}
    assert shared_by_bob not in doomed


def test_the_only_owner_of_a_shared_organization_is_refused_until_there_is_another() -> None:
    alice, bob = _user("alice"), _user("bob")
    team = _team(alice, (bob, OrganizationRole.ADMIN))
    with transaction() as session, pytest.raises(Conflict) as refused:
        service.organizations_to_delete_with(session, alice)
    assert refused.value.code == "sole_owner" and "Team" in refused.value.detail
    with transaction() as session:
        membership = repository.membership(session, team, bob)
        assert membership is not None
        membership.role = OrganizationRole.OWNER
    with transaction() as session:
        assert team not in service.organizations_to_delete_with(session, alice)


def test_a_task_without_a_tenant_in_its_payload_finds_it() -> None:
    """Messages sent before payloads carried the tenant: looked up across tenants, once."""
    alice = _user("alice")
    with transaction() as session:
        personal = repository.default_organization(session, alice)
        assert personal is not None
        set_tenant(session, personal)
        batch = Batch(owner_id=alice, organization_id=personal, name="queued before the upgrade")
        session.add(batch)
        session.flush()
        batch_id = batch.id
    assert service.tenant_for_task(None, batch_id=batch_id) == personal
    assert service.tenant_for_task(None, batch_id=uuid.uuid4()) is None
    given = uuid.uuid4()
    assert service.tenant_for_task(given, batch_id=batch_id) == given, "the payload wins"


def test_the_ambient_tenant_of_a_task_reaches_every_transaction_and_an_explicit_one_wins() -> None:
    alice = _user("alice")
    with transaction() as session:
        personal = repository.default_organization(session, alice)
        assert personal is not None
        set_tenant(session, personal)
        session.add(Batch(owner_id=alice, organization_id=personal, name="ambient"))
        session.flush()
        assert tenant_of(session) == personal
    with transaction() as session:
        assert tenant_of(session) is None
        assert session.execute(text("SELECT count(*) FROM batches")).scalar_one() == 0
    with tenant_scope(personal):
        with transaction() as session:
            assert session.execute(text("SELECT name FROM batches")).scalars().all() == ["ambient"]
        with transaction(tenant=uuid.uuid4()) as session:
            assert session.execute(text("SELECT count(*) FROM batches")).scalar_one() == 0
