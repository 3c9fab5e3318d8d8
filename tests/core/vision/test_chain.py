"""The provider chain: cache, retries with Retry-After, circuit breaker, limits, fallback.

Providers here are scripted doubles of our own VisionProvider interface (the real SDK
clients are tested against HTTP fakes in test_openai_vision.py / test_google_vision.py,
and end to end in tests/worker/test_vision_chain.py); Redis and PostgreSQL are real.
"""

from __future__ import annotations

import io
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pytest

from core.config import Settings, get_settings
from core.db import get_sessionmaker, tenant_scope
from core.errors import (
    ImageRefused,
    PermanentError,
    ProviderMisconfigured,
    ProviderReplyInvalid,
    ProviderUnavailable,
)
from core.redis import get_redis
from core.vision import chain
from core.vision.base import Analysis, AnalysisContext, Usage
from core.vision.resilience import CircuitState
from tests.support.tenants import new_organization

pytestmark = pytest.mark.usefixtures("services")

Step = Callable[[], Analysis] | BaseException


def _analysis(provider: str, cost: float = 0.0) -> Analysis:
    return Analysis(
        provider=provider,
        width=100,
        height=80,
        orientation="landscape",
        aspect_ratio=1.25,
        subject="red handbag",
        usage=Usage(cost_usd=cost, input_tokens=100, output_tokens=20, requests=1),
    )


class Scripted:
    """A provider that plays back a script of results and errors, then keeps answering."""

    prompt_version = "test-1"

    def __init__(self, name: str, *steps: BaseException | str, remote: bool = True, delay: float = 0.0) -> None:
        self.name = name
        self.remote = remote
        self.steps = list(steps)
        self.calls = 0
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def load(self) -> None:
        pass

    def check(self) -> None:
        pass

    def analyze(self, source: BinaryIO, *, context: AnalysisContext) -> Analysis:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            step = self.steps.pop(0) if self.steps else "ok"
        try:
            if self.delay:
                time.sleep(self.delay)
            if isinstance(step, BaseException):
                raise step
            return _analysis(self.name, cost=0.002)
        finally:
            with self._lock:
                self.in_flight -= 1


def _unavailable(name: str, retry_after: float | None = None) -> ProviderUnavailable:
    return ProviderUnavailable("503 from the provider", provider=name, retry_after=retry_after)


def _guards(**overrides: object) -> chain.Guards:
    base = get_settings().model_dump()
    base.update(
        {
            "provider_retry_attempts": 3,
            "provider_retry_base_seconds": 0.01,
            "provider_retry_max_wait_seconds": 5.0,
            "provider_breaker_failures": 3,
            "provider_breaker_reset_seconds": 60,
        }
    )
    base.update(overrides)
    get_redis().flushdb()  # breaker, limiter and rate windows start empty for each test
    return chain.Guards(settings=Settings(**base), redis=get_redis())


def _context(**overrides: object) -> AnalysisContext:
    values: dict[str, object] = {"keywords": ["summer sale"], "checksum": uuid.uuid4().hex * 2}
    values.update(overrides)
    return AnalysisContext.model_validate(values)


def _organization() -> uuid.UUID:
    """A tenant of its own: the analysis cache is kept per organization."""
    return new_organization("Chain tests")


@pytest.fixture(autouse=True)
def tenant() -> Iterator[uuid.UUID]:
    """Each test works for a tenant of its own, as a task does (the wrapper sets it)."""
    organization = _organization()
    with tenant_scope(organization):
        yield organization


def _run(providers: list[Scripted], guards: chain.Guards, context: AnalysisContext | None = None, **kw: object):  # type: ignore[no-untyped-def]
    sleeps: list[float] = []
    result = chain.analyze(
        io.BytesIO(b"image bytes"),
        context=context or _context(),
        providers=providers,
        guards=guards,
        sessions=get_sessionmaker(),
        sleep=sleeps.append,
    )
    return result, sleeps


def test_first_provider_answers_and_the_same_image_is_never_paid_for_twice() -> None:
    guards = _guards()
    openai = Scripted("openai")
    context = _context()
    first, _ = _run([openai], guards, context)
    assert first.analysis.provider == "openai" and not first.analysis.cached
    again, _ = _run([openai], guards, context)
    assert openai.calls == 1, "the second analysis of the same bytes must come from the cache"
    assert again.analysis.cached and again.analysis.subject == "red handbag"
    # Other keywords mean another prompt: a new call.
    _run([openai], guards, _context(checksum=context.checksum, keywords=["winter"]))
    assert openai.calls == 2


def test_the_cache_is_kept_per_organization() -> None:
    """Another tenant with the same picture is asked about it again: what a provider said about
    one organization's image is that organization's data."""
    guards = _guards()
    openai = Scripted("openai")
    context = _context()
    _run([openai], guards, context)
    with tenant_scope(_organization()):
        other, _ = _run([openai], guards, context)
    assert openai.calls == 2 and not other.analysis.cached
    again, _ = _run([openai], guards, context)
    assert openai.calls == 2 and again.analysis.cached, "the first organization still has its entry"


def test_local_results_are_not_cached() -> None:
    guards = _guards()
    local = Scripted("local", remote=False)
    context = _context()
    _run([local], guards, context)
    _run([local], guards, context)
    assert local.calls == 2


def test_retries_wait_at_least_retry_after_then_succeed() -> None:
    guards = _guards()
    openai = Scripted(
        "openai", _unavailable("openai", retry_after=1.5), ProviderReplyInvalid("junk", provider="openai")
    )
    result, sleeps = _run([openai], guards)
    assert result.analysis.provider == "openai"
    assert openai.calls == 3
    assert len(sleeps) == 2
    assert sleeps[0] >= 1.5, "Retry-After is a floor for the wait"
    assert sleeps[1] <= 5.0


def test_a_retry_after_longer_than_we_wait_moves_on_at_once() -> None:
    guards = _guards()
    openai = Scripted("openai", _unavailable("openai", retry_after=600))
    local = Scripted("local", remote=False)
    result, sleeps = _run([openai, local], guards)
    assert result.analysis.provider == "local"
    assert sleeps == [] and openai.calls == 1


def test_failing_provider_falls_back_and_its_circuit_opens_for_every_worker() -> None:
    guards = _guards()
    failing = [_unavailable("openai") for _ in range(10)]
    openai = Scripted("openai", *failing)
    local = Scripted("local", remote=False)
    result, _ = _run([openai, local], guards)
    assert result.analysis.provider == "local"
    assert openai.calls == 3  # provider_breaker_failures=3 consecutive failures open the circuit
    assert "openai: unavailable" in result.attempts[0]

    # Another worker (fresh Guards, same Redis) sees the open circuit and never calls.
    other = chain.Guards(settings=guards.settings, redis=get_redis())
    assert other.breaker("openai").state() == CircuitState.OPEN
    result, _ = _run([openai, local], other)
    assert openai.calls == 3
    assert result.attempts == ["openai: circuit_open"]


def test_half_open_circuit_lets_one_trial_through_and_closes_on_success() -> None:
    guards = _guards(provider_breaker_reset_seconds=1)
    breaker = guards.breaker("openai")
    breaker.trip(0.05)
    time.sleep(0.1)
    assert breaker.state() == CircuitState.HALF_OPEN
    assert breaker.allow() is True
    assert breaker.allow() is False, "only one trial call while half-open"
    breaker.record_success()
    assert breaker.state() == CircuitState.CLOSED
    breaker.trip(0.05)
    time.sleep(0.1)
    assert breaker.allow()
    assert breaker.record_failure() is True, "a failed trial opens the circuit again"
    assert breaker.state() == CircuitState.OPEN


def test_misconfigured_provider_is_skipped_without_retries() -> None:
    guards = _guards()
    openai = Scripted("openai", ProviderMisconfigured("model cannot read images", provider="openai"))
    local = Scripted("local", remote=False)
    result, sleeps = _run([openai, local], guards)
    assert result.analysis.provider == "local" and sleeps == []
    assert guards.breaker("openai").state() == CircuitState.OPEN


def test_refusal_tries_the_next_provider_and_is_final_when_all_refuse() -> None:
    guards = _guards()
    refusal = ImageRefused("The provider declined to describe this image.", provider="openai")
    result, _ = _run([Scripted("openai", refusal), Scripted("google_vision")], guards)
    assert result.analysis.provider == "google_vision"
    with pytest.raises(ImageRefused):
        _run([Scripted("openai", refusal)], guards)


def test_an_unreadable_image_is_not_passed_down_the_chain() -> None:
    guards = _guards()
    local = Scripted("local", remote=False)
    with pytest.raises(PermanentError):
        _run([Scripted("openai", PermanentError("corrupt", code="undecodable")), local], guards)
    assert local.calls == 0


def test_all_providers_down_is_a_transient_failure_naming_each() -> None:
    guards = _guards(provider_retry_attempts=1)
    with pytest.raises(ProviderUnavailable, match=r"openai: unavailable; google_vision: unavailable"):
        _run([Scripted("openai", _unavailable("openai")), Scripted("google_vision", _unavailable("g"))], guards)


def test_calls_in_flight_are_limited_across_threads() -> None:
    guards = _guards(openai_max_concurrency=2, openai_requests_per_minute=1000)
    openai = Scripted("openai", delay=0.2)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            _run([openai], guards)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert openai.calls == 6
    assert openai.max_in_flight == 2
    assert guards.limiter("openai").in_flight() == 0  # type: ignore[union-attr]


def test_rate_limit_exhausted_moves_images_to_the_next_provider() -> None:
    guards = _guards(openai_requests_per_minute=2, provider_retry_max_wait_seconds=0.1, provider_retry_attempts=1)
    openai = Scripted("openai")
    local = Scripted("local", remote=False)
    providers = [openai, local]
    for _ in range(2):
        assert _run(providers, guards)[0].analysis.provider == "openai"
    result, _ = _run(providers, guards)
    assert result.analysis.provider == "local"
    assert openai.calls == 2
