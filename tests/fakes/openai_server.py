"""A fake OpenAI API on 127.0.0.1: the real `openai` SDK talks to it over HTTP.

It serves POST /v1/chat/completions, POST /v1/responses and GET /v1/models with the
documented response shapes and OpenAI's error body `{"error": {message, type, param, code}}`,
and it checks what it receives the way the real service does (a JSON schema in strict mode,
an image that decodes as the JPEG the data URL claims, a known model that can see images),
answering 400/401/404 like OpenAI when the request is wrong.

    with FakeOpenAI(latency=0.0) as fake:
        fake.script(Behaviour.rate_limited(retry_after="2"), Behaviour.malformed())
        ...  # the next two calls get a 429, then a reply that is not JSON
        fake.requests[-1].body  # what the client sent

Unscripted calls get a valid reply generated from the requested JSON schema (strings carry
the colour of the picture received, so a test can tell the image arrived intact).
`latency` is an asyncio sleep: hundreds of calls can wait at once in the server's one thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import io
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from tests.fakes.serving import ThreadedServer

DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "llava")
DEFAULT_TEXT_ONLY_MODELS = ("llama3", "gpt-3.5-turbo")
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.DOTALL)
_SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_COLOURS = {
    "red": (200, 30, 30), "green": (30, 160, 60), "blue": (30, 60, 200), "yellow": (230, 210, 40),
    "white": (245, 245, 245), "black": (15, 15, 15), "grey": (128, 128, 128), "orange": (240, 140, 30),
    "purple": (130, 40, 160), "brown": (120, 75, 40),
}  # fmt: skip


class _Refused(Exception):
    """The request is not one OpenAI would accept; rendered as its error body."""

    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error", **more: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.more = status, message, type_, more


@dataclass(frozen=True)
class Behaviour:
    """What the fake does for one call. Build one with the class methods."""

    status: int = 200
    content: str | None = None  # None: generated from the request's schema
    refusal: str | None = None
    finish_reason: str = "stop"
    delay: float = 0.0  # seconds before answering, on top of the server's latency
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    usage: tuple[int, int] | None = None  # (input tokens, output tokens); None: estimated
    raw: str | None = None  # a body sent as it is (text/html), e.g. a proxy's page

    @classmethod
    def ok(cls, reply: dict[str, Any] | None = None, *, usage: tuple[int, int] | None = None) -> Behaviour:
        return cls(content=None if reply is None else json.dumps(reply), usage=usage)

    @classmethod
    def text(cls, content: str, *, usage: tuple[int, int] | None = None) -> Behaviour:
        return cls(content=content, usage=usage)

    @classmethod
    def malformed(cls) -> Behaviour:
        return cls(content='{"subject": "red handbag", "objects": ["handbag"')

    @classmethod
    def empty_reply(cls) -> Behaviour:
        return cls(content="")

    @classmethod
    def refused(cls, message: str = "I'm sorry, I can't help with that.") -> Behaviour:
        return cls(refusal=message)

    @classmethod
    def off_schema(cls) -> Behaviour:
        return cls(content=json.dumps({"subject": "", "tags": ["handbag"], "confidence": "high"}))

    @classmethod
    def truncated(cls) -> Behaviour:
        return cls(content='{"subject": "red leather handbag", "objects": ["hand', finish_reason="length")

    @classmethod
    def not_the_api(cls, body: str = "<html><body>Please sign in</body></html>") -> Behaviour:
        return cls(raw=body)

    @classmethod
    def slow(cls, seconds: float) -> Behaviour:
        return cls(delay=seconds)

    @classmethod
    def rate_limited(cls, *, retry_after: str | None = "1", retry_after_ms: str | None = None) -> Behaviour:
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        if retry_after_ms is not None:
            headers["retry-after-ms"] = retry_after_ms
        message = "Rate limit reached for requests per min (RPM). Please try again later."
        return cls.failure(429, message, type_="requests", code="rate_limit_exceeded", headers=headers)

    @classmethod
    def server_error(cls, status: int = 500, *, headers: dict[str, str] | None = None) -> Behaviour:
        message = "The server had an error while processing your request. Sorry about that!"
        return cls.failure(status, message, type_="server_error", headers=headers or {})

    @classmethod
    def invalid_key(cls) -> Behaviour:
        return cls.failure(401, "Incorrect API key provided: sk-wr***ng.", code="invalid_api_key")

    @classmethod
    def unknown_model(cls, model: str = "gpt-nope") -> Behaviour:
        message = f"The model `{model}` does not exist or you do not have access to it."
        return cls.failure(404, message, code="model_not_found")

    @classmethod
    def no_vision(cls, message: str = "model does not support image input") -> Behaviour:
        return cls.failure(400, message)

    @classmethod
    def failure(
        cls,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Behaviour:
        error = {"message": message, "type": type_, "param": param, "code": code}
        return cls(status=status, error=error, headers=headers or {})


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    def parts(self) -> list[dict[str, Any]]:
        """Every content part of every message or input item, in order."""
        items = self.body.get("messages") or self.body.get("input") or []
        found: list[dict[str, Any]] = []
        for item in items if isinstance(items, list) else []:
            content = item.get("content")
            if isinstance(content, str):
                found.append({"type": "text", "text": content})
            elif isinstance(content, list):
                found += content
        return found

    def text(self) -> str:
        return "\n".join(part["text"] for part in self.parts() if isinstance(part.get("text"), str))

    def images(self) -> list[bytes]:
        """The decoded bytes of every image data URL sent."""
        found = []
        for part in self.parts():
            url = _image_url(part)
            match = _DATA_URL.match(url or "")
            if match:
                found.append(base64.b64decode(match["data"]))
        return found


def _image_url(part: dict[str, Any]) -> str | None:
    if part.get("type") == "image_url" and isinstance(part.get("image_url"), dict):
        url = part["image_url"].get("url")
        return url if isinstance(url, str) else None
    if part.get("type") == "input_image":
        url = part.get("image_url")
        return url if isinstance(url, str) else None
    return None


class FakeOpenAI:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        api_key: str | None = None,
        models: Iterable[str] = DEFAULT_MODELS,
        text_only_models: Iterable[str] = DEFAULT_TEXT_ONLY_MODELS,
        image_schemas: Iterable[str] = ("image_analysis",),
    ) -> None:
        """`api_key`: when set, any other bearer token gets 401. `text_only_models` answer 400
        to an image like a server without vision. Requests whose JSON schema is named in
        `image_schemas` must carry an image."""
        self.latency = latency
        self.api_key = api_key
        self.models = set(models)
        self.text_only_models = set(text_only_models)
        self.image_schemas = set(image_schemas)
        self.requests: list[Recorded] = []
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self.port = 0
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/responses", self._responses, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        self._serving = ThreadedServer(self.app, "OpenAI", backlog=4096, timeout_graceful_shutdown=5)

    # ------------------------------------------------------------------ control

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next calls (chat or responses), first in first out."""
        with self._lock:
            self._script.extend(behaviours)

    def reset(self) -> None:
        """Forget recorded requests and queued behaviours (between tests sharing one server)."""
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def start(self) -> FakeOpenAI:
        self.port = self._serving.start()
        return self

    def stop(self) -> None:
        if not self._serving.running:
            return
        if self._loop is not None and self._closing is not None:
            self._loop.call_soon_threadsafe(self._closing.set)  # cut every pending delay short
        self._serving.stop()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ endpoints

    async def _models(self, request: Request) -> JSONResponse:
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), None))
        data = [
            {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "fake"}
            for model in sorted(self.models | self.text_only_models)
        ]
        return JSONResponse({"object": "list", "data": data})

    async def _chat(self, request: Request) -> JSONResponse | HTMLResponse:
        return await self._handle(request, chat=True)

    async def _responses(self, request: Request) -> JSONResponse | HTMLResponse:
        return await self._handle(request, chat=False)

    async def _handle(self, request: Request, *, chat: bool) -> JSONResponse | HTMLResponse:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), body))
        with self._lock:
            behaviour = self._script.popleft() if self._script else Behaviour()
        await self._sleep(self.latency + behaviour.delay)
        if behaviour.error is not None:
            return JSONResponse({"error": behaviour.error}, status_code=behaviour.status, headers=behaviour.headers)
        if behaviour.raw is not None:
            return HTMLResponse(behaviour.raw, status_code=behaviour.status, headers=behaviour.headers)
        try:
            self._authorise(request)
            schema_name, schema, colour = (self._check_chat if chat else self._check_responses)(body)
        except _Refused as refused:
            error = {"message": refused.message, "type": refused.type, "param": None, "code": None, **refused.more}
            return JSONResponse({"error": error}, status_code=refused.status)
        content = behaviour.content
        if content is None and behaviour.refusal is None:
            content = json.dumps(_instance(schema, schema_name, colour))
        usage = behaviour.usage or (_estimate_tokens(body), len(content or "") // 4 + 1)
        reply = _chat_reply if chat else _responses_reply
        return JSONResponse(reply(body["model"], content, behaviour, usage), headers=behaviour.headers)

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self._closing is None:
            self._loop = asyncio.get_running_loop()
            self._closing = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # ------------------------------------------------------------------ validation

    def _authorise(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise _Refused(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code="missing_api_key",
            )
        if self.api_key is not None and header[7:] != self.api_key:
            raise _Refused(401, "Incorrect API key provided.", code="invalid_api_key")

    def _check_model(self, body: dict[str, Any], images: int) -> None:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _Refused(400, "you must provide a model parameter", param="model")
        if model not in self.models | self.text_only_models:
            raise _Refused(
                404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found"
            )
        if images and model in self.text_only_models:
            raise _Refused(400, "model does not support image input")

    def _check_chat(self, body: Any) -> tuple[str, dict[str, Any], str | None]:
        if not isinstance(body, dict):
            raise _Refused(400, "We could not parse the JSON body of your request.")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _Refused(400, "'messages' must be a non-empty array.", param="messages")
        colours: list[str] = []
        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ("system", "developer", "user", "assistant"):
                raise _Refused(400, "Each message needs a role of system, developer, user or assistant.")
            content = message.get("content")
            if isinstance(content, list):
                for part in content:
                    if part.get("type") == "image_url":
                        detail = part.get("image_url", {}).get("detail", "auto")
                        colours.append(_check_image(_image_url(part), detail))
                    elif part.get("type") != "text" or not isinstance(part.get("text"), str):
                        raise _Refused(400, f"Invalid content part type: {part.get('type')!r}.")
            elif not isinstance(content, str):
                raise _Refused(400, "Message content must be a string or an array of parts.")
        response_format = body.get("response_format")
        if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
            raise _Refused(400, "response_format of type json_schema is required.", param="response_format")
        spec = response_format.get("json_schema")
        name, schema = _check_schema(spec if isinstance(spec, dict) else {}, "response_format")
        self._check_model(body, len(colours))
        self._require_image(name, colours)
        for key in ("max_tokens", "max_completion_tokens"):
            if key in body and not isinstance(body[key], int):
                raise _Refused(400, f"'{key}' must be an integer.", param=key)
        return name, schema, colours[0] if colours else None

    def _check_responses(self, body: Any) -> tuple[str, dict[str, Any], str | None]:
        if not isinstance(body, dict):
            raise _Refused(400, "We could not parse the JSON body of your request.")
        items = body.get("input")
        if isinstance(items, str):
            items = [{"role": "user", "content": items}]
        if not isinstance(items, list) or not items:
            raise _Refused(400, "'input' must be a string or a non-empty array.", param="input")
        colours: list[str] = []
        for item in items:
            if not isinstance(item, dict) or item.get("role") not in ("system", "developer", "user", "assistant"):
                raise _Refused(400, "Each input item needs a role of system, developer, user or assistant.")
            content = item.get("content")
            if isinstance(content, list):
                for part in content:
                    if part.get("type") == "input_image":
                        colours.append(_check_image(_image_url(part), part.get("detail", "auto")))
                    elif part.get("type") not in ("input_text", "output_text") or not isinstance(part.get("text"), str):
                        raise _Refused(400, f"Invalid content part type: {part.get('type')!r}.")
            elif not isinstance(content, str):
                raise _Refused(400, "Input content must be a string or an array of parts.")
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            raise _Refused(400, "text.format of type json_schema is required.", param="text.format")
        name, schema = _check_schema(fmt, "text.format")
        self._check_model(body, len(colours))
        self._require_image(name, colours)
        if "max_output_tokens" in body and not isinstance(body["max_output_tokens"], int):
            raise _Refused(400, "'max_output_tokens' must be an integer.", param="max_output_tokens")
        return name, schema, colours[0] if colours else None

    def _require_image(self, schema_name: str, colours: list[str]) -> None:
        if schema_name in self.image_schemas and not colours:
            raise _Refused(400, f"The '{schema_name}' request carries no image.")


def _check_image(url: str | None, detail: object) -> str:
    """The picture's main colour; 400 unless it is a data URL whose bytes are the JPEG it claims."""
    if detail not in ("low", "high", "auto"):
        raise _Refused(400, f"Invalid value for 'detail': {detail!r}. Expected low, high or auto.", param="detail")
    match = _DATA_URL.match(url or "")
    if not match:
        raise _Refused(400, "Invalid image URL: this fake accepts base64 data URLs only.", code="invalid_image_url")
    try:
        payload = base64.b64decode(match["data"], validate=True)
        with Image.open(io.BytesIO(payload)) as image:
            image_format = image.format
            image.draft("RGB", (64, 64))  # DCT scaling: the server's one thread decodes many images
            image.load()
            red, green, blue = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))  # type: ignore[misc]
    except (binascii.Error, OSError, ValueError) as exc:
        message = "You uploaded an unsupported image. Please make sure your image is valid."
        raise _Refused(400, message, code="invalid_image_format") from exc
    if image_format != "JPEG" or match["mime"] != "image/jpeg":
        raise _Refused(400, f"The data URL says {match['mime']} but holds {image_format}.", code="invalid_image_format")
    return min(
        _COLOURS, key=lambda name: sum((a - b) ** 2 for a, b in zip(_COLOURS[name], (red, green, blue), strict=True))
    )


def _check_schema(spec: dict[str, Any], param: str) -> tuple[str, dict[str, Any]]:
    name, schema = spec.get("name"), spec.get("schema")
    if not isinstance(name, str) or not _SCHEMA_NAME.match(name):
        raise _Refused(400, f"Invalid '{param}.name': must match ^[a-zA-Z0-9_-]{{1,64}}$.", param=param)
    if not isinstance(schema, dict):
        raise _Refused(400, f"Missing required parameter: '{param}.schema'.", param=param)
    if spec.get("strict"):
        _check_strict(schema, name, ())
    return name, schema


def _check_strict(schema: dict[str, Any], name: str, path: tuple[str, ...]) -> None:
    """OpenAI's strict-mode rules: every object closed, every property required."""
    where = f"Invalid schema for response_format '{name}': In context={path}"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "object" in kinds:
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            raise _Refused(400, f"{where}, 'additionalProperties' is required to be supplied and to be false.")
        missing = [key for key in properties if key not in schema.get("required", [])]
        if missing:
            raise _Refused(
                400,
                f"{where}, 'required' is required to be supplied and to be an array including every key in "
                f"properties. Missing '{missing[0]}'.",
            )
        for key, child in properties.items():
            _check_strict(child, name, (*path, "properties", key))
    if "array" in kinds and isinstance(schema.get("items"), dict):
        _check_strict(schema["items"], name, (*path, "items"))


def _instance(schema: dict[str, Any], name: str, colour: str | None) -> Any:
    """A value that satisfies `schema`, built from the property names and the image's colour."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):  # nullable: nothing of the kind is in the picture
        kind = "null" if "null" in kind else kind[0]
    words = name.replace("_", " ")
    if kind == "object":
        return {key: _instance(child, key, colour) for key, child in schema.get("properties", {}).items()}
    if kind == "array":
        count = max(schema.get("minItems", 0), min(3, schema.get("maxItems", 3)))
        item = schema.get("items", {"type": "string"})
        values = [_instance(item, f"{words} {index}", None) for index in range(1, count + 1)]
        if colour and count and item.get("type") == "string":
            values[0] = colour
        return values
    if kind == "string":
        return f"{colour} {words}" if colour else words
    if kind in ("number", "integer"):
        value = min(max(0.9, schema.get("minimum", 0.9)), schema.get("maximum", 0.9))
        return value if kind == "number" else int(value)
    if kind == "boolean":
        return True
    return None


def _estimate_tokens(body: dict[str, Any]) -> int:
    """About what OpenAI bills: 4 characters a token, 85 per low-detail image (counted, not decoded again)."""
    recorded = Recorded("POST", "", {}, body)
    images = sum(1 for part in recorded.parts() if _DATA_URL.match(_image_url(part) or ""))
    return len(recorded.text()) // 4 + 85 * images


def _chat_reply(model: str, content: str | None, behaviour: Behaviour, usage: tuple[int, int]) -> dict[str, Any]:
    message = {"role": "assistant", "content": None if behaviour.refusal else content, "refusal": behaviour.refusal}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {**message, "annotations": []},
                "logprobs": None,
                "finish_reason": behaviour.finish_reason,
            }
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def _responses_reply(model: str, content: str | None, behaviour: Behaviour, usage: tuple[int, int]) -> dict[str, Any]:
    truncated = behaviour.finish_reason == "length"
    if behaviour.refusal:
        parts: list[dict[str, Any]] = [{"type": "refusal", "refusal": behaviour.refusal}]
    else:
        parts = [{"type": "output_text", "text": content or "", "annotations": []}]
    return {
        "id": f"resp_{uuid.uuid4().hex}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if truncated else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if truncated else None,
        "error": None,
        "model": model,
        "output": [
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex}",
                "status": "incomplete" if truncated else "completed",
                "role": "assistant",
                "content": parts,
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": usage[0],
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": usage[1],
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": sum(usage),
        },
    }
