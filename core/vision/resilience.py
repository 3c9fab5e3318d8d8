"""Guards around remote provider calls, shared by every worker through Redis.

- `CircuitBreaker`: after N consecutive failures a provider is skipped for a while, so a
  failing provider costs one quick check instead of a timeout per image; then one trial
  call decides whether it closes again.
- `ProviderLimiter`: requests per minute (the provider's quota) and calls in flight (what
  the account or a self-hosted server can take), across every worker process and host.
- `retry_wait`: exponential backoff with full jitter that never waits less than the
  provider's Retry-After.

The breaker is written here rather than taken from pybreaker: pybreaker holds one
process-wide lock for the whole duration of each guarded call, which would serialise
the dozens of calls a thread-pool worker keeps in flight. The state lives in three
Redis keys per provider, so every worker sees the same circuit. The rate limit uses the
`limits` library (moving window on Redis); the in-flight limit is a Redis sorted-set
semaphore (a small Lua script), because `limits` counts events, not concurrent holders.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from core.errors import ProviderUnavailable

KEY_PREFIX = "renamer:provider"


def retry_wait(attempt: int, *, base: float, cap: float, retry_after: float | None) -> float:
    """Seconds to wait before try number `attempt + 1` (attempt counts from 0)."""
    jitter = random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311  (jitter, not security)
    return min(cap, max(retry_after or 0.0, jitter))


class CircuitState:
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Consecutive-failure breaker with its state in Redis (see the module docstring)."""

    def __init__(self, client: redis.Redis, provider: str, *, failures: int, reset_seconds: float) -> None:
        self.client = client
        self.provider = provider
        self.failures = failures
        self.reset_seconds = reset_seconds
        self._failures_key = f"{KEY_PREFIX}:{provider}:failures"
        self._open_until_key = f"{KEY_PREFIX}:{provider}:open_until"
        self._trial_key = f"{KEY_PREFIX}:{provider}:trial"

    def state(self) -> str:
        open_until = self.client.get(self._open_until_key)
        if open_until is None:
            return CircuitState.CLOSED
        return CircuitState.OPEN if time.time() < float(open_until) else CircuitState.HALF_OPEN

    def allow(self) -> bool:
        """True when a call may go ahead: closed, or the one trial call of a half-open circuit."""
        state = self.state()
        if state == CircuitState.CLOSED:
            return True
        if state == CircuitState.OPEN:
            return False
        # Half-open: exactly one caller across all workers gets the trial; it expires in
        # case that caller dies, so the circuit can never stay stuck half-open.
        ttl = max(1, int(self.reset_seconds))
        return bool(self.client.set(self._trial_key, "1", nx=True, ex=ttl))

    def record_success(self) -> None:
        self.client.delete(self._failures_key, self._open_until_key, self._trial_key)

    def record_failure(self) -> bool:
        """Count a failure; True when this failure opened the circuit."""
        half_open = self.state() == CircuitState.HALF_OPEN
        count = int(self.client.incr(self._failures_key))
        if half_open or count >= self.failures:
            self.trip()
            return True
        return False

    def trip(self, seconds: float | None = None) -> None:
        """Open the circuit now (also used for a misconfigured provider)."""
        until = time.time() + (self.reset_seconds if seconds is None else seconds)
        pipe = self.client.pipeline()
        pipe.set(self._open_until_key, repr(until))
        pipe.delete(self._trial_key, self._failures_key)
        pipe.execute()


# KEYS[1] = semaphore zset; ARGV = now, stale_before, limit, token. Drops holders whose
# lease ran out (a worker that died mid-call), then takes a slot if one is free.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Limits:
    requests_per_minute: int
    max_concurrency: int


class ProviderLimiter:
    """Rate and in-flight limits for one provider, shared by every worker via Redis."""

    POLL_SECONDS = 0.05

    def __init__(
        self,
        client: redis.Redis,
        rate_storage: RedisStorage,
        provider: str,
        limits: Limits,
        *,
        lease_seconds: float,
        max_wait_seconds: float,
    ) -> None:
        self.client = client
        self.provider = provider
        self.limits = limits
        self.lease_seconds = lease_seconds
        self.max_wait_seconds = max_wait_seconds
        self._rate = MovingWindowRateLimiter(rate_storage)
        self._item = RateLimitItemPerMinute(limits.requests_per_minute)
        self._semaphore_key = f"{KEY_PREFIX}:{provider}:in_flight"
        self._acquire = client.register_script(_ACQUIRE)

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Hold one call slot; yields the seconds spent waiting for it.

        Raises ProviderUnavailable when no slot frees up within max_wait_seconds, so the
        chain can move the image to the next provider instead of queueing forever."""
        started = time.monotonic()
        token = uuid.uuid4().hex
        deadline = started + self.max_wait_seconds
        while True:
            now = time.time()
            if self._acquire(keys=[self._semaphore_key], args=[now, now - self.lease_seconds, self._max(), token]):
                break
            self._wait(deadline, "calls in flight")
        try:
            while not self._rate.hit(self._item, self.provider):
                self._wait(deadline, "requests per minute")
            yield time.monotonic() - started
        finally:
            self.client.zrem(self._semaphore_key, token)

    def in_flight(self) -> int:
        return int(self.client.zcard(self._semaphore_key))

    def _max(self) -> int:
        return max(1, self.limits.max_concurrency)

    def _wait(self, deadline: float, what: str) -> None:
        if time.monotonic() >= deadline:
            raise ProviderUnavailable(
                f"{self.provider}: no capacity within {self.max_wait_seconds:.0f} s ({what} limit reached).",
                provider=self.provider,
                code="provider_saturated",
            )
        time.sleep(self.POLL_SECONDS * (1 + random.random()))  # noqa: S311


_rate_storages: dict[str, RedisStorage] = {}
_rate_lock = threading.Lock()


def rate_storage(redis_url: str) -> RedisStorage:
    """One `limits` storage (and its connection pool) per Redis URL and process."""
    with _rate_lock:
        storage = _rate_storages.get(redis_url)
        if storage is None:
            storage = RedisStorage(redis_url, key_prefix="renamer-limits")
            _rate_storages[redis_url] = storage
        return storage
