"""Browser sessions: the attributes of the session and CSRF cookies, decided once from settings.

The access token rides in an HttpOnly cookie that scripts cannot read. Requests authenticated
by that cookie that change state must also carry the session's CSRF token in the X-CSRF-Token
header (see security.csrf_token_for): a page on another site can make the browser send the
cookie, but cannot read the token to put in a header. Bearer requests need no CSRF token,
because browsers never attach an Authorization header on their own. SameSite=Lax is a second
layer: it already keeps the cookie off cross-site POSTs in current browsers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.config import Settings

CSRF_HEADER = "X-CSRF-Token"
# Methods that must not change state; everything else needs the CSRF header with a cookie.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class CookiePolicy:
    session_name: str
    csrf_name: str
    secure: bool
    domain: str | None
    samesite: Literal["lax"] = "lax"
    path: str = "/"

    @classmethod
    def from_settings(cls, settings: Settings) -> CookiePolicy:
        return cls(
            session_name=settings.session_cookie_name,
            csrf_name=settings.csrf_cookie_name,
            secure=settings.effective_session_cookie_secure,
            domain=settings.session_cookie_domain,
        )
