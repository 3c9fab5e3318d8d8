"""Request rate limits, shared by every API process through Redis.

Four budgets, each a sliding window counted in Redis so that every API process and host
sees the same numbers:

- sign-in and sign-up attempts per client address (password guessing, account farming);
- every authenticated call per caller, and upload requests per caller (one caller must
  not starve the others).

A caller is whoever the `Principal` says is acting: `user:<id>` today; an API-key principal
(a later issue) provides `key:<id>` through a `caller_id` attribute and gets its own budget
without a change here. Keys live under `renamer:ratelimit:` and hold no email address.

The counting is the `limits` library's sliding window counter on its Redis storage (as the
provider limits in core.vision.resilience): O(1) memory per key, where a moving window
would keep one entry per request (up to the whole per-minute budget for every active
caller). It is approximate only in letting a request or so more through just after a
window turns over, which no budget here needs to be exact about.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

import redis
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from core.accounts.schemas import Principal
from core.config import Settings
from core.errors import RateLimited
from core.metrics import RATE_LIMITED

log = logging.getLogger(__name__)

KEY_PREFIX = "renamer:ratelimit"
# After Redis fails, a process stops asking it for this long: otherwise every request would
# pay a connection timeout (twice for an upload) while Redis is down.
SKIP_AFTER_FAILURE_SECONDS = 10.0
# Short, because the limiter sits in front of every request: a slow Redis must not make the
# whole API slow. Reaching the timeout counts as Redis being down (the request goes through).
REDIS_TIMEOUT_SECONDS = 0.5


class Scope(StrEnum):
    SIGNIN = "signin"
    SIGNUP = "signup"
    API = "api"
    UPLOAD = "upload"


@dataclass(frozen=True)
class Rule:
    scope: Scope
    item: RateLimitItem
    refusal: str  # a sentence with {wait}: what happened and when to try again


def rule_for(scope: Scope, settings: Settings) -> Rule | None:
    """The budget for `scope` under the current settings; None when it is turned off (0)."""
    if scope is Scope.SIGNIN:
        amount = settings.signin_per_ip_per_minute
        return _rule(scope, RateLimitItemPerMinute(amount), "Too many sign-in attempts from your address")
    if scope is Scope.SIGNUP:
        amount = settings.signup_per_ip_per_hour
        return _rule(scope, RateLimitItemPerHour(amount), "Too many sign-ups from your address")
    if scope is Scope.API:
        amount = settings.api_per_caller_per_minute
        return _rule(scope, RateLimitItemPerMinute(amount), f"Too many requests (the limit is {amount} a minute)")
    amount = settings.uploads_per_caller_per_minute
    return _rule(
        scope,
        RateLimitItemPerMinute(amount),
        f"Too many upload requests (the limit is {amount} a minute)",
        advice=" Send several files in one request to upload faster.",
    )


def _rule(scope: Scope, item: RateLimitItem, what: str, *, advice: str = "") -> Rule | None:
    if item.amount <= 0:
        return None
    return Rule(scope=scope, item=item, refusal=f"{what}; try again in {{wait}}.{advice}")


def caller_id(principal: Principal) -> str:
    """The per-caller budget's subject. A principal that names itself (an API key: `key:<id>`)
    is used as it is; a signed-in user is `user:<id>`."""
    provided = getattr(principal, "caller_id", None)
    return provided if isinstance(provided, str) and provided else f"user:{principal.user_id}"


def address_subject(address: str) -> str:
    """The per-address budget's subject for a client address.

    IPv6 addresses count per /64: one subscriber usually holds a whole /64, so counting
    single addresses would give them 2**64 fresh budgets. An IPv4 address mapped into IPv6
    counts as the IPv4 address. Anything that is not an address (a test client, a unix
    socket) counts as itself."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return f"ip:{address.strip()[:100]}"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"ip:{parsed.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((parsed, 64), strict=False)}"
    return f"ip:{parsed}"


def describe_wait(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


class RequestLimiter:
    """Counts requests against the budgets; raises RateLimited when one is spent.

    Redis unreachable or failing: the request goes through (fail open) and a warning is
    logged. We choose availability over abuse protection here: an outage of Redis must not
    lock every user out of sign-in and uploads, and what the limits guard is still guarded
    elsewhere (passwords are slow to check, every upload is still scanned and held to the
    per-file, per-request and per-batch limits)."""

    def __init__(self, storage: RedisStorage) -> None:
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._skip_until = 0.0

    def hit(self, scope: Scope, subject: str, settings: Settings) -> None:
        if not settings.rate_limit_enabled:
            return
        rule = rule_for(scope, settings)
        if rule is None or time.monotonic() < self._skip_until:
            return
        try:
            if self._limiter.hit(rule.item, scope.value, subject):
                return
            reset_at = self._limiter.get_window_stats(rule.item, scope.value, subject).reset_time
        except (StorageError, redis.RedisError) as exc:
            self._skip_until = time.monotonic() + SKIP_AFTER_FAILURE_SECONDS
            log.warning(
                "rate limits not applied for %.0f s: Redis failed (%s); requests go through unlimited",
                SKIP_AFTER_FAILURE_SECONDS,
                exc,
            )
            return
        retry_after = max(1, math.ceil(reset_at - time.time()))
        RATE_LIMITED.labels(scope=scope.value).inc()
        raise RateLimited(rule.refusal.format(wait=describe_wait(retry_after)), retry_after=retry_after)


_limiters: dict[str, RequestLimiter] = {}
_limiters_lock = threading.Lock()


def get_limiter(redis_url: str) -> RequestLimiter:
    """One limiter (and Redis connection pool) per Redis URL and process."""
    with _limiters_lock:
        limiter = _limiters.get(redis_url)
        if limiter is None:
            storage = RedisStorage(
                redis_url,
                key_prefix=KEY_PREFIX,
                wrap_exceptions=True,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            limiter = _limiters[redis_url] = RequestLimiter(storage)
        return limiter
