"""Organizations: the tenant, its members, invitations and API keys.

Ids of organizations the caller does not belong to answer 404, like any other tenant's ids.
Managing members, invitations and keys takes an owner or admin (403 otherwise); only
owners make owners, and the last owner cannot leave or be demoted (409).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, BackgroundTasks, Response, status

from api.deps import PrincipalDep, SessionClaimsDep, SessionDep, SettingsDep
from api.ratelimit import ApiBudget
from core.accounts.mail import get_mailer, send_quietly
from core.organizations import service
from core.organizations.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    InvitationAccept,
    InvitationCreate,
    InvitationPublic,
    MemberPublic,
    MemberUpdate,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
)

router = APIRouter(tags=["organizations"], dependencies=[ApiBudget])


@router.get("/organizations")
def list_organizations(claims: SessionClaimsDep, session: SessionDep) -> list[OrganizationPublic]:
    """Every organization you belong to, with your role (personal first)."""
    return service.list_mine(session, claims.user_id)


@router.post("/organizations", status_code=status.HTTP_201_CREATED)
def create_organization(body: OrganizationCreate, claims: SessionClaimsDep, session: SessionDep) -> OrganizationPublic:
    """A new organization with you as its owner. Switch to it (POST /auth/switch-organization)
    to work in it."""
    return service.create(session, user_id=claims.user_id, name=body.name)


@router.get("/organizations/current")
def current_organization(principal: PrincipalDep, session: SessionDep) -> OrganizationPublic:
    """The organization this session (or API key) works in, with your role."""
    return service.current(session, principal)


@router.patch("/organizations/{organization_id}")
def rename_organization(
    organization_id: uuid.UUID, body: OrganizationUpdate, principal: PrincipalDep, session: SessionDep
) -> OrganizationPublic:
    return service.rename(session, principal, organization_id, name=body.name)


@router.get("/organizations/{organization_id}/members")
def list_members(organization_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[MemberPublic]:
    return service.list_members(session, principal, organization_id)


@router.patch("/organizations/{organization_id}/members/{user_id}")
def change_member_role(
    organization_id: uuid.UUID, user_id: uuid.UUID, body: MemberUpdate, principal: PrincipalDep, session: SessionDep
) -> MemberPublic:
    """Owners and admins change roles; only an owner makes (or unmakes) owners; the last
    owner keeps their role (409)."""
    return service.change_role(session, principal, organization_id, user_id, role=body.role)


@router.delete(
    "/organizations/{organization_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def remove_member(
    organization_id: uuid.UUID, user_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """Remove a member (owners and admins), or leave (your own id). Their access ends at once
    and their API keys for this organization are revoked."""
    service.remove_member(session, principal, organization_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/organizations/{organization_id}/invitations")
def list_invitations(
    organization_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> list[InvitationPublic]:
    """Invitations not yet accepted or revoked (expired ones say so)."""
    return service.list_invitations(session, principal, organization_id)


@router.post("/organizations/{organization_id}/invitations", status_code=status.HTTP_201_CREATED)
def invite(
    organization_id: uuid.UUID,
    body: InvitationCreate,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> InvitationPublic:
    """Mail a single-use invitation link. A new invitation to the same address replaces the
    pending one. Only owners invite owners."""
    invitation, mail = service.invite(
        session, principal, organization_id, email=str(body.email), role=body.role, settings=settings
    )
    # After the response, so after the commit (SessionDep commits first): a rollback sends nothing.
    background.add_task(send_quietly, get_mailer(settings), mail)
    return invitation


@router.delete(
    "/organizations/{organization_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def revoke_invitation(
    organization_id: uuid.UUID, invitation_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    service.revoke_invitation(session, principal, organization_id, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invitations/accept")
def accept_invitation(body: InvitationAccept, claims: SessionClaimsDep, session: SessionDep) -> OrganizationPublic:
    """Join the organization of an invitation, signed in with the address it was sent to.
    Switch to it afterwards (POST /auth/switch-organization) to work in it."""
    return service.accept_invitation(session, user_id=claims.user_id, token=body.token)


@router.get("/organizations/{organization_id}/api-keys")
def list_api_keys(organization_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[ApiKeyPublic]:
    return service.list_api_keys(session, principal, organization_id)


@router.post("/organizations/{organization_id}/api-keys", status_code=status.HTTP_201_CREATED)
def create_api_key(
    organization_id: uuid.UUID, body: ApiKeyCreate, principal: PrincipalDep, session: SessionDep
) -> ApiKeyCreated:
    """A key for the API in this organization (`Authorization: Bearer rk_...`), with member
    rights. The key is in this answer only; it is stored hashed."""
    return service.create_api_key(session, principal, organization_id, name=body.name)


@router.delete(
    "/organizations/{organization_id}/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def revoke_api_key(
    organization_id: uuid.UUID, key_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """Revoked at once: the next request with the key gets 401."""
    service.revoke_api_key(session, principal, organization_id, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
