"""Analysing one image with the configured chain of providers, first choice first.

For each provider in turn: a cached result for the same bytes, provider and prompt is
returned without a call; a provider whose circuit is open is skipped; otherwise the call
runs inside the provider's shared rate and concurrency limits and is retried on
`ProviderUnavailable`/`ProviderReplyInvalid` with backoff (never sooner than Retry-After).
When a provider keeps failing, is misconfigured or refuses the image, the image moves to
the next provider. The local analyzer at the end of a chain makes the fallback total;
without it, an image whose every provider failed raises ProviderUnavailable and the task
retries later (the task's own backoff), so no image is named from junk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import redis
from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.config import Settings
from core.errors import (
    ImageRefused,
    PermanentError,
    ProviderMisconfigured,
    ProviderReplyInvalid,
    ProviderUnavailable,
)
from core.vision import cache
from core.vision.base import Analysis, AnalysisContext, VisionProvider
from core.vision.resilience import CircuitBreaker, Limits, ProviderLimiter, rate_storage, retry_wait

log = logging.getLogger(__name__)
LEASE_SECONDS = 300.0  # an in-flight slot held longer than this belongs to a dead worker
MISCONFIGURED_OPEN_SECONDS = 300.0


def provider_limits(settings: Settings, name: str) -> Limits | None:
    """The operator's limits for a remote provider; None for providers without any."""
    prefix = {"openai": "openai", "openai_compatible": "compatible", "google_vision": "google_vision"}.get(name)
    if prefix is None:
        return None
    return Limits(
        requests_per_minute=int(getattr(settings, f"{prefix}_requests_per_minute")),
        max_concurrency=int(getattr(settings, f"{prefix}_max_concurrency")),
    )


@dataclass
class Guards:
    """Breakers and limiters per provider name, built once per process."""

    settings: Settings
    redis: redis.Redis
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    limiters: dict[str, ProviderLimiter | None] = field(default_factory=dict)

    def breaker(self, name: str) -> CircuitBreaker:
        if name not in self.breakers:
            self.breakers[name] = CircuitBreaker(
                self.redis,
                name,
                failures=self.settings.provider_breaker_failures,
                reset_seconds=self.settings.provider_breaker_reset_seconds,
            )
        return self.breakers[name]

    def limiter(self, name: str) -> ProviderLimiter | None:
        if name not in self.limiters:
            limits = provider_limits(self.settings, name)
            self.limiters[name] = (
                None
                if limits is None
                else ProviderLimiter(
                    self.redis,
                    rate_storage(self.settings.redis_url),
                    name,
                    limits,
                    lease_seconds=LEASE_SECONDS,
                    max_wait_seconds=self.settings.provider_retry_max_wait_seconds * 2,
                )
            )
        return self.limiters[name]


@dataclass(frozen=True)
class ChainResult:
    analysis: Analysis
    attempts: list[str]  # "openai: unavailable (429)", ... for the log and the review


def analyze(
    source: BinaryIO,
    *,
    context: AnalysisContext,
    providers: Sequence[VisionProvider],
    guards: Guards,
    sessions: sessionmaker[Session],
    sleep: Callable[[float], None] = time.sleep,
) -> ChainResult:
    """The first good analysis along `providers`. See the module docstring for the rules.

    Raises PermanentError for an image no provider can read (undecodable), ImageRefused
    when every provider refused it, and ProviderUnavailable when all failed otherwise."""
    if not providers:
        raise ProviderMisconfigured("No vision provider is configured.", provider="none")
    attempts: list[str] = []
    refused: ImageRefused | None = None
    for provider in providers:
        outcome = _with_provider(provider, source, context, guards, sessions, sleep, attempts)
        if isinstance(outcome, Analysis):
            return ChainResult(outcome, attempts)
        if isinstance(outcome, ImageRefused):
            refused = outcome
        metrics.PROVIDER_FALLBACKS.labels(provider=provider.name, reason=attempts[-1].split(": ", 1)[-1]).inc()
    if refused is not None:
        raise refused
    raise ProviderUnavailable(
        "No vision provider could analyse the image right now (" + "; ".join(attempts) + ").",
        provider=",".join(p.name for p in providers),
        code="providers_unavailable",
    )


def _with_provider(
    provider: VisionProvider,
    source: BinaryIO,
    context: AnalysisContext,
    guards: Guards,
    sessions: sessionmaker[Session],
    sleep: Callable[[float], None],
    attempts: list[str],
) -> Analysis | ImageRefused | None:
    """An analysis, or ImageRefused, or None after recording why the provider was passed over."""
    name = provider.name
    key = cache.prompt_key(provider.prompt_version, context) if provider.remote and context.checksum else None
    if key is not None and context.checksum:
        cached = cache.get(sessions, context.checksum, name, key)
        if cached is not None:
            metrics.PROVIDER_CACHE_HITS.labels(provider=name).inc()
            metrics.PROVIDER_CALLS.labels(provider=name, outcome="cached").inc()
            return cached.model_copy(update={"cached": True})

    breaker = guards.breaker(name) if provider.remote else None
    settings = guards.settings
    for attempt in range(max(1, settings.provider_retry_attempts)):
        if breaker is not None and not breaker.allow():
            metrics.PROVIDER_CALLS.labels(provider=name, outcome="circuit_open").inc()
            attempts.append(f"{name}: circuit_open")
            return None
        source.seek(0)
        try:
            analysis = _call(provider, source, context, guards)
        except (ProviderUnavailable, ProviderReplyInvalid) as exc:
            outcome = "unavailable" if isinstance(exc, ProviderUnavailable) else "invalid_reply"
            metrics.PROVIDER_CALLS.labels(provider=name, outcome=outcome).inc()
            log.warning("provider failed", extra={"provider": name, "outcome": outcome, "detail": exc.detail})
            if breaker is not None and breaker.record_failure():
                metrics.PROVIDER_CIRCUIT_OPENED.labels(provider=name).inc()
            wait = retry_wait(
                attempt,
                base=settings.provider_retry_base_seconds,
                cap=settings.provider_retry_max_wait_seconds,
                retry_after=exc.retry_after,
            )
            last = attempt + 1 >= settings.provider_retry_attempts
            # A Retry-After longer than we are willing to wait: the next provider, now.
            too_long = exc.retry_after is not None and exc.retry_after > settings.provider_retry_max_wait_seconds
            if last or too_long:
                attempts.append(f"{name}: {outcome}")
                return None
            metrics.PROVIDER_RETRIES.labels(provider=name).inc()
            sleep(wait)
            continue
        except ProviderMisconfigured as exc:
            metrics.PROVIDER_CALLS.labels(provider=name, outcome="misconfigured").inc()
            log.error("provider misconfigured", extra={"provider": name, "detail": exc.detail})
            if breaker is not None:
                breaker.trip(MISCONFIGURED_OPEN_SECONDS)  # every image would fail the same way
                metrics.PROVIDER_CIRCUIT_OPENED.labels(provider=name).inc()
            attempts.append(f"{name}: misconfigured")
            return None
        except ImageRefused as exc:
            metrics.PROVIDER_CALLS.labels(provider=name, outcome="refused").inc()
            if breaker is not None:
                breaker.record_success()  # the provider works; it declined this picture
            attempts.append(f"{name}: refused")
            return exc
        except PermanentError:
            metrics.PROVIDER_CALLS.labels(provider=name, outcome="undecodable").inc()
            raise  # the image itself cannot be read: no provider will do better
        if breaker is not None:
            breaker.record_success()
        metrics.PROVIDER_CALLS.labels(provider=name, outcome="ok").inc()
        _record_usage(name, analysis)
        if key is not None and context.checksum:
            cache.put(sessions, context.checksum, name, key, analysis)
        return analysis
    attempts.append(f"{name}: unavailable")
    return None


def _call(provider: VisionProvider, source: BinaryIO, context: AnalysisContext, guards: Guards) -> Analysis:
    limiter = guards.limiter(provider.name) if provider.remote else None
    if limiter is None:
        started = time.perf_counter()
        analysis = provider.analyze(source, context=context)
        metrics.PROVIDER_LATENCY.labels(provider=provider.name).observe(time.perf_counter() - started)
        return analysis
    with limiter.slot() as waited:
        metrics.PROVIDER_LIMIT_WAIT.labels(provider=provider.name).observe(waited)
        started = time.perf_counter()
        try:
            return provider.analyze(source, context=context)
        finally:
            metrics.PROVIDER_LATENCY.labels(provider=provider.name).observe(time.perf_counter() - started)


def _record_usage(name: str, analysis: Analysis) -> None:
    usage = analysis.usage
    if usage is None:
        return
    if usage.cost_usd:
        metrics.PROVIDER_COST.labels(provider=name).inc(usage.cost_usd)
    if usage.input_tokens:
        metrics.PROVIDER_TOKENS.labels(provider=name, kind="input").inc(usage.input_tokens)
    if usage.output_tokens:
        metrics.PROVIDER_TOKENS.labels(provider=name, kind="output").inc(usage.output_tokens)
    if usage.units:
        metrics.PROVIDER_UNITS.labels(provider=name).inc(usage.units)
