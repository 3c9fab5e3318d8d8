"""Rate-limit dependencies: attach them to routes; the budgets live in core.ratelimits."""

from __future__ import annotations

import ipaddress

from fastapi import Depends, Request

from api.deps import CallerDep, SettingsDep
from core.ratelimits import Scope, address_subject, get_limiter


def client_address(request: Request, trusted_proxy_hops: int) -> str:
    """The address the request came from.

    Without trusted proxies it is the connection's peer. Behind `trusted_proxy_hops` proxies
    that each append the address they saw to X-Forwarded-For, the client is the entry that
    many places from the right: entries further left were written by the client and prove
    nothing (the same rule as Werkzeug's ProxyFix, which we do not depend on for one line).
    A header shorter than that, or an entry that is not an address, did not come through the
    expected proxies, so the peer is used."""
    peer = request.client.host if request.client else "unknown"
    if trusted_proxy_hops <= 0:
        return peer
    forwarded = [entry.strip() for header in request.headers.getlist("x-forwarded-for") for entry in header.split(",")]
    if len(forwarded) < trusted_proxy_hops:
        return peer
    candidate = forwarded[-trusted_proxy_hops]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return peer
    return candidate


def limit_signin(request: Request, settings: SettingsDep) -> None:
    address = client_address(request, settings.trusted_proxy_hops)
    get_limiter(settings.redis_url).hit(Scope.SIGNIN, address_subject(address), settings)


def limit_signup(request: Request, settings: SettingsDep) -> None:
    address = client_address(request, settings.trusted_proxy_hops)
    get_limiter(settings.redis_url).hit(Scope.SIGNUP, address_subject(address), settings)


def limit_api(caller: CallerDep, settings: SettingsDep) -> None:
    # Per person, or per API key: each key has a budget of its own.
    get_limiter(settings.redis_url).hit(Scope.API, caller.caller_id, settings)


def limit_uploads(caller: CallerDep, settings: SettingsDep) -> None:
    get_limiter(settings.redis_url).hit(Scope.UPLOAD, caller.caller_id, settings)


# For `dependencies=[...]` on a route or router. They run before a password is checked or
# an upload's body is read, so a refused request costs one Redis round trip.
SignInLimit = Depends(limit_signin)
SignUpLimit = Depends(limit_signup)
ApiBudget = Depends(limit_api)
UploadLimit = Depends(limit_uploads)
