"""Request dependencies: settings, the request's transaction, the caller, integrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from core import logging as log_context
from core.accounts import service as accounts
from core.accounts.schemas import Principal
from core.accounts.security import AccessClaims, csrf_token_matches, is_api_key
from core.accounts.sessions import CSRF_HEADER, SAFE_METHODS, CookiePolicy
from core.config import Settings, get_settings
from core.db import (
    get_replica_router,
    get_sessionmaker,
    is_recent_writer,
    mark_recent_writer,
    set_tenant,
    transaction,
)
from core.errors import Forbidden, Unauthorized
from core.images.flows import Dependencies as UploadDependencies
from core.organizations import service as organizations
from core.redis import get_redis
from core.scanning.clamav import ClamdScanner
from core.storage import ObjectStorage, get_storage

_bearer = HTTPBearer(auto_error=False)


async def settings_dependency() -> Settings:
    """The settings (cached). Async on purpose: FastAPI runs a sync dependency in the thread
    pool, a hop that costs more than reading the cached object."""
    return get_settings()


SettingsDep = Annotated[Settings, Depends(settings_dependency)]


async def db_session() -> AsyncIterator[Session]:
    """The request's unit of work: committed when the route returns, rolled back on error.
    Async on purpose: FastAPI runs a sync dependency in the thread pool, a generator one twice
    (enter and exit), and each hop costs more than the work here. Opening the session does no
    I/O (it connects on its first query), so only the commit or rollback goes to a thread."""
    unit = transaction()
    session = unit.__enter__()
    try:
        yield session
    except BaseException as exc:
        with anyio.CancelScope(shield=True):  # a cancelled request still rolls back and closes
            await run_in_threadpool(unit.__exit__, type(exc), exc, exc.__traceback__)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(unit.__exit__, None, None, None)


# scope="function": commit as soon as the route returns, BEFORE the response is sent.
# FastAPI's default runs a yield dependency's exit after sending, so a client could act
# on a response (say, a sign-up's token) before its transaction had committed.
SessionDep = Annotated[Session, Depends(db_session, scope="function")]
StorageDep = Annotated[ObjectStorage, Depends(get_storage)]


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class Caller:
    """Whoever sent the request: a signed-in session (its claims) or an API key (already a
    principal, in the key's organization). Resolved once per request and shared by the rate
    limit and the route."""

    claims: AccessClaims | None = None
    api_key: Principal | None = None

    @property
    def caller_id(self) -> str:
        """The per-caller rate-limit subject: each API key, each person."""
        if self.api_key is not None:
            return self.api_key.caller_id
        assert self.claims is not None
        return f"user:{self.claims.user_id}"


def _session_claims(
    request: Request, session: Session, settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> AccessClaims:
    if credentials is not None:
        return accounts.resolve_session(session, token=credentials.credentials, settings=settings)
    if request.headers.get("authorization"):
        raise Unauthorized("Send 'Authorization: Bearer <token>'; other schemes are not accepted.")
    policy = CookiePolicy.from_settings(settings)
    cookie = request.cookies.get(policy.session_name)
    if not cookie:
        raise Unauthorized("Log in first: send 'Authorization: Bearer <token>'.")
    claims = accounts.resolve_session(session, token=cookie, settings=settings)
    if request.method not in SAFE_METHODS and not csrf_token_matches(
        request.headers.get(CSRF_HEADER), claims.jti, settings
    ):
        raise Forbidden(
            f"Send this session's CSRF token in the {CSRF_HEADER} header (GET /auth/csrf returns it).",
            code="csrf_failed",
        )
    return claims


def current_caller(request: Request, session: SessionDep, settings: SettingsDep, credentials: BearerDep) -> Caller:
    """The caller's credentials, checked: 'Authorization: Bearer' with an access token or an
    API key (`rk_...`), else the session cookie (browsers). Cookie requests that change state
    must carry the session's CSRF token in the X-CSRF-Token header (a token bound to the
    session by HMAC, not a custom-header check alone, so it holds even if CORS were
    misconfigured; see core.accounts.sessions)."""
    if credentials is not None and is_api_key(credentials.credentials):
        return Caller(api_key=organizations.authenticate_api_key(session, credentials.credentials))
    return Caller(claims=_session_claims(request, session, settings, credentials))


CallerDep = Annotated[Caller, Depends(current_caller)]


def current_session(caller: CallerDep) -> AccessClaims:
    """The caller's signed-in session, for account-level routes (no organization membership
    needed: a person removed from their current organization can still list theirs and
    switch). API keys are refused here."""
    if caller.claims is None:
        raise Forbidden(
            "API keys work on batches and images only; sign in as a person for this.", code="api_key_not_allowed"
        )
    log_context.bind(user_id=str(caller.claims.user_id))
    return caller.claims


SessionClaimsDep = Annotated[AccessClaims, Depends(current_session)]


def current_principal(request: Request, caller: CallerDep, session: SessionDep, settings: SettingsDep) -> Principal:
    """Who is calling and for which organization: an API key (its organization), or a session
    working in the organization of its `org` claim. The membership is checked on every
    request, and the request's transaction is set to that tenant, so row-level security
    shows it nothing else."""
    if caller.api_key is not None:
        principal = caller.api_key  # authenticate_api_key set the tenant
    else:
        assert caller.claims is not None
        principal = organizations.principal_for(
            session, user_id=caller.claims.user_id, organization_id=caller.claims.organization_id
        )
    # Logs, task headers and Sentry tags carry them.
    log_context.bind(user_id=str(principal.user_id), organization_id=str(principal.organization_id))
    if settings.database_replica_url is not None and request.method not in SAFE_METHODS:
        # Read-your-own-writes: marked before the write commits, so a read racing this request
        # also goes to the primary.
        mark_recent_writer(get_redis(), principal.user_id, seconds=settings.replica_read_your_writes_seconds)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _replica_session(principal: Principal) -> Session | None:
    router = get_replica_router()
    if router.configured and not is_recent_writer(get_redis(), principal.user_id):
        return router.open_session()
    return None


async def read_db_session(session: SessionDep, principal: PrincipalDep) -> AsyncIterator[Session]:
    """For reads that tolerate a few seconds of lag (dashboard and listings): a read-only
    session on the replica, or the request's primary session when no replica is configured,
    it is unreachable or behind, or this user wrote within `replica_read_your_writes_seconds`.
    The caller is still authenticated on the primary (`session`). Async (see db_session):
    without a replica this costs no thread hop; the replica's checks run in one."""
    replica = await run_in_threadpool(_replica_session, principal) if get_replica_router().configured else None
    if replica is None:
        yield session
        return
    set_tenant(replica, principal.organization_id)
    try:
        yield replica
    finally:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(replica.close)  # read-only: nothing to commit; closing ends its transaction


ReadSessionDep = Annotated[Session, Depends(read_db_session, scope="function")]


def upload_dependencies(settings: SettingsDep, storage: StorageDep) -> UploadDependencies:
    return UploadDependencies(
        sessions=get_sessionmaker(), storage=storage, scanner=ClamdScanner.from_settings(settings), settings=settings
    )


UploadDepsDep = Annotated[UploadDependencies, Depends(upload_dependencies)]
