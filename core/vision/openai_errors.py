"""How the OpenAI SDK's errors become ours: which ones the chain may retry (and after how
long), which mean the configuration cannot work for any image, and which refuse one image.
Shared by the OpenAI and OpenAI-compatible providers (core.vision.openai_vision)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import openai

from core.errors import ImageRefused, ProviderError, ProviderMisconfigured, ProviderReplyInvalid, ProviderUnavailable

# What OpenAI and compatible servers answer (HTTP 400) when the model cannot take an image:
# "image input is not supported" (llama.cpp), "does not support images" (Ollama, LM Studio),
# "is not a multimodal model" (vLLM), "image_url is only supported by certain models" (OpenAI).
_NO_VISION = re.compile(
    r"image input|images? (?:input )?(?:is |are )?not supported|(?:not|n't) support(?:s)? (?:image|vision)"
    r"|image_url is only supported|multimodal|multi-modal|vision|mmproj",
    re.IGNORECASE,
)
_CONTENT_POLICY_CODES = frozenset({"content_policy_violation", "content_filter", "moderation_blocked"})


@dataclass(frozen=True)
class ErrorContext:
    """What the messages name: the provider, its server and model, and the settings to fix."""

    provider: str
    where: str  # "model 'x' at https://..."
    base_url: str
    timeout: float
    key_setting: str
    model_setting: str
    vision_models_hint: str


def retry_after_seconds(headers: Any) -> float | None:
    """`retry-after-ms` (OpenAI's own), else `retry-after` in seconds or as an HTTP date."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def translate_error(
    exc: openai.APIError, context: ErrorContext
) -> ProviderError | ProviderMisconfigured | ImageRefused:
    where = context.where
    if isinstance(exc, openai.APITimeoutError):
        return ProviderUnavailable(
            f"{context.provider}: {where} did not answer within {context.timeout:g} s.",
            provider=context.provider,
            code="timeout",
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderUnavailable(
            f"{context.provider}: cannot reach the server at {context.base_url} ({exc.__cause__ or exc}); "
            "check that it is running and that the base URL is right.",
            provider=context.provider,
            code="connection_failed",
        )
    if not isinstance(exc, openai.APIStatusError):  # e.g. a 200 whose body is not the API's shape
        return ProviderReplyInvalid(
            f"{context.provider}: unexpected reply from {where}: {exc}", provider=context.provider
        )
    message = exc.message
    if isinstance(exc, openai.RateLimitError):
        if exc.code == "insufficient_quota":  # retrying cannot help until someone pays
            return ProviderMisconfigured(
                f"{context.provider}: the account behind the API key has no quota left at {context.base_url}; "
                "check the plan and billing details.",
                provider=context.provider,
            )
        return ProviderUnavailable(
            f"{context.provider}: rate limited by {context.base_url} (HTTP 429).",
            provider=context.provider,
            retry_after=retry_after_seconds(exc.response.headers),
            code="rate_limited",
        )
    if exc.status_code >= 500 or exc.status_code in (408, 409):
        return ProviderUnavailable(
            f"{context.provider}: {context.base_url} answered HTTP {exc.status_code}: {message}",
            provider=context.provider,
            retry_after=retry_after_seconds(exc.response.headers),
            code="server_error",
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return ProviderMisconfigured(
            f"{context.provider}: {context.base_url} refused access to {where} (HTTP 403): {message}; "
            f"check the permissions of the key in {context.key_setting}.",
            provider=context.provider,
        )
    if isinstance(exc, openai.AuthenticationError):
        return ProviderMisconfigured(
            f"{context.provider}: {context.base_url} rejected the API key for {where} (HTTP {exc.status_code}); "
            f"check {context.key_setting}.",
            provider=context.provider,
        )
    if isinstance(exc, openai.NotFoundError):
        return ProviderMisconfigured(
            f"{context.provider}: {where} was not found (HTTP 404); check {context.model_setting} "
            "against the models this server offers, and the base URL.",
            provider=context.provider,
        )
    if exc.code in _CONTENT_POLICY_CODES:
        return ImageRefused(f"{context.provider} refused the image: {message}", provider=context.provider)
    if exc.status_code == 400 and _NO_VISION.search(message):
        return ProviderMisconfigured(
            f"{context.provider}: {where} cannot read images; choose a vision model such as "
            f"{context.vision_models_hint} ({context.model_setting}).",
            provider=context.provider,
        )
    return ProviderMisconfigured(
        f"{context.provider}: {where} refused the request (HTTP {exc.status_code}): {message}",
        provider=context.provider,
    )
