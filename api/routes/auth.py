from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Response, status
from fastapi.responses import RedirectResponse

from api.deps import SessionClaimsDep, SessionDep, SettingsDep, StorageDep
from api.ratelimit import ApiBudget, SignInLimit, SignUpLimit
from core.accounts import oidc, repository, service
from core.accounts.mail import OutgoingMail, get_mailer, send_quietly
from core.accounts.schemas import (
    CookieSessionResponse,
    CsrfTokenResponse,
    IssuedSession,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    SignupRequest,
    TokenResponse,
    UserPublic,
    VerifyEmailRequest,
)
from core.accounts.security import csrf_token_for
from core.accounts.sessions import CookiePolicy
from core.config import Settings
from core.db import get_sessionmaker
from core.errors import NotFound, RenamerError
from core.organizations.schemas import SwitchOrganization
from core.redis import get_redis
from core.retention import service as retention
from core.retention.schemas import AccountDeletion

router = APIRouter(tags=["auth"])


def _set_session_cookies(response: Response, issued: IssuedSession, settings: Settings) -> str:
    policy = CookiePolicy.from_settings(settings)
    csrf = csrf_token_for(issued.jti, settings)
    common = {
        "max_age": issued.expires_in,
        "path": policy.path,
        "domain": policy.domain,
        "secure": policy.secure,
        "samesite": policy.samesite,
    }
    response.set_cookie(policy.session_name, issued.access_token, httponly=True, **common)  # type: ignore[arg-type]
    # Readable by the web app (same site), which echoes it in the X-CSRF-Token header.
    response.set_cookie(policy.csrf_name, csrf, httponly=False, **common)  # type: ignore[arg-type]
    return csrf


def _clear_session_cookies(response: Response, settings: Settings) -> None:
    policy = CookiePolicy.from_settings(settings)
    for name in (policy.session_name, policy.csrf_name):
        response.delete_cookie(
            name, path=policy.path, domain=policy.domain, secure=policy.secure, samesite=policy.samesite
        )


def _session_response(
    issued: IssuedSession, use_cookie: bool, response: Response, settings: Settings
) -> TokenResponse | CookieSessionResponse:
    if use_cookie:
        csrf = _set_session_cookies(response, issued, settings)
        return CookieSessionResponse(
            csrf_token=csrf, expires_in=issued.expires_in, user=issued.user, organization_id=issued.organization_id
        )
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        user=issued.user,
        organization_id=issued.organization_id,
    )


def _send_after_commit(background: BackgroundTasks, settings: Settings, mail: OutgoingMail | None) -> None:
    # Background tasks run after the response, so after the request's transaction committed
    # (SessionDep commits before the response); a rolled-back request sends nothing.
    if mail is not None:
        background.add_task(send_quietly, get_mailer(settings), mail)


def _to_frontend(settings: Settings, path: str, **query: str) -> RedirectResponse:
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"{settings.frontend_url.rstrip('/')}{path}{suffix}", status_code=status.HTTP_302_FOUND)


@router.get("/auth/oidc/login", dependencies=[SignInLimit], response_class=RedirectResponse)
def oidc_login(settings: SettingsDep) -> RedirectResponse:
    """Start signing in with the configured OpenID Connect provider (Google by default)."""
    if not oidc.is_configured(settings):
        raise NotFound("Sign-in with a provider is not set up on this server.", code="oidc_not_configured")
    return RedirectResponse(oidc.authorization_url(settings, get_redis()), status_code=status.HTTP_302_FOUND)


@router.get("/auth/oidc/callback", dependencies=[SignInLimit], response_class=RedirectResponse)
def oidc_callback(
    session: SessionDep,
    settings: SettingsDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
) -> RedirectResponse:
    """The provider sends the browser back here; on success it is signed in with the session
    cookie and sent to the app, otherwise to the login page with ?error=<code>."""
    if not oidc.is_configured(settings):
        raise NotFound("Sign-in with a provider is not set up on this server.", code="oidc_not_configured")
    if error or not code or not state:
        if state:
            get_redis().delete(oidc.STATE_KEY + state)  # the attempt is over either way
        return _to_frontend(settings, "/login", error="oidc_cancelled" if error == "access_denied" else "oidc_failed")
    try:
        identity = oidc.complete(settings, get_redis(), code=code, state=state)
        issued = service.sign_in_with_oidc(session, identity=identity, settings=settings)
    except RenamerError as exc:
        return _to_frontend(settings, "/login", error=exc.code)
    redirect = _to_frontend(settings, "/")
    _set_session_cookies(redirect, issued, settings)
    return redirect


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, dependencies=[SignUpLimit])
def sign_up(
    body: SignupRequest, session: SessionDep, settings: SettingsDep, response: Response, background: BackgroundTasks
) -> TokenResponse | CookieSessionResponse:
    """Create an account and sign in. A verification mail goes to the address; unverified
    accounts may already upload (the web app shows a banner until the link is opened)."""
    issued, mail = service.sign_up(session, request=body, settings=settings)
    _send_after_commit(background, settings, mail)
    return _session_response(issued, body.use_cookie, response, settings)


@router.post("/auth/login", dependencies=[SignInLimit])
def log_in(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, response: Response
) -> TokenResponse | CookieSessionResponse:
    issued = service.log_in(session, request=body, settings=settings)
    return _session_response(issued, body.use_cookie, response, settings)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, dependencies=[ApiBudget])
def log_out(claims: SessionClaimsDep, session: SessionDep, settings: SettingsDep) -> Response:
    """End this session: its cookie or bearer token gets 401 from now on (other devices stay signed in)."""
    service.log_out(session, claims=claims)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_session_cookies(response, settings)
    return response


@router.post("/auth/switch-organization", dependencies=[ApiBudget])
def switch_organization(
    body: SwitchOrganization, claims: SessionClaimsDep, session: SessionDep, settings: SettingsDep, response: Response
) -> TokenResponse | CookieSessionResponse:
    """Work in another organization you belong to: a new session (bearer token, or with
    `use_cookie` the session cookie, as at login) whose tenant is that organization; the
    current session ends. 404 for an organization you are not a member of."""
    issued = service.switch_organization(
        session, claims=claims, organization_id=body.organization_id, settings=settings
    )
    return _session_response(issued, body.use_cookie, response, settings)


@router.get("/auth/csrf", dependencies=[ApiBudget])
def csrf_token(claims: SessionClaimsDep, settings: SettingsDep) -> CsrfTokenResponse:
    """The CSRF token of the current cookie session, for a web app that has just reloaded."""
    return CsrfTokenResponse(csrf_token=csrf_token_for(claims.jti, settings))


@router.post("/auth/verify", dependencies=[SignInLimit])
def verify_email(body: VerifyEmailRequest, session: SessionDep) -> UserPublic:
    """Confirm an address with the token from the verification mail (single use)."""
    return service.verify_email(session, token=body.token)


@router.post("/auth/verify/resend", status_code=status.HTTP_202_ACCEPTED, dependencies=[ApiBudget])
def resend_verification(
    claims: SessionClaimsDep, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> dict[str, str]:
    """Send the verification mail again (at most once a minute)."""
    mail = service.resend_verification(session, user_id=claims.user_id, settings=settings)
    _send_after_commit(background, settings, mail)
    return {"detail": "If your address is not verified yet, a new link is on its way."}


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED, dependencies=[SignInLimit])
def request_password_reset(
    body: PasswordResetRequest, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
) -> dict[str, str]:
    """Mail a reset link. The answer is the same whether or not the address has an account."""
    mail = service.request_password_reset(session, email=str(body.email), settings=settings)
    _send_after_commit(background, settings, mail)
    return {"detail": "If an account uses this address, a reset link is on its way."}


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[SignInLimit],
)
def confirm_password_reset(body: PasswordResetConfirm, session: SessionDep, settings: SettingsDep) -> Response:
    """Set a new password with the mailed token; every existing session is signed out."""
    service.reset_password(session, token=body.token, password=body.password)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_session_cookies(response, settings)
    return response


@router.get("/me", dependencies=[ApiBudget])
def me(claims: SessionClaimsDep, session: SessionDep) -> UserPublic:
    user = repository.get(session, claims.user_id)
    return UserPublic.model_validate(user, from_attributes=True)


@router.delete(
    "/auth/me",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[ApiBudget],
    responses={409: {"description": "You are the only owner of an organization that has other members."}},
)
def delete_account(
    claims: SessionClaimsDep, settings: SettingsDep, storage: StorageDep, body: AccountDeletion | None = None
) -> Response:
    """Delete your account and all your data: your personal organization and every
    organization where you are the only member, with their batches, images and stored files.
    Batches you made in an organization shared with others stay with it. Refused (409) while
    you are the only owner of an organization with other members: make one of them an owner
    first. Send your password again to confirm (403 without it). Your tokens stop working at once."""
    password = body.password if body is not None else None
    retention.delete_account(
        claims.user_id, password=password, sessions=get_sessionmaker(), storage=storage, settings=settings
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
