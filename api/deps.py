"""Request dependencies: settings, the request's transaction, the caller, integrations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from core import logging as log_context
from core.accounts import service as accounts
from core.accounts.schemas import Principal
from core.accounts.security import AccessClaims, csrf_token_matches
from core.accounts.sessions import CSRF_HEADER, SAFE_METHODS, CookiePolicy
from core.config import Settings, get_settings
from core.db import get_replica_router, get_sessionmaker, is_recent_writer, mark_recent_writer, transaction
from core.errors import Forbidden, Unauthorized
from core.images.flows import Dependencies as UploadDependencies
from core.redis import get_redis
from core.scanning.clamav import ClamdScanner
from core.storage import ObjectStorage, get_storage

_bearer = HTTPBearer(auto_error=False)

SettingsDep = Annotated[Settings, Depends(get_settings)]


def db_session() -> Iterator[Session]:
    """The request's unit of work: committed when the route returns, rolled back on error."""
    with transaction() as session:
        yield session


# scope="function": commit as soon as the route returns, BEFORE the response is sent.
# FastAPI's default runs a yield dependency's exit after sending, so a client could act
# on a response (say, a sign-up's token) before its transaction had committed.
SessionDep = Annotated[Session, Depends(db_session, scope="function")]
StorageDep = Annotated[ObjectStorage, Depends(get_storage)]


def current_session(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AccessClaims:
    """The caller's token: from 'Authorization: Bearer' (API clients), else the session cookie
    (browsers). Cookie requests that change state must carry the session's CSRF token in the
    X-CSRF-Token header (a token bound to the session by HMAC, not a custom-header check
    alone, so it holds even if CORS were misconfigured; see core.accounts.sessions)."""
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


SessionClaimsDep = Annotated[AccessClaims, Depends(current_session)]


def current_principal(request: Request, claims: SessionClaimsDep, settings: SettingsDep) -> Principal:
    principal = Principal(user_id=claims.user_id)
    log_context.bind(user_id=str(principal.user_id))  # logs, task headers and Sentry tags carry it
    if settings.database_replica_url is not None and request.method not in SAFE_METHODS:
        # Read-your-own-writes: marked before the write commits, so a read racing this request
        # also goes to the primary.
        mark_recent_writer(get_redis(), principal.user_id, seconds=settings.replica_read_your_writes_seconds)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def read_db_session(session: SessionDep, principal: PrincipalDep) -> Iterator[Session]:
    """For reads that tolerate a few seconds of lag (dashboard and listings): a read-only
    session on the replica, or the request's primary session when no replica is configured,
    it is unreachable or behind, or this user wrote within `replica_read_your_writes_seconds`.
    The caller is still authenticated on the primary (`session`)."""
    router = get_replica_router()
    replica = None
    if router.configured and not is_recent_writer(get_redis(), principal.user_id):
        replica = router.open_session()
    if replica is None:
        yield session
        return
    try:
        yield replica
    finally:
        replica.close()  # read-only: nothing to commit; closing ends its transaction


ReadSessionDep = Annotated[Session, Depends(read_db_session, scope="function")]


def upload_dependencies(settings: SettingsDep, storage: StorageDep) -> UploadDependencies:
    return UploadDependencies(
        sessions=get_sessionmaker(), storage=storage, scanner=ClamdScanner.from_settings(settings), settings=settings
    )


UploadDepsDep = Annotated[UploadDependencies, Depends(upload_dependencies)]
