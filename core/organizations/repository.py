"""All SQL about organizations, memberships, invitations and API keys.

Organizations and memberships are the directory of tenants: they have no row-level security
(a person lists the organizations they belong to before any tenant is chosen). Invitations
and API keys are tenant-owned rows under row-level security; the two lookups that must
find one before its tenant is known go through SECURITY DEFINER functions (migration 0007)
that return the one row matching a SHA-256, never a listing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text, update
from sqlalchemy.orm import Session
from sqlmodel import col, select

from core.accounts.models import User
from core.organizations.models import ApiKey, Invitation, Membership, Organization, OrganizationRole


def add(session: Session, row: object) -> None:
    session.add(row)
    session.flush()


def get(session: Session, organization_id: uuid.UUID) -> Organization | None:
    return session.get(Organization, organization_id)


def get_for_update(session: Session, organization_id: uuid.UUID) -> Organization | None:
    return session.get(Organization, organization_id, with_for_update=True)


def membership(session: Session, organization_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
    return session.get(Membership, (organization_id, user_id))


def membership_for_update(session: Session, organization_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
    return session.get(Membership, (organization_id, user_id), with_for_update=True)


def organizations_of(session: Session, user_id: uuid.UUID) -> list[tuple[Organization, OrganizationRole]]:
    """The user's organizations with their role: personal first, then by name."""
    query = (
        select(Organization, Membership.role)
        .join(Membership, col(Membership.organization_id) == col(Organization.id))
        .where(col(Membership.user_id) == user_id)
        .order_by(col(Organization.personal).desc(), func.lower(col(Organization.name)), col(Organization.id))
    )
    return [(row[0], OrganizationRole(row[1])) for row in session.execute(query)]


def default_organization(session: Session, user_id: uuid.UUID) -> uuid.UUID | None:
    """Where a new session starts: the personal organization, else the oldest membership."""
    query = (
        select(Membership.organization_id)
        .join(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(col(Membership.user_id) == user_id)
        .order_by(
            (col(Organization.personal) & (col(Organization.created_by) == user_id)).desc(),
            col(Membership.created_at),
        )
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def members(session: Session, organization_id: uuid.UUID) -> list[tuple[Membership, User]]:
    query = (
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.organization_id) == organization_id)
        .order_by(col(Membership.created_at), col(Membership.user_id))
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def lock_owners(session: Session, organization_id: uuid.UUID) -> list[uuid.UUID]:
    """The owners' user ids, their rows locked: two owners demoting each other at once must
    not leave the organization without one."""
    query = (
        select(Membership.user_id)
        .where(col(Membership.organization_id) == organization_id, col(Membership.role) == OrganizationRole.OWNER)
        .with_for_update()
    )
    return list(session.execute(query).scalars())


def member_count(session: Session, organization_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Membership).where(col(Membership.organization_id) == organization_id)
    return int(session.execute(query).scalar_one())


def remove_membership(session: Session, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
    session.execute(
        delete(Membership).where(col(Membership.organization_id) == organization_id, col(Membership.user_id) == user_id)
    )


def is_member_by_email_hash(session: Session, organization_id: uuid.UUID, digest: str) -> bool:
    query = (
        select(Membership.user_id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.organization_id) == organization_id, col(User.email_hash) == digest)
    )
    return session.execute(query).first() is not None


def delete_organization(session: Session, organization_id: uuid.UUID) -> None:
    """The database cascades to everything the organization owns (batches, images, keys ...)."""
    session.execute(delete(Organization).where(col(Organization.id) == organization_id))


# --- Invitations (tenant-owned: the session's tenant must be the organization) -------------


def pending_invitations(session: Session, organization_id: uuid.UUID) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(
            col(Invitation.organization_id) == organization_id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .order_by(col(Invitation.created_at).desc())
    )
    return list(session.execute(query).scalars())


def invitation(session: Session, organization_id: uuid.UUID, invitation_id: uuid.UUID) -> Invitation | None:
    query = select(Invitation).where(
        col(Invitation.organization_id) == organization_id, col(Invitation.id) == invitation_id
    )
    return session.execute(query.with_for_update()).scalar_one_or_none()


def revoke_pending_for(session: Session, organization_id: uuid.UUID, digest: str, now: datetime) -> None:
    """A new invitation to the same address replaces the older ones."""
    session.execute(
        update(Invitation)
        .where(
            col(Invitation.organization_id) == organization_id,
            col(Invitation.email_hash) == digest,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


@dataclass(frozen=True)
class InvitationLookup:
    id: uuid.UUID
    organization_id: uuid.UUID
    email_hash: str
    role: OrganizationRole
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


def invitation_by_token_hash(session: Session, token_hash: str) -> InvitationLookup | None:
    """Across tenants, by the SHA-256 of the mailed token: a SECURITY DEFINER function
    (renamer_invitation_by_token_hash, migration 0007) returns at most that one row."""
    row = session.execute(
        text(
            "SELECT id, organization_id, email_hash, role, expires_at, accepted_at, revoked_at "
            "FROM renamer_invitation_by_token_hash(:token_hash)"
        ),
        {"token_hash": token_hash},
    ).first()
    if row is None:
        return None
    return InvitationLookup(
        id=row.id,
        organization_id=row.organization_id,
        email_hash=row.email_hash,
        role=OrganizationRole(row.role),
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
        revoked_at=row.revoked_at,
    )


# --- API keys ------------------------------------------------------------------------------


def api_keys(session: Session, organization_id: uuid.UUID) -> list[ApiKey]:
    query = (
        select(ApiKey)
        .where(col(ApiKey.organization_id) == organization_id)
        .order_by(col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc())
    )
    return list(session.execute(query).scalars())


def api_key(session: Session, organization_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    query = select(ApiKey).where(col(ApiKey.organization_id) == organization_id, col(ApiKey.id) == key_id)
    return session.execute(query.with_for_update()).scalar_one_or_none()


def revoke_keys_of(session: Session, organization_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(ApiKey)
        .where(
            col(ApiKey.organization_id) == organization_id,
            col(ApiKey.created_by) == user_id,
            col(ApiKey.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


@dataclass(frozen=True)
class ApiKeyLookup:
    id: uuid.UUID
    organization_id: uuid.UUID
    created_by: uuid.UUID | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def api_key_by_hash(session: Session, key_hash: str) -> ApiKeyLookup | None:
    """Across tenants, by the key's SHA-256: a SECURITY DEFINER function (migration 0007), so
    the request's own connection answers it without a second pool or a cross-tenant role."""
    row = session.execute(
        text(
            "SELECT id, organization_id, created_by, last_used_at, revoked_at FROM renamer_api_key_by_hash(:key_hash)"
        ),
        {"key_hash": key_hash},
    ).first()
    if row is None:
        return None
    return ApiKeyLookup(
        id=row.id,
        organization_id=row.organization_id,
        created_by=row.created_by,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def touch_api_key(session: Session, key_id: uuid.UUID, *, now: datetime, every: timedelta) -> None:
    """Record a use, at most once per `every`: the condition makes the other calls no-ops
    that write nothing (the tenant must be set: api_keys is under row-level security)."""
    session.execute(
        update(ApiKey)
        .where(col(ApiKey.id) == key_id)
        .where(col(ApiKey.last_used_at).is_(None) | (col(ApiKey.last_used_at) < now - every))
        .values(last_used_at=now)
    )
