"""Provider state shared through Redis, for tests that start from a known one."""

from __future__ import annotations

from core.redis import get_redis
from core.vision.resilience import CircuitBreaker


def close_circuit(provider: str = "openai") -> None:
    """Another test may have left the provider's circuit open (its state lives in Redis)."""
    CircuitBreaker(get_redis(), provider, failures=1, reset_seconds=1).record_success()
