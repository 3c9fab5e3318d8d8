"""Sign-up, log-in, sessions (tokens, logout), email verification and password reset.
Services never commit; mail is returned to the caller, which sends it after the commit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts import repository
from core.accounts.mail import OutgoingMail
from core.accounts.models import AccountToken, AccountTokenPurpose, User
from core.accounts.oidc import Identity
from core.accounts.schemas import IssuedSession, LoginRequest, Principal, SignupRequest, UserPublic
from core.accounts.security import (
    AccessClaims,
    create_access_token,
    decode_access_token,
    email_hash,
    hash_password,
    mail_token_hash,
    new_mail_token,
    new_token_id,
    verify_password,
)
from core.config import Settings
from core.errors import BadRequest, Conflict, Forbidden, Unauthorized
from core.models import utcnow
from core.organizations import service as organizations

# One mail of a kind per account per minute: a form submitted twice, or someone filling in
# another person's address in a loop, must not flood their inbox.
MAIL_INTERVAL = timedelta(seconds=60)


def issue_session(
    session: Session, user: User, settings: Settings, *, organization_id: uuid.UUID | None = None
) -> IssuedSession:
    """A new access token, working in `organization_id` (the caller checked the membership)
    or else in the person's default organization (claim `org`)."""
    if organization_id is None:
        organization_id = organizations.session_organization(session, user.id)
    jti = new_token_id()
    token, ttl = create_access_token(
        user.id, settings, version=user.token_version, jti=jti, organization_id=organization_id
    )
    return IssuedSession(
        access_token=token,
        jti=jti,
        expires_in=ttl,
        user=UserPublic.model_validate(user, from_attributes=True),
        organization_id=organization_id,
    )


def sign_up(session: Session, *, request: SignupRequest, settings: Settings) -> tuple[IssuedSession, OutgoingMail]:
    """The new account's session and the verification mail to send once committed."""
    email = str(request.email).strip().lower()
    digest = email_hash(email)
    if repository.get_by_email_hash(session, digest) is not None:
        raise Conflict("An account with this email already exists; log in instead.", code="email_taken")
    user = User(
        email=email,
        email_hash=digest,
        display_name=request.display_name.strip() or email.split("@", 1)[0],
        password_hash=hash_password(request.password),
    )
    try:
        with session.begin_nested():
            repository.add(session, user)
    except IntegrityError as exc:  # a concurrent sign-up with the same address
        raise Conflict("An account with this email already exists; log in instead.", code="email_taken") from exc
    personal = organizations.create_personal(session, user)
    issued = issue_session(session, user, settings, organization_id=personal.id)
    return issued, _verification_mail(session, user, email, settings)


def log_in(session: Session, *, request: LoginRequest, settings: Settings) -> IssuedSession:
    user = repository.get_by_email_hash(session, email_hash(str(request.email)))
    if not verify_password(request.password, user.password_hash if user else None) or user is None:
        raise Unauthorized("Email or password is not right.", code="invalid_credentials")
    return issue_session(session, user, settings)


def resolve_session(session: Session, *, token: str, settings: Settings) -> AccessClaims:
    """The claims of a token that is still good: signed, unexpired, not logged out, and not
    older than the account's last password reset."""
    claims = decode_access_token(token, settings)
    user = repository.get(session, claims.user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    if claims.version != user.token_version or repository.is_revoked(session, claims.jti):
        raise Unauthorized("You have been signed out; log in again.", code="token_revoked")
    return claims


def resolve_principal(session: Session, *, token: str, settings: Settings) -> Principal:
    """The caller of an access token in the organization its `org` claim names (membership
    checked now); sets the session's tenant."""
    claims = resolve_session(session, token=token, settings=settings)
    return organizations.principal_for(session, user_id=claims.user_id, organization_id=claims.organization_id)


def switch_organization(
    session: Session, *, claims: AccessClaims, organization_id: uuid.UUID, settings: Settings
) -> IssuedSession:
    """A new session in another organization the person belongs to; the current one ends
    (logged out), as a fresh login would replace it."""
    organizations.switch(session, user_id=claims.user_id, organization_id=organization_id)
    user = repository.get(session, claims.user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    issued = issue_session(session, user, settings, organization_id=organization_id)
    log_out(session, claims=claims)
    return issued


def log_out(session: Session, *, claims: AccessClaims) -> None:
    """End this one session (other devices stay signed in)."""
    repository.revoke(session, jti=claims.jti, user_id=claims.user_id, expires_at=claims.expires_at, now=utcnow())


def _link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.frontend_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def _sent_recently(session: Session, user: User, purpose: AccountTokenPurpose) -> bool:
    recent = repository.latest_unused_token(session, user.id, purpose)
    return recent is not None and recent.created_at > utcnow() - MAIL_INTERVAL


def _mail_token(session: Session, user: User, purpose: AccountTokenPurpose, ttl: timedelta) -> str:
    """A new single-use token; only its hash is stored."""
    now = utcnow()
    token, digest = new_mail_token()
    repository.add_token(
        session, AccountToken(user_id=user.id, purpose=purpose, token_hash=digest, expires_at=now + ttl, created_at=now)
    )
    return token


def _verification_mail(session: Session, user: User, email: str, settings: Settings) -> OutgoingMail:
    ttl = timedelta(hours=settings.email_verification_ttl_hours)
    token = _mail_token(session, user, AccountTokenPurpose.VERIFY_EMAIL, ttl)
    return OutgoingMail(
        to=email,
        subject="Confirm your email for Image Renamer",
        body=(
            f"Hello {user.display_name},\n\nConfirm this address by opening the link below (valid for "
            f"{settings.email_verification_ttl_hours} hours):\n\n{_link(settings, '/verify-email', token)}\n\n"
            "If you did not sign up, ignore this mail."
        ),
    )


def resend_verification(session: Session, *, user_id: uuid.UUID, settings: Settings) -> OutgoingMail | None:
    """None when there is nothing to send yet (a mail went out less than a minute ago)."""
    user = repository.get_for_update(session, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    if user.email is None:
        raise Conflict("This account signs in through its provider and has no address to verify.", code="no_email")
    if user.email_verified_at is not None:
        raise Conflict("Your email is already verified.", code="already_verified")
    if _sent_recently(session, user, AccountTokenPurpose.VERIFY_EMAIL):
        return None
    return _verification_mail(session, user, user.email, settings)


def _use_token(session: Session, token: str, purpose: AccountTokenPurpose, what: str) -> User:
    row = repository.token_for_update(session, mail_token_hash(token), purpose)
    now = utcnow()
    if row is None or row.used_at is not None:
        raise BadRequest(f"This {what} link is not valid or was already used; ask for a new one.", code="token_invalid")
    if row.expires_at <= now:
        raise BadRequest(f"This {what} link has expired; ask for a new one.", code="token_expired")
    user = repository.get_for_update(session, row.user_id)
    if user is None:  # the cascade removes tokens with the user; kept for type narrowing
        raise BadRequest(f"This {what} link is not valid; ask for a new one.", code="token_invalid")
    # Using one link spends every other outstanding link of the same kind.
    repository.use_all_tokens(session, user.id, purpose, now)
    return user


def verify_email(session: Session, *, token: str) -> UserPublic:
    user = _use_token(session, token, AccountTokenPurpose.VERIFY_EMAIL, "verification")
    user.email_verified_at = user.email_verified_at or utcnow()
    session.flush()
    return UserPublic.model_validate(user, from_attributes=True)


def request_password_reset(session: Session, *, email: str, settings: Settings) -> OutgoingMail | None:
    """The reset mail, or None (unknown address, an account without a stored address, or a
    mail sent within the last minute). The caller answers the same either way."""
    user = repository.get_by_email_hash(session, email_hash(email))
    if user is None or user.email is None:
        return None
    user = repository.get_for_update(session, user.id)  # serialises two requests racing the throttle
    if user is None or user.email is None:
        return None
    if _sent_recently(session, user, AccountTokenPurpose.RESET_PASSWORD):
        return None
    token = _mail_token(
        session, user, AccountTokenPurpose.RESET_PASSWORD, timedelta(minutes=settings.password_reset_ttl_minutes)
    )
    return OutgoingMail(
        to=user.email,
        subject="Reset your Image Renamer password",
        body=(
            f"Hello {user.display_name},\n\nSomeone asked to reset the password of this account. Choose a new one "
            f"here (valid for {settings.password_reset_ttl_minutes} minutes):\n\n"
            f"{_link(settings, '/reset-password', token)}\n\n"
            "If it was not you, ignore this mail; your password stays as it is."
        ),
    )


def reset_password(session: Session, *, token: str, password: str) -> None:
    """Set the new password and sign out every session; the mailbox is proven, so the
    address counts as verified too."""
    user = _use_token(session, token, AccountTokenPurpose.RESET_PASSWORD, "password reset")
    user.password_hash = hash_password(password)
    user.token_version += 1
    user.email_verified_at = user.email_verified_at or utcnow()
    session.flush()


def confirm_deletion(session: Session, user_id: uuid.UUID, *, password: str | None) -> User:
    """The account, once the person has confirmed with their password (403 otherwise)."""
    user = repository.get(session, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    if user.password_hash is None:
        # An identity-provider account would confirm with a fresh sign-in; tokens do not say when
        # they were issued yet, so such an account cannot be deleted here until they do.
        raise Forbidden(
            "This account signs in through an identity provider and has no password to confirm with; deleting it "
            "here is not available yet, so contact support to have it deleted.",
            code="confirmation_unavailable",
        )
    if not password:
        raise Forbidden(
            "Deleting your account removes every batch and file for good; enter your password to confirm.",
            code="password_required",
        )
    if not verify_password(password, user.password_hash):
        raise Forbidden("That password is not right; your account was not deleted.", code="wrong_password")
    return user


def delete(session: Session, user_id: uuid.UUID) -> None:
    """Delete the user: their memberships go with them; batches and images they made stay
    with their organizations (owner_id becomes NULL). Their tokens stop working because
    resolve_session no longer finds them. The caller deletes the organizations that go with
    the account first (core.retention.service.delete_account)."""
    # Locked first, so that a second deletion racing this one waits and then finds nobody (401).
    user = repository.get_for_update(session, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="invalid_token")
    session.delete(user)
    session.flush()


def sign_in_with_oidc(session: Session, *, identity: Identity, settings: Settings) -> IssuedSession:
    """The account for this provider identity, created on first sign-in.

    Stored: the provider's subject id, the display name and the SHA-256 of the email, never
    the address itself. An email account with the same address is linked only when the
    provider vouches for the address (email_verified), so nobody takes over an account by
    registering someone else's address at a provider."""
    user = repository.get_by_oidc_identity(session, identity.issuer, identity.subject)
    if user is None:
        # Without an email claim the identity itself stands in for the hash (unique, never mailed).
        digest = email_hash(identity.email) if identity.email else email_hash(f"{identity.issuer}#{identity.subject}")
        user = repository.get_by_email_hash(session, digest)
        if user is not None and (user.oidc_subject is not None or not identity.email_verified):
            raise Conflict(
                "An account with this email already exists; log in with your email and password instead.",
                code="email_taken",
            )
        if user is None:
            user = User(
                email_hash=digest,
                display_name=(identity.name or "").strip()[:200] or "New user",
                oidc_issuer=identity.issuer,
                oidc_subject=identity.subject,
                email_verified_at=utcnow() if identity.email_verified else None,
            )
            try:
                with session.begin_nested():
                    repository.add(session, user)
            except IntegrityError as exc:  # the same person finishing two sign-ins at once
                raise Conflict("This sign-in is already being completed; try again.", code="oidc_race") from exc
            organizations.create_personal(session, user)
        else:
            user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
            user.email_verified_at = user.email_verified_at or utcnow()
    return issue_session(session, user, settings)
