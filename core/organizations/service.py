"""Organizations (the tenant): personal organizations at sign-up, members and their roles,
invitations by email, API keys, and who the caller is acting as. Services never commit.

Roles: owners do everything (billing included) and alone make other owners; admins manage
members, invitations and API keys; members work on batches. An organization always keeps
at least one owner: the last one can neither leave nor be demoted.

Tenant-owned rows (invitations, API keys, batches ...) are under row-level security, so a
service that touches another organization than the caller's current one first sets the
session's tenant to it (`core.db.set_tenant`), after checking the caller belongs there.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from core.accounts import repository as accounts
from core.accounts.mail import OutgoingMail
from core.accounts.models import User
from core.accounts.schemas import Principal
from core.accounts.security import api_key_hash, email_hash, mail_token_hash, new_api_key, new_mail_token
from core.batches import repository as batch_repository
from core.billing.models import Subscription
from core.config import Settings
from core.db import maintenance_transaction, set_tenant
from core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from core.images import repository as image_repository
from core.models import utcnow
from core.organizations import repository
from core.organizations.models import ApiKey, Invitation, Membership, Organization, OrganizationRole
from core.organizations.schemas import (
    ApiKeyCreated,
    ApiKeyPublic,
    InvitationPublic,
    MemberPublic,
    OrganizationPublic,
)

# last_used_at is written at most this often per key: a busy key costs one write a minute.
API_KEY_TOUCH_INTERVAL = timedelta(minutes=1)
API_KEY_PREFIX_LENGTH = 10  # "rk_" and 7 characters: enough to tell keys apart, useless to guess with

_NOT_FOUND = "No such organization."


def _public(organization: Organization, role: OrganizationRole) -> OrganizationPublic:
    return OrganizationPublic(
        id=organization.id,
        name=organization.name,
        personal=organization.personal,
        role=role,
        created_at=organization.created_at,
    )


def _create(session: Session, *, name: str, owner: uuid.UUID, personal: bool) -> Organization:
    organization = Organization(name=name, personal=personal, created_by=owner)
    repository.add(session, organization)
    repository.add(session, Membership(organization_id=organization.id, user_id=owner, role=OrganizationRole.OWNER))
    # Every organization has a plan from the start (BASIC); the subscription row is tenant-owned.
    set_tenant(session, organization.id)
    session.add(Subscription(organization_id=organization.id))
    session.flush()
    return organization


def create_personal(session: Session, user: User) -> Organization:
    """The organization everyone gets at sign-up (email or identity provider)."""
    return _create(session, name=(user.display_name or "Personal")[:200], owner=user.id, personal=True)


def create(session: Session, *, user_id: uuid.UUID, name: str) -> OrganizationPublic:
    organization = _create(session, name=_clean_name(name), owner=user_id, personal=False)
    return _public(organization, OrganizationRole.OWNER)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BadRequest("Give the organization a name.", code="name_required")
    return cleaned[:200]


def session_organization(session: Session, user_id: uuid.UUID) -> uuid.UUID:
    """Where a new session of this person starts: their personal organization, else the
    oldest one they belong to; someone left with none gets a new personal one."""
    found = repository.default_organization(session, user_id)
    if found is not None:
        return found
    user = accounts.get(session, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    return create_personal(session, user).id


def principal_for(session: Session, *, user_id: uuid.UUID, organization_id: uuid.UUID | None) -> Principal:
    """The caller acting in `organization_id` (None: their default one), checked against the
    memberships on every request, so a removed member loses access at once. Sets the
    session's tenant."""
    if organization_id is None:
        organization_id = session_organization(session, user_id)
    membership = repository.membership(session, organization_id, user_id)
    if membership is None:
        raise Forbidden(
            "You are no longer a member of this organization; switch to another one "
            "(POST /auth/switch-organization) or log in again.",
            code="not_a_member",
        )
    set_tenant(session, organization_id)
    return Principal(user_id=user_id, organization_id=organization_id, role=membership.role)


def authenticate_api_key(session: Session, key: str) -> Principal:
    """The principal of an API key: its organization as tenant, its creator as the person
    acting, with member rights. Revoked keys, and keys whose creator has left, are refused."""
    found = repository.api_key_by_hash(session, api_key_hash(key))
    if found is None or found.revoked_at is not None:
        raise Unauthorized("This API key is not valid or has been revoked.", code="invalid_api_key")
    if found.created_by is None or repository.membership(session, found.organization_id, found.created_by) is None:
        raise Unauthorized(
            "This API key stopped working because the member who created it left the organization; create a new key.",
            code="invalid_api_key",
        )
    set_tenant(session, found.organization_id)
    now = utcnow()
    if found.last_used_at is None or found.last_used_at < now - API_KEY_TOUCH_INTERVAL:
        repository.touch_api_key(session, found.id, now=now, every=API_KEY_TOUCH_INTERVAL)
    return Principal(
        user_id=found.created_by,
        organization_id=found.organization_id,
        role=OrganizationRole.MEMBER,
        api_key_id=found.id,
    )


def switch(session: Session, *, user_id: uuid.UUID, organization_id: uuid.UUID) -> Organization:
    """The organization a re-issued session will work in; 404 unless the person belongs to it."""
    organization = repository.get(session, organization_id)
    if organization is None or repository.membership(session, organization_id, user_id) is None:
        raise NotFound(_NOT_FOUND, code="organization_not_found")
    return organization


def list_mine(session: Session, user_id: uuid.UUID) -> list[OrganizationPublic]:
    return [_public(organization, role) for organization, role in repository.organizations_of(session, user_id)]


def current(session: Session, principal: Principal) -> OrganizationPublic:
    organization = repository.get(session, principal.organization_id)
    if organization is None:
        raise NotFound(_NOT_FOUND, code="organization_not_found")
    return _public(organization, principal.role)


def _membership_of(session: Session, principal: Principal, organization_id: uuid.UUID) -> Membership:
    """The caller's membership of `organization_id` (404 otherwise: another tenant's ids do not
    exist for them). Moves the session's tenant there."""
    if principal.api_key_id is not None:
        if principal.organization_id != organization_id:
            raise NotFound(_NOT_FOUND, code="organization_not_found")
        set_tenant(session, organization_id)
        return Membership(organization_id=organization_id, user_id=principal.user_id, role=OrganizationRole.MEMBER)
    membership = repository.membership(session, organization_id, principal.user_id)
    if membership is None:
        raise NotFound(_NOT_FOUND, code="organization_not_found")
    set_tenant(session, organization_id)
    return membership


def _require_manager(membership: Membership, what: str) -> None:
    if membership.role not in (OrganizationRole.OWNER, OrganizationRole.ADMIN):
        raise Forbidden(f"Only owners and admins can {what}; ask one of them.", code="not_allowed")


def rename(session: Session, principal: Principal, organization_id: uuid.UUID, *, name: str) -> OrganizationPublic:
    membership = _membership_of(session, principal, organization_id)
    _require_manager(membership, "rename the organization")
    organization = repository.get_for_update(session, organization_id)
    if organization is None:
        raise NotFound(_NOT_FOUND, code="organization_not_found")
    organization.name = _clean_name(name)
    organization.updated_at = utcnow()
    session.flush()
    return _public(organization, membership.role)


# --- Members -------------------------------------------------------------------------------


def list_members(session: Session, principal: Principal, organization_id: uuid.UUID) -> list[MemberPublic]:
    _membership_of(session, principal, organization_id)
    return [
        MemberPublic(
            user_id=user.id,
            display_name=user.display_name,
            email=user.email,
            role=membership.role,
            joined_at=membership.created_at,
        )
        for membership, user in repository.members(session, organization_id)
    ]


def _member_public(session: Session, membership: Membership) -> MemberPublic:
    user = accounts.get(session, membership.user_id)
    assert user is not None  # the membership cascades with the user
    return MemberPublic(
        user_id=user.id,
        display_name=user.display_name,
        email=user.email,
        role=membership.role,
        joined_at=membership.created_at,
    )


def change_role(
    session: Session, principal: Principal, organization_id: uuid.UUID, user_id: uuid.UUID, *, role: OrganizationRole
) -> MemberPublic:
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "change roles")
    owners = repository.lock_owners(session, organization_id)
    target = repository.membership_for_update(session, organization_id, user_id)
    if target is None:
        raise NotFound("No such member.", code="member_not_found")
    if OrganizationRole.OWNER in (role, target.role) and mine.role != OrganizationRole.OWNER:
        raise Forbidden("Only an owner can make someone an owner or change an owner's role.", code="not_allowed")
    if target.role == OrganizationRole.OWNER and role != OrganizationRole.OWNER and owners == [user_id]:
        raise Conflict("This is the organization's only owner; make another member an owner first.", code="last_owner")
    target.role = role
    session.flush()
    return _member_public(session, target)


def remove_member(session: Session, principal: Principal, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Remove a member (owners and admins), or leave (anyone, for themselves). Their API keys
    for this organization are revoked with them."""
    mine = _membership_of(session, principal, organization_id)
    leaving = user_id == principal.user_id and principal.api_key_id is None
    if not leaving:
        _require_manager(mine, "remove members")
    owners = repository.lock_owners(session, organization_id)
    target = repository.membership_for_update(session, organization_id, user_id)
    if target is None:
        raise NotFound("No such member.", code="member_not_found")
    if target.role == OrganizationRole.OWNER:
        if not leaving and mine.role != OrganizationRole.OWNER:
            raise Forbidden("Only an owner can remove an owner.", code="not_allowed")
        if owners == [user_id]:
            raise Conflict(
                "The organization's only owner cannot leave; make another member an owner first.", code="last_owner"
            )
    repository.remove_membership(session, organization_id, user_id)
    repository.revoke_keys_of(session, organization_id, user_id, utcnow())


# --- Invitations ---------------------------------------------------------------------------


def _email_hint(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}…@{domain}"[:120]


def _invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate({**invitation.model_dump(), "expired": invitation.expires_at <= utcnow()})


def invite(
    session: Session,
    principal: Principal,
    organization_id: uuid.UUID,
    *,
    email: str,
    role: OrganizationRole,
    settings: Settings,
) -> tuple[InvitationPublic, OutgoingMail]:
    """A single-use invitation and the mail to send once committed. Only the hashes of the
    address and of the token are stored."""
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "invite people")
    if role == OrganizationRole.OWNER and mine.role != OrganizationRole.OWNER:
        raise Forbidden("Only an owner can invite another owner.", code="not_allowed")
    organization = repository.get(session, organization_id)
    if organization is None:
        raise NotFound(_NOT_FOUND, code="organization_not_found")
    address = email.strip().lower()
    digest = email_hash(address)
    if repository.is_member_by_email_hash(session, organization_id, digest):
        raise Conflict("Someone with this address is already a member.", code="already_member")
    now = utcnow()
    repository.revoke_pending_for(session, organization_id, digest, now)
    token, token_digest = new_mail_token()
    invitation = Invitation(
        organization_id=organization_id,
        email_hash=digest,
        email_hint=_email_hint(address),
        role=role,
        token_hash=token_digest,
        invited_by=principal.user_id,
        expires_at=now + timedelta(hours=settings.invitation_ttl_hours),
        created_at=now,
    )
    repository.add(session, invitation)
    inviter = accounts.get(session, principal.user_id)
    who = inviter.display_name if inviter is not None and inviter.display_name else "A member"
    link = f"{settings.frontend_url.rstrip('/')}/invitations/accept?{urlencode({'token': token})}"
    mail = OutgoingMail(
        to=address,
        subject=f"You are invited to {organization.name} on Image Renamer",
        body=(
            f"Hello,\n\n{who} invited you to join “{organization.name}” on Image Renamer as {role.value}.\n"
            f"Accept with the link below (valid for {settings.invitation_ttl_hours} hours), signed in with "
            f"this address:\n\n{link}\n\nIf you did not expect this, ignore this mail."
        ),
    )
    return _invitation_public(invitation), mail


def list_invitations(session: Session, principal: Principal, organization_id: uuid.UUID) -> list[InvitationPublic]:
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "see invitations")
    return [_invitation_public(row) for row in repository.pending_invitations(session, organization_id)]


def revoke_invitation(
    session: Session, principal: Principal, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "revoke invitations")
    invitation = repository.invitation(session, organization_id, invitation_id)
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise NotFound("No such pending invitation.", code="invitation_not_found")
    invitation.revoked_at = utcnow()
    session.flush()


def accept_invitation(session: Session, *, user_id: uuid.UUID, token: str) -> OrganizationPublic:
    """Join the organization an invitation is for; the signed-in account's address must be the
    one invited. Single use: accepting spends the token."""
    found = repository.invitation_by_token_hash(session, mail_token_hash(token))
    if found is None or found.revoked_at is not None or found.accepted_at is not None:
        raise BadRequest(
            "This invitation is not valid, was revoked or was already used; ask for a new one.",
            code="invitation_invalid",
        )
    if found.expires_at <= utcnow():
        raise BadRequest("This invitation has expired; ask for a new one.", code="invitation_expired")
    user = accounts.get(session, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    if user.email_hash != found.email_hash:
        raise Forbidden(
            "This invitation was sent to another address; sign in with the account of the address it was sent to.",
            code="invitation_other_address",
        )
    set_tenant(session, found.organization_id)
    invitation = repository.invitation(session, found.organization_id, found.id)
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise BadRequest("This invitation was already used; ask for a new one.", code="invitation_invalid")
    invitation.accepted_at = utcnow()
    membership = repository.membership(session, found.organization_id, user_id)
    if membership is None:
        membership = Membership(organization_id=found.organization_id, user_id=user_id, role=invitation.role)
        repository.add(session, membership)
    session.flush()
    organization = repository.get(session, found.organization_id)
    assert organization is not None  # the invitation cascades with its organization
    return _public(organization, membership.role)


# --- API keys ------------------------------------------------------------------------------


def _key_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(key, from_attributes=True)


def list_api_keys(session: Session, principal: Principal, organization_id: uuid.UUID) -> list[ApiKeyPublic]:
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "see API keys")
    return [_key_public(key) for key in repository.api_keys(session, organization_id)]


def create_api_key(session: Session, principal: Principal, organization_id: uuid.UUID, *, name: str) -> ApiKeyCreated:
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "create API keys")
    key, digest = new_api_key()
    row = ApiKey(
        organization_id=organization_id,
        name=" ".join(name.split())[:100] or "API key",
        prefix=key[:API_KEY_PREFIX_LENGTH],
        key_hash=digest,
        created_by=principal.user_id,
        created_at=utcnow(),
    )
    repository.add(session, row)
    return ApiKeyCreated(**_key_public(row).model_dump(), key=key)


def revoke_api_key(session: Session, principal: Principal, organization_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Revoked at once: the next request with the key gets 401."""
    mine = _membership_of(session, principal, organization_id)
    _require_manager(mine, "revoke API keys")
    key = repository.api_key(session, organization_id, key_id)
    if key is None:
        raise NotFound("No such API key.", code="api_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()


# --- Account deletion ----------------------------------------------------------------------


def organizations_to_delete_with(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The organizations that go with this person's account: their personal one and any
    where they are the only member. Refuses (409) while they are the only owner of an
    organization that has other members: those people keep their organization, so its
    ownership must pass to one of them first."""
    doomed: list[uuid.UUID] = []
    for organization, role in repository.organizations_of(session, user_id):
        if (organization.personal and organization.created_by == user_id) or repository.member_count(
            session, organization.id
        ) == 1:
            doomed.append(organization.id)
            continue
        if role == OrganizationRole.OWNER and repository.lock_owners(session, organization.id) == [user_id]:
            raise Conflict(
                f"You are the only owner of “{organization.name}”, which has other members; make one of them an "
                "owner (or remove them) first, then delete your account.",
                code="sole_owner",
            )
    return doomed


# --- Tasks ---------------------------------------------------------------------------------


def tenant_for_task(
    organization_id: uuid.UUID | None, *, image_id: uuid.UUID | None = None, batch_id: uuid.UUID | None = None
) -> uuid.UUID | None:
    """The organization a task works for: its payload says so; a message sent before payloads
    carried it is looked up once, across tenants, from the image or batch it names."""
    if organization_id is not None or (image_id is None and batch_id is None):
        return organization_id
    with maintenance_transaction() as session:
        if image_id is not None:
            return image_repository.organization_of(session, image_id)
        assert batch_id is not None
        return batch_repository.organization_of(session, batch_id)
