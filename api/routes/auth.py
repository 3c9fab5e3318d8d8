from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import PrincipalDep, SessionDep, SettingsDep
from core.accounts import repository, service
from core.accounts.schemas import LoginRequest, SignupRequest, TokenResponse, UserPublic

router = APIRouter(tags=["auth"])


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED)
def sign_up(body: SignupRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    return service.sign_up(session, request=body, settings=settings)


@router.post("/auth/login")
def log_in(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    return service.log_in(session, request=body, settings=settings)


@router.get("/me")
def me(principal: PrincipalDep, session: SessionDep) -> UserPublic:
    user = repository.get(session, principal.user_id)
    return UserPublic.model_validate(user, from_attributes=True)
