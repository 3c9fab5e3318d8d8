"""Vision through OpenAI, or any server that speaks its API (Ollama, vLLM, LM Studio, llama.cpp).

Both providers use the official `openai` SDK with its own retries switched off: the chain
(core.vision.chain) owns retries, backoff, the circuit breaker and fallback, so one
`analyze()` is one HTTP attempt, plus at most one repair request when the reply is empty,
not JSON or off-schema. The image sent is the ≤1024 px JPEG preview (core.vision.preview)
as a data URL; the reply is a strict JSON schema (core.vision.prompt), validated again
here because compatible servers do not all enforce it.

`*_api` in settings picks Chat Completions ("chat", what every compatible server has) or
the Responses API ("responses").
"""

from __future__ import annotations

import base64
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, TypeVar, cast

import openai
from openai.types.chat import ChatCompletion
from openai.types.responses import Response
from PIL import Image

from core.config import Settings, get_settings
from core.errors import ImageRefused, ProviderError, ProviderMisconfigured, ProviderReplyInvalid, ProviderUnavailable
from core.vision import geocode, prompt
from core.vision.base import Analysis, AnalysisContext, Place, Safety, Usage, orientation
from core.vision.openai_errors import ErrorContext, translate_error
from core.vision.preview import make_preview

# A ceiling on what one reply may cost; a description needs a few hundred tokens.
MAX_OUTPUT_TOKENS = 1500
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
_Parsed = TypeVar("_Parsed")
_Result = TypeVar("_Result")
Api = Literal["chat", "responses"]


@dataclass(frozen=True)
class Endpoint:
    """One provider's settings, read once."""

    base_url: str | None
    api_key: str | None
    model: str
    api: Api
    timeout: float
    detail: Literal["low", "high", "auto"]
    input_usd_per_million: float
    output_usd_per_million: float


@dataclass
class _Reply:
    content: str | None
    refusal: str | None
    truncated: bool
    filtered: bool
    input_tokens: int
    output_tokens: int


@dataclass
class _Conversation:
    """The messages of one exchange, kept so a repair request can replay them."""

    system: str
    user: list[dict[str, Any]]
    schema_name: str
    schema: dict[str, Any]
    turns: list[tuple[str, str]] = field(default_factory=list)  # (assistant reply, our correction)


def _probe_image() -> bytes:
    """A 64 × 64 picture in two colour blocks: the smallest honest test of a vision model."""
    image = Image.new("RGB", (64, 64), (200, 30, 30))
    image.paste((30, 60, 200), (32, 0, 64, 64))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _read_chat(completion: ChatCompletion) -> _Reply:
    usage = completion.usage  # some compatible servers leave it out
    tokens = (int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)) if usage else (0, 0)
    if not completion.choices:
        return _Reply(None, None, False, False, *tokens)
    choice = completion.choices[0]
    return _Reply(
        content=choice.message.content,
        refusal=choice.message.refusal,
        truncated=choice.finish_reason == "length",
        filtered=choice.finish_reason == "content_filter",
        input_tokens=tokens[0],
        output_tokens=tokens[1],
    )


class _OpenAIStyleProvider:
    """The request, reply and error handling both providers share; subclasses read their settings."""

    name: str
    remote = True
    prompt_version = prompt.PROMPT_VERSION
    # Chat Completions' output cap: OpenAI wants max_completion_tokens (its reasoning models
    # refuse max_tokens); compatible servers know max_tokens, not always the newer name.
    _chat_max_tokens_param: str
    _vision_models_hint: str

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.endpoint = self._endpoint(self.settings)
        self._client: openai.OpenAI | None = None
        self._load_lock = threading.Lock()

    def _endpoint(self, settings: Settings) -> Endpoint:
        raise NotImplementedError

    def _missing_configuration(self) -> str | None:
        """A sentence naming the setting that must be set, or None."""
        return None

    @property
    def base_url(self) -> str:
        return (self.endpoint.base_url or OPENAI_DEFAULT_BASE_URL).rstrip("/")

    def _where(self) -> str:
        return f"model {self.endpoint.model!r} at {self.base_url}"

    # ------------------------------------------------------------------ lifecycle

    def load(self) -> None:
        """Build the SDK client (no network). Idempotent and thread-safe."""
        with self._load_lock:
            if self._client is not None:
                return
            problem = self._missing_configuration()
            if problem:
                raise ProviderMisconfigured(problem, provider=self.name)
            self._client = openai.OpenAI(
                base_url=self.base_url,
                api_key=self.endpoint.api_key,
                timeout=self.endpoint.timeout,
                max_retries=0,
            )

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            self.load()
        assert self._client is not None
        return self._client

    # ------------------------------------------------------------------ analysis

    def analyze(self, source: BinaryIO, *, context: AnalysisContext) -> Analysis:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        preview = make_preview(source)
        timings["preview"] = round((time.perf_counter() - started) * 1000, 2)

        data_url = "data:image/jpeg;base64," + base64.b64encode(preview.jpeg).decode("ascii")
        conversation = _Conversation(
            system=prompt.system_prompt(context.language),
            user=[{"type": "text", "text": prompt.user_prompt(context)}, {"type": "image", "url": data_url}],
            schema_name=prompt.ANALYSIS_SCHEMA_NAME,
            schema=prompt.ANALYSIS_SCHEMA,
        )
        started = time.perf_counter()
        description, usage = self._exchange(conversation, prompt.parse_description)
        timings["request"] = round((time.perf_counter() - started) * 1000, 2)

        place: Place | None = None
        if preview.metadata.gps is not None:
            started = time.perf_counter()
            place = geocode.nearest_place(*preview.metadata.gps)
            timings["geocode"] = round((time.perf_counter() - started) * 1000, 2)

        width, height = preview.original_width, preview.original_height
        shape, aspect_ratio = orientation(width, height)
        warning = description.content_warning
        return Analysis(
            provider=self.name,
            width=width,
            height=height,
            orientation=shape,
            aspect_ratio=aspect_ratio,
            subject=description.subject,
            labels=prompt.clean_list([*description.objects, *description.attributes]),
            text=description.visible_text,
            captured_at=preview.metadata.captured_at,
            camera=preview.metadata.camera,
            exif_orientation=preview.metadata.orientation,
            place=place,
            alt_text=description.alt_text or None,
            confidence=description.confidence,
            objects=description.objects,
            attributes=description.attributes,
            setting=description.setting or None,
            brand=description.brand,
            suggested_words=description.filename_words,
            safety=Safety(flagged=warning != "none", reasons=[] if warning == "none" else [warning], source=self.name),
            usage=usage,
            timings_ms=timings,
        )

    def check(self) -> None:
        """Send a 64 px two-colour picture through the real request path."""
        try:
            self.analyze(io.BytesIO(_probe_image()), context=AnalysisContext(original_name="provider-check.png"))
        except ProviderReplyInvalid as exc:
            raise ProviderMisconfigured(
                f"{self.name}: {self._where()} answered the test image, but not with the requested JSON schema "
                f"({exc.detail}); choose a model that supports structured outputs (JSON schema).",
                provider=self.name,
            ) from exc
        except ImageRefused as exc:
            raise ProviderMisconfigured(
                f"{self.name}: {self._where()} refused to describe a plain two-colour test image ({exc.detail}).",
                provider=self.name,
            ) from exc
        except ProviderUnavailable as exc:
            if exc.code in ("connection_failed", "timeout"):
                raise ProviderMisconfigured(exc.detail, provider=self.name) from exc
            raise  # 429 or 5xx: the configuration works, the service is busy

    # ------------------------------------------------------------------ keywords

    def suggest_keywords(
        self, keywords: list[str], *, audience: str | None, language: str, limit: int
    ) -> tuple[list[str], Usage]:
        """Related keywords, most relevant first, without the given ones (case-insensitive)."""
        if limit <= 0:
            return [], Usage(model=self.endpoint.model)
        conversation = _Conversation(
            system="You suggest search keywords for images. Reply with JSON only.",
            # Ask for a few more than needed: the given keywords are removed afterwards.
            user=[
                {
                    "type": "text",
                    "text": prompt.keywords_prompt(
                        keywords, audience=audience, language=language, limit=limit + len(keywords)
                    ),
                }
            ],
            schema_name=prompt.KEYWORDS_SCHEMA_NAME,
            schema=prompt.KEYWORDS_SCHEMA,
        )
        suggested, usage = self._exchange(conversation, prompt.parse_keywords)
        seen = {keyword.strip().casefold() for keyword in keywords}
        result: list[str] = []
        for keyword in suggested:
            key = " ".join(keyword.split()).casefold()
            if key and key not in seen:
                seen.add(key)
                result.append(" ".join(keyword.split()))
        return result[:limit], usage

    # ------------------------------------------------------------------ one exchange

    def _exchange(self, conversation: _Conversation, parse: Callable[[str | None], _Parsed]) -> tuple[_Parsed, Usage]:
        """One request, and one repair request when the reply cannot be used."""
        usage = Usage(model=self.endpoint.model)
        problem = ""
        for attempt in range(2):
            reply = self._send(conversation)
            usage.requests += 1
            usage.input_tokens += reply.input_tokens
            usage.output_tokens += reply.output_tokens
            usage.cost_usd = round(
                usage.input_tokens * self.endpoint.input_usd_per_million / 1_000_000
                + usage.output_tokens * self.endpoint.output_usd_per_million / 1_000_000,
                8,
            )
            if reply.refusal or reply.filtered:
                reason = reply.refusal or "the reply was stopped by the content filter"
                raise ImageRefused(f"{self.name} refused the image: {reason}", provider=self.name)
            try:
                if reply.truncated:
                    raise prompt.ReplyProblem(
                        "The reply was cut off at the output token limit; answer with a shorter JSON object."
                    )
                return parse(reply.content), usage
            except prompt.ReplyProblem as exc:
                problem = str(exc)
                if attempt == 0:
                    conversation.turns.append((reply.content or "", prompt.repair_prompt(problem)))
        raise ProviderReplyInvalid(
            f"{self.name} ({self._where()}) gave no usable reply, even after a repair request: {problem}",
            provider=self.name,
            extra={"usage": usage.model_dump()},
        )

    def _send(self, conversation: _Conversation) -> _Reply:
        try:
            if self.endpoint.api == "responses":
                return self._send_responses(conversation)
            return self._send_chat(conversation)
        except openai.APIError as exc:
            raise self._translate(exc) from exc

    def _read(self, read: Callable[[_Result], _Reply], result: _Result) -> _Reply:
        try:
            return read(result)
        except (AttributeError, TypeError, IndexError) as exc:
            # The SDK hands back whatever a 200 carried (an HTML page from a proxy, a server's
            # own JSON shape) without validating it; reading it is where that shows.
            raise ProviderReplyInvalid(
                f"{self.name}: {self._where()} answered with something that is not the OpenAI API's reply shape.",
                provider=self.name,
            ) from exc

    def _send_chat(self, conversation: _Conversation) -> _Reply:
        user: list[dict[str, Any]] = []
        for part in conversation.user:
            if part["type"] == "image":
                user.append({"type": "image_url", "image_url": {"url": part["url"], "detail": self.endpoint.detail}})
            else:
                user.append(part)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": conversation.system},
            {"role": "user", "content": user},
        ]
        for bad_reply, correction in conversation.turns:
            messages += [{"role": "assistant", "content": bad_reply}, {"role": "user", "content": correction}]
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": conversation.schema_name, "strict": True, "schema": conversation.schema},
        }
        options: dict[str, Any] = {self._chat_max_tokens_param: MAX_OUTPUT_TOKENS}
        completion = self.client.chat.completions.create(
            model=self.endpoint.model,
            messages=cast(Any, messages),
            response_format=cast(Any, response_format),
            **options,
        )
        return self._read(_read_chat, completion)

    def _send_responses(self, conversation: _Conversation) -> _Reply:
        user: list[dict[str, Any]] = []
        for part in conversation.user:
            if part["type"] == "image":
                user.append({"type": "input_image", "image_url": part["url"], "detail": self.endpoint.detail})
            else:
                user.append({"type": "input_text", "text": part["text"]})
        items: list[dict[str, Any]] = [
            {"role": "system", "content": conversation.system},
            {"role": "user", "content": user},
        ]
        for bad_reply, correction in conversation.turns:
            items += [{"role": "assistant", "content": bad_reply}, {"role": "user", "content": correction}]
        text_format = {
            "format": {
                "type": "json_schema",
                "name": conversation.schema_name,
                "strict": True,
                "schema": conversation.schema,
            }
        }
        response = self.client.responses.create(
            model=self.endpoint.model,
            input=cast(Any, items),
            text=cast(Any, text_format),
            max_output_tokens=MAX_OUTPUT_TOKENS,
            store=False,  # nothing about the customer's image is kept at the provider
        )
        return self._read(self._read_responses, response)

    def _read_responses(self, response: Response) -> _Reply:
        if response.status == "failed":
            message = response.error.message if response.error else "no reason given"
            raise ProviderUnavailable(f"{self.name}: the response failed: {message}", provider=self.name)
        texts: list[str] = []
        refusal: str | None = None
        for item in response.output or []:
            if item.type != "message":
                continue
            for content in item.content:
                if content.type == "output_text":
                    texts.append(content.text)
                elif content.type == "refusal":
                    refusal = content.refusal
        reason = response.incomplete_details.reason if response.incomplete_details else None
        usage = response.usage
        return _Reply(
            content="".join(texts) if texts else None,
            refusal=refusal,
            truncated=response.status == "incomplete" and reason == "max_output_tokens",
            filtered=response.status == "incomplete" and reason == "content_filter",
            input_tokens=int(usage.input_tokens or 0) if usage else 0,
            output_tokens=int(usage.output_tokens or 0) if usage else 0,
        )

    # ------------------------------------------------------------------ errors

    def _translate(self, exc: openai.APIError) -> ProviderError | ProviderMisconfigured | ImageRefused:
        return translate_error(
            exc,
            ErrorContext(
                provider=self.name,
                where=self._where(),
                base_url=self.base_url,
                timeout=self.endpoint.timeout,
                key_setting=self._key_setting(),
                model_setting=self._model_setting(),
                vision_models_hint=self._vision_models_hint,
            ),
        )

    def _key_setting(self) -> str:
        return f"RENAMER_{self._prefix().upper()}_API_KEY"

    def _model_setting(self) -> str:
        return f"RENAMER_{self._prefix().upper()}_MODEL"

    def _prefix(self) -> str:
        return "openai" if self.name == "openai" else "compatible"


class OpenAIProvider(_OpenAIStyleProvider):
    """OpenAI's own API (settings openai_*); base_url None means api.openai.com."""

    name = "openai"
    _chat_max_tokens_param = "max_completion_tokens"
    _vision_models_hint = "gpt-4o-mini, gpt-4.1-mini or gpt-4o"

    def _endpoint(self, settings: Settings) -> Endpoint:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return Endpoint(
            base_url=settings.openai_base_url,
            api_key=key or None,
            model=settings.openai_model,
            api=settings.openai_api,
            timeout=settings.openai_timeout_seconds,
            detail=settings.openai_image_detail,
            input_usd_per_million=settings.openai_input_usd_per_million_tokens,
            output_usd_per_million=settings.openai_output_usd_per_million_tokens,
        )

    def _missing_configuration(self) -> str | None:
        if not self.endpoint.api_key:
            return (
                "openai: RENAMER_OPENAI_API_KEY is not set; add the API key or remove openai from the provider chain."
            )
        return None


class OpenAICompatibleProvider(_OpenAIStyleProvider):
    """Any OpenAI-compatible server (settings compatible_*); the base URL is required."""

    name = "openai_compatible"
    _chat_max_tokens_param = "max_tokens"
    _vision_models_hint = "llava, qwen2.5vl, gemma3 or llama3.2-vision"

    def _endpoint(self, settings: Settings) -> Endpoint:
        key = settings.compatible_api_key.get_secret_value() if settings.compatible_api_key else None
        return Endpoint(
            base_url=settings.compatible_base_url,
            # Most local servers ignore the key, but the SDK refuses to run without one.
            api_key=key or "not-needed",
            model=settings.compatible_model,
            api=settings.compatible_api,
            timeout=settings.compatible_timeout_seconds,
            detail=settings.openai_image_detail,
            input_usd_per_million=settings.compatible_input_usd_per_million_tokens,
            output_usd_per_million=settings.compatible_output_usd_per_million_tokens,
        )

    @property
    def base_url(self) -> str:
        return (self.endpoint.base_url or "").rstrip("/")

    def _missing_configuration(self) -> str | None:
        if not self.endpoint.base_url:
            return (
                "openai_compatible: RENAMER_COMPATIBLE_BASE_URL is not set; give the server's OpenAI API address, "
                "e.g. http://127.0.0.1:11434/v1 for Ollama."
            )
        return None
