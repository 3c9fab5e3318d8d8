"""Request dependencies: settings, the request's transaction, the caller, integrations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from core.accounts import service as accounts
from core.accounts.schemas import Principal
from core.config import Settings, get_settings
from core.db import get_sessionmaker, transaction
from core.errors import Unauthorized
from core.images.flows import Dependencies as UploadDependencies
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


def current_principal(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Log in first: send 'Authorization: Bearer <token>'.")
    return accounts.resolve_principal(session, token=credentials.credentials, settings=settings)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def upload_dependencies(settings: SettingsDep, storage: StorageDep) -> UploadDependencies:
    return UploadDependencies(
        sessions=get_sessionmaker(), storage=storage, scanner=ClamdScanner.from_settings(settings), settings=settings
    )


UploadDepsDep = Annotated[UploadDependencies, Depends(upload_dependencies)]
