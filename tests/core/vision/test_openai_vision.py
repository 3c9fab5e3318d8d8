"""The OpenAI and OpenAI-compatible providers: our real code and the official SDK, against
the fake OpenAI server (tests/fakes/openai_server.py) over HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from typing import Any

import httpx
import pytest
from PIL import Image

from core.config import Settings
from core.errors import ImageRefused, ProviderMisconfigured, ProviderReplyInvalid, ProviderUnavailable
from core.vision import prompt
from core.vision.base import Analysis, AnalysisContext, KeywordSuggester, VisionProvider
from core.vision.openai_errors import retry_after_seconds
from core.vision.openai_vision import OpenAICompatibleProvider, OpenAIProvider
from tests.fakes.openai_server import Behaviour, FakeOpenAI, Recorded
from tests.fixtures import images as fx

KEY = "sk-test-0123456789"
PARIS = (48.8566, 2.3522)
GOOD: dict[str, Any] = {
    "subject": "red leather handbag",
    "objects": ["handbag", "shoulder strap", "Leather"],
    "attributes": ["red", "leather", "studio lighting"],
    "setting": "white studio background",
    "visible_text": "ACME\n  Paris",
    "brand": "Acme",
    "filename_words": ["red", "leather", "handbag", "acme"],
    "alt_text": "Red leather Acme handbag with a gold clasp on a white background",
    "confidence": 0.87,
    "content_warning": "none",
}


@cache
def photo() -> bytes:
    return fx.jpeg(3000, 2000, seed=7)


@cache
def photo_with_exif() -> bytes:
    exif: dict[str, object] = {"DateTimeOriginal": "2024:05:01 14:03:12", "Make": "Canon", "Model": "Canon EOS R6"}
    return fx.jpeg(3000, 2000, seed=7, exif=exif, gps=PARIS)


def plain(colour: tuple[int, int, int], size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(fake: FakeOpenAI) -> Iterator[None]:
    fake.reset()
    yield
    assert fake.pending() == 0, "a scripted behaviour was never requested"


# Building the SDK client costs ~0.4 s (TLS context); tests with the same settings share one,
# as the workers' threads do.
@cache
def _provider(kind: type[OpenAIProvider | OpenAICompatibleProvider], settings: tuple[tuple[str, Any], ...]) -> Any:
    return kind(Settings(**dict(settings)))


def openai(fake: FakeOpenAI, **overrides: Any) -> OpenAIProvider:
    values = {"openai_api_key": KEY, "openai_base_url": fake.base_url, "openai_model": "gpt-4o-mini", **overrides}
    provider: OpenAIProvider = _provider(OpenAIProvider, tuple(sorted(values.items())))
    return provider


def compatible(fake: FakeOpenAI, **overrides: Any) -> OpenAICompatibleProvider:
    values = {"compatible_api_key": KEY, "compatible_base_url": fake.base_url, "compatible_model": "llava", **overrides}
    provider: OpenAICompatibleProvider = _provider(OpenAICompatibleProvider, tuple(sorted(values.items())))
    return provider


def analyse(
    provider: OpenAIProvider | OpenAICompatibleProvider, payload: bytes | None = None, **context: Any
) -> Analysis:
    return provider.analyze(io.BytesIO(payload or photo()), context=AnalysisContext(**context))


def sent_image(request: Recorded) -> Image.Image:
    (payload,) = request.images()
    image = Image.open(io.BytesIO(payload))
    image.load()
    return image


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# --------------------------------------------------------------------------- the request


def test_providers_declare_what_the_chain_and_registry_need(fake: FakeOpenAI) -> None:
    for provider, name in ((openai(fake), "openai"), (compatible(fake), "openai_compatible")):
        checked: VisionProvider = provider  # mypy checks the protocol here
        assert checked.name == name and checked.remote is True
        assert checked.prompt_version == prompt.PROMPT_VERSION
        assert isinstance(provider, KeywordSuggester)


def test_chat_request_carries_prompt_preview_and_strict_schema(fake: FakeOpenAI) -> None:
    context: dict[str, Any] = {
        "keywords": ["leather handbag", "summer sale"],
        "language": "fr",
        "brand": "Acme",
        "original_name": "IMG_0042.JPG",
    }
    analyse(openai(fake), **context)

    (request,) = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.body
    assert body["model"] == "gpt-4o-mini"
    assert isinstance(body["max_completion_tokens"], int) and "max_tokens" not in body
    system, user = body["messages"]
    assert system["role"] == "system" and "French" in system["content"]
    assert user["role"] == "user"
    assert [part["type"] for part in user["content"]] == ["text", "image_url"]
    text = user["content"][0]["text"]
    for expected in ("leather handbag", "summer sale", "Acme", "IMG_0042.JPG", "French"):
        assert expected in text
    image_part = user["content"][1]["image_url"]
    assert image_part["detail"] == "low"
    assert image_part["url"].startswith("data:image/jpeg;base64,")
    image = sent_image(request)
    assert image.format == "JPEG" and image.size == (1024, 683)  # 3000 × 2000 reduced, never the original

    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    spec = response_format["json_schema"]
    assert spec["name"] == "image_analysis" and spec["strict"] is True
    schema = spec["schema"]
    assert schema == prompt.ANALYSIS_SCHEMA
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"]) == {
        "subject", "objects", "attributes", "setting", "visible_text", "brand",
        "filename_words", "alt_text", "confidence", "content_warning",
    }  # fmt: skip
    assert schema["properties"]["content_warning"]["enum"] == ["none", "nudity", "sexual", "violence", "gore", "other"]
    assert schema["properties"]["brand"]["type"] == ["string", "null"]


def test_image_detail_comes_from_settings(fake: FakeOpenAI) -> None:
    analyse(openai(fake, openai_image_detail="high"), plain((30, 60, 200)))
    assert fake.requests[0].body["messages"][1]["content"][1]["image_url"]["detail"] == "high"


def test_compatible_chat_request_uses_its_own_model_and_max_tokens(fake: FakeOpenAI) -> None:
    analyse(compatible(fake), plain((30, 60, 200)))
    body = fake.requests[0].body
    assert body["model"] == "llava"
    assert isinstance(body["max_tokens"], int) and "max_completion_tokens" not in body


def test_responses_request_carries_input_text_input_image_and_text_format(fake: FakeOpenAI) -> None:
    analyse(openai(fake, openai_api="responses"), keywords=["tote bag"], language="de", brand="Acme")

    (request,) = fake.requests
    assert request.path == "/v1/responses"
    body = request.body
    assert body["model"] == "gpt-4o-mini" and body["store"] is False
    assert isinstance(body["max_output_tokens"], int)
    system, user = body["input"]
    assert system["role"] == "system" and "German" in system["content"]
    assert [part["type"] for part in user["content"]] == ["input_text", "input_image"]
    assert "tote bag" in user["content"][0]["text"] and "Acme" in user["content"][0]["text"]
    assert user["content"][1]["detail"] == "low"
    assert max(sent_image(request).size) == 1024
    assert body["text"]["format"] == {
        "type": "json_schema",
        "name": "image_analysis",
        "strict": True,
        "schema": prompt.ANALYSIS_SCHEMA,
    }


def test_the_sent_preview_shows_the_picture(fake: FakeOpenAI) -> None:
    """The fake's unscripted reply names the colour it decoded: the image arrived intact."""
    assert analyse(openai(fake), plain((30, 60, 200))).attributes[0] == "blue"
    assert analyse(openai(fake, openai_api="responses"), plain((200, 30, 30))).attributes[0] == "red"


# --------------------------------------------------------------------------- the mapping


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_reply_maps_to_analysis(fake: FakeOpenAI, api: str) -> None:
    fake.script(Behaviour.ok(GOOD, usage=(1200, 300)))
    analysis = analyse(openai(fake, openai_api=api), photo_with_exif())

    assert analysis.provider == "openai"
    assert (analysis.width, analysis.height, analysis.orientation, analysis.aspect_ratio) == (
        3000,
        2000,
        "landscape",
        1.5,
    )
    assert analysis.subject == "red leather handbag"
    assert analysis.objects == ["handbag", "shoulder strap", "Leather"]
    assert analysis.attributes == ["red", "leather", "studio lighting"]
    assert analysis.labels == ["handbag", "shoulder strap", "Leather", "red", "studio lighting"]
    assert analysis.setting == "white studio background"
    assert analysis.text == "ACME Paris"
    assert analysis.brand == "Acme"
    assert analysis.suggested_words == ["red", "leather", "handbag", "acme"]
    assert analysis.alt_text == GOOD["alt_text"]
    assert analysis.confidence == pytest.approx(0.87)
    assert analysis.safety is not None
    assert (analysis.safety.flagged, analysis.safety.reasons, analysis.safety.source) == (False, [], "openai")
    assert analysis.captured_at == datetime(2024, 5, 1, 14, 3, 12)
    assert analysis.camera == "Canon EOS R6"
    assert analysis.place is not None and analysis.place.name == "Paris"
    assert analysis.usage is not None
    assert (analysis.usage.model, analysis.usage.requests) == ("gpt-4o-mini", 1)
    assert (analysis.usage.input_tokens, analysis.usage.output_tokens) == (1200, 300)
    assert analysis.usage.cost_usd == pytest.approx(1200 * 0.15 / 1e6 + 300 * 0.60 / 1e6)
    assert {"preview", "request", "geocode"} <= set(analysis.timings_ms)


@pytest.mark.parametrize(
    ("size", "orientation", "ratio"), [((600, 900), "portrait", 0.67), ((500, 510), "square", 0.98)]
)
def test_orientation_is_the_originals(fake: FakeOpenAI, size: tuple[int, int], orientation: str, ratio: float) -> None:
    analysis = analyse(openai(fake), plain((128, 128, 128), size))
    assert (analysis.width, analysis.height) == size
    assert (analysis.orientation, analysis.aspect_ratio) == (orientation, ratio)
    assert analysis.place is None and analysis.captured_at is None


def test_content_warning_flags_safety(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.ok({**GOOD, "content_warning": "violence", "brand": None}))
    analysis = analyse(compatible(fake), plain((200, 30, 30)))
    assert analysis.safety is not None
    assert (analysis.safety.flagged, analysis.safety.reasons, analysis.safety.source) == (
        True,
        ["violence"],
        "openai_compatible",
    )
    assert analysis.brand is None


def test_cost_uses_each_providers_prices(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.ok(GOOD, usage=(1000, 500)), Behaviour.ok(GOOD, usage=(1000, 500)))
    priced = openai(fake, openai_input_usd_per_million_tokens=2.5, openai_output_usd_per_million_tokens=10.0)
    usage = analyse(priced, plain((1, 2, 3))).usage
    assert usage is not None and usage.cost_usd == pytest.approx(0.0025 + 0.005)
    usage = analyse(compatible(fake), plain((1, 2, 3))).usage  # a local server costs nothing by default
    assert usage is not None and (usage.input_tokens, usage.cost_usd) == (1000, 0.0)


# --------------------------------------------------------------------------- failures


def _in(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize(
    ("behaviour", "retry_after"),
    [
        (Behaviour.rate_limited(retry_after="7"), 7.0),
        (Behaviour.rate_limited(retry_after="7", retry_after_ms="1500"), 1.5),
        (Behaviour.rate_limited(retry_after=None), None),
        (Behaviour.server_error(500), None),
        (Behaviour.server_error(503, headers={"retry-after": "3"}), 3.0),
        (Behaviour.server_error(502), None),
    ],
)
def test_busy_or_broken_server_is_unavailable(
    fake: FakeOpenAI, api: str, behaviour: Behaviour, retry_after: float | None
) -> None:
    fake.script(behaviour)
    with pytest.raises(ProviderUnavailable) as caught:
        analyse(openai(fake, openai_api=api), plain((9, 9, 9)))
    assert caught.value.retry_after == retry_after
    assert caught.value.provider == "openai"
    assert len(fake.requests) == 1, "one attempt only: the chain owns retries"


def test_retry_after_as_an_http_date(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.rate_limited(retry_after=_in(30)))
    with pytest.raises(ProviderUnavailable) as caught:
        analyse(openai(fake), plain((9, 9, 9)))
    assert caught.value.retry_after is not None and 27 <= caught.value.retry_after <= 30


def test_retry_after_parsing() -> None:
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_timeout_is_unavailable_after_one_attempt(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.slow(5))
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable, match=r"did not answer within 0.5 s") as caught:
        analyse(openai(fake, openai_timeout_seconds=0.5), plain((9, 9, 9)))
    assert time.monotonic() - started < 3
    assert caught.value.code == "timeout" and len(fake.requests) == 1


def test_unreachable_server_is_unavailable() -> None:
    provider = OpenAICompatibleProvider(Settings(compatible_base_url=closed_port_url()))
    with pytest.raises(ProviderUnavailable, match="cannot reach the server") as caught:
        analyse(provider, plain((9, 9, 9)))
    assert caught.value.code == "connection_failed"


@pytest.mark.parametrize(
    ("behaviour", "match"),
    [
        (Behaviour.invalid_key(), r"rejected the API key.*RENAMER_OPENAI_API_KEY"),
        (Behaviour.failure(403, "Project does not have access to model", code="model_access"), "refused access"),
        (Behaviour.unknown_model("gpt-4o-mini"), r"'gpt-4o-mini'.*not found.*RENAMER_OPENAI_MODEL"),
        (Behaviour.no_vision(), r"cannot read images; choose a vision model such as gpt-4o-mini"),
        (Behaviour.no_vision("Invalid content type. image_url is only supported by certain models."), "cannot read"),
        (Behaviour.failure(429, "You exceeded your current quota", code="insufficient_quota"), "no quota left"),
        (Behaviour.failure(400, "Invalid parameter: 'response_format' of type 'json_schema'"), "refused the request"),
    ],
)
def test_configuration_problems_are_misconfigured(fake: FakeOpenAI, behaviour: Behaviour, match: str) -> None:
    fake.script(behaviour)
    with pytest.raises(ProviderMisconfigured, match=match) as caught:
        analyse(openai(fake), plain((9, 9, 9)))
    assert fake.base_url in caught.value.detail
    assert KEY not in caught.value.detail
    assert len(fake.requests) == 1


def test_compatible_server_without_vision_names_vision_models(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.no_vision("image input is not supported - hint: you may need to provide the mmproj"))
    with pytest.raises(ProviderMisconfigured, match=r"'llava' at http.*cannot read images.*llava, qwen2.5vl"):
        analyse(compatible(fake), plain((9, 9, 9)))


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_refusal_is_image_refused(fake: FakeOpenAI, api: str) -> None:
    fake.script(Behaviour.refused("I can't describe this image."))
    with pytest.raises(ImageRefused, match="I can't describe this image") as caught:
        analyse(openai(fake, openai_api=api), plain((9, 9, 9)))
    assert caught.value.provider == "openai" and len(fake.requests) == 1, "a refusal is not repaired"


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_reply_that_is_not_the_apis_shape_is_reply_invalid(fake: FakeOpenAI, api: str) -> None:
    fake.script(Behaviour.not_the_api())
    with pytest.raises(ProviderReplyInvalid, match="not the OpenAI API's reply shape"):
        analyse(openai(fake, openai_api=api), plain((9, 9, 9)))
    assert len(fake.requests) == 1, "an envelope that is not the API's is not the model's fault: no repair"


def test_content_policy_rejection_is_image_refused(fake: FakeOpenAI) -> None:
    fake.script(
        Behaviour.failure(400, "Your request was rejected by our safety system.", code="content_policy_violation")
    )
    with pytest.raises(ImageRefused):
        analyse(openai(fake), plain((9, 9, 9)))


# --------------------------------------------------------------------------- repair


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (Behaviour.malformed(), "not valid JSON"),
        (Behaviour.empty_reply(), "empty"),
        (Behaviour.off_schema(), "does not match the schema"),
        (Behaviour.truncated(), "cut off"),
        (Behaviour.text(json.dumps({**GOOD, "filename_words": ["", " "]})), "filename_words"),
        (Behaviour.text(json.dumps({**GOOD, "subject": "bag " * 100})), "subject"),
    ],
)
def test_a_bad_reply_is_repaired_once(fake: FakeOpenAI, api: str, bad: Behaviour, problem: str) -> None:
    fake.script(dataclasses.replace(bad, usage=(900, 40)), Behaviour.ok(GOOD, usage=(1000, 120)))
    analysis = analyse(openai(fake, openai_api=api), plain((9, 9, 9)))

    assert analysis.subject == "red leather handbag"
    assert analysis.usage is not None
    assert (analysis.usage.requests, analysis.usage.input_tokens, analysis.usage.output_tokens) == (2, 1900, 160)
    assert analysis.usage.cost_usd == pytest.approx(1900 * 0.15 / 1e6 + 160 * 0.60 / 1e6)
    first, second = fake.requests
    turns = second.body["messages" if api == "chat" else "input"]
    assert turns[:2] == first.body["messages" if api == "chat" else "input"], "the same conversation, image included"
    assistant, correction = turns[2:]
    assert assistant["role"] == "assistant" and assistant["content"] == (bad.content or "")
    assert correction["role"] == "user" and problem in correction["content"]


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_two_bad_replies_are_reply_invalid(fake: FakeOpenAI, api: str) -> None:
    fake.script(Behaviour.malformed(), Behaviour.off_schema())
    with pytest.raises(ProviderReplyInvalid, match="does not match the schema") as caught:
        analyse(openai(fake, openai_api=api), plain((9, 9, 9)))
    assert caught.value.provider == "openai" and len(fake.requests) == 2


def test_a_refused_repair_is_image_refused(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.empty_reply(), Behaviour.refused())
    with pytest.raises(ImageRefused):
        analyse(openai(fake), plain((9, 9, 9)))


def test_reply_validation_cleans_and_trims() -> None:
    reply = {**GOOD, "alt_text": "Image of a " + "very " * 40 + "red bag", "filename_words": ["Red", "red", "Bag"]}
    description = prompt.parse_description("```json\n" + json.dumps(reply) + "\n```")
    assert description.alt_text.startswith("A very") and len(description.alt_text) <= prompt.ALT_TEXT_MAX
    assert not description.alt_text.endswith(" ")
    assert description.filename_words == ["red", "bag"]
    with pytest.raises(prompt.ReplyProblem, match="alt_text"):
        prompt.parse_description(json.dumps({**GOOD, "alt_text": "x" * 400}))
    with pytest.raises(prompt.ReplyProblem, match="content_warning"):
        prompt.parse_description(json.dumps({**GOOD, "content_warning": "spicy"}))
    with pytest.raises(prompt.ReplyProblem, match="confidence"):
        prompt.parse_description(json.dumps({**GOOD, "confidence": 7}))
    with pytest.raises(prompt.ReplyProblem, match=r"[Ee]xtra"):
        prompt.parse_description(json.dumps({**GOOD, "tags": []}))


# --------------------------------------------------------------------------- configuration and check()


def test_compatible_without_base_url_is_misconfigured() -> None:
    provider = OpenAICompatibleProvider(Settings(compatible_base_url=None))
    with pytest.raises(ProviderMisconfigured, match="RENAMER_COMPATIBLE_BASE_URL is not set"):
        provider.load()
    with pytest.raises(ProviderMisconfigured, match="RENAMER_COMPATIBLE_BASE_URL"):
        analyse(provider, plain((9, 9, 9)))


def test_openai_without_key_is_misconfigured() -> None:
    with pytest.raises(ProviderMisconfigured, match="RENAMER_OPENAI_API_KEY is not set"):
        OpenAIProvider(Settings(openai_api_key=None)).check()


def test_compatible_sends_a_placeholder_key_when_none_is_set() -> None:
    with FakeOpenAI() as keyless:
        provider = OpenAICompatibleProvider(Settings(compatible_base_url=keyless.base_url, compatible_api_key=None))
        analyse(provider, plain((9, 9, 9)))
        assert keyless.requests[0].headers["authorization"].startswith("Bearer ")


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_check_passes_with_a_working_vision_model(fake: FakeOpenAI, api: str) -> None:
    openai(fake, openai_api=api).check()
    (request,) = fake.requests
    probe = sent_image(request)
    assert probe.size == (64, 64)
    # two colour blocks, so a model that can see has something to describe
    assert probe.getpixel((8, 32))[0] > 150 and probe.getpixel((56, 32))[2] > 150  # type: ignore[index]


def test_check_reports_a_model_without_vision(fake: FakeOpenAI) -> None:
    provider = compatible(fake, compatible_model="llama3")  # the fake's text-only model
    with pytest.raises(ProviderMisconfigured, match=r"'llama3' at .* cannot read images; choose a vision model"):
        provider.check()


def test_check_reports_an_unknown_model(fake: FakeOpenAI) -> None:
    with pytest.raises(ProviderMisconfigured, match=r"'gpt-nope' .*was not found.*RENAMER_OPENAI_MODEL"):
        openai(fake, openai_model="gpt-nope").check()


def test_check_reports_a_wrong_key_without_showing_it(fake: FakeOpenAI) -> None:
    with pytest.raises(ProviderMisconfigured, match="rejected the API key") as caught:
        openai(fake, openai_api_key="sk-wrong-secret").check()
    assert "sk-wrong-secret" not in caught.value.detail


def test_check_reports_an_unreachable_server() -> None:
    url = closed_port_url()
    with pytest.raises(ProviderMisconfigured, match=f"cannot reach the server at {url}"):
        OpenAICompatibleProvider(Settings(compatible_base_url=url)).check()


def test_check_reports_a_model_that_ignores_the_schema(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.off_schema(), Behaviour.off_schema())
    with pytest.raises(ProviderMisconfigured, match=r"not with the requested JSON schema.*structured outputs"):
        openai(fake).check()


def test_check_lets_a_busy_service_say_so(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.rate_limited(retry_after="4"))
    with pytest.raises(ProviderUnavailable) as caught:
        openai(fake).check()
    assert caught.value.retry_after == 4.0


# --------------------------------------------------------------------------- keywords


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_suggest_keywords(fake: FakeOpenAI, api: str) -> None:
    suggested = ["Leather Bag", "handbag", "tote  bag", "Tote bag", "crossbody bag", "RED", "clutch"]
    fake.script(Behaviour.ok({"keywords": suggested}, usage=(80, 30)))
    keywords, usage = openai(fake, openai_api=api).suggest_keywords(
        ["handbag", "red"], audience="fashion shoppers", language="es", limit=3
    )
    assert keywords == ["Leather Bag", "tote bag", "crossbody bag"]
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (1, 80, 30)
    (request,) = fake.requests
    assert request.images() == []
    text = request.text()
    assert "handbag" in text and "fashion shoppers" in text and "Spanish" in text
    fmt = request.body["response_format"]["json_schema"] if api == "chat" else request.body["text"]["format"]
    assert fmt["name"] == "keyword_suggestions" and fmt["strict"] is True and fmt["schema"] == prompt.KEYWORDS_SCHEMA


def test_suggest_keywords_repairs_and_fails_like_analysis(fake: FakeOpenAI) -> None:
    fake.script(Behaviour.malformed(), Behaviour.ok({"keywords": ["tote"]}))
    keywords, usage = openai(fake).suggest_keywords(["bag"], audience=None, language="en", limit=5)
    assert keywords == ["tote"] and usage.requests == 2
    fake.script(Behaviour.invalid_key())
    with pytest.raises(ProviderMisconfigured):
        openai(fake).suggest_keywords(["bag"], audience=None, language="en", limit=5)


# --------------------------------------------------------------------------- the fake and concurrency


def test_many_calls_wait_on_the_fake_at_once() -> None:
    """32 threads share one provider (one SDK client): the calls overlap instead of queueing."""
    with FakeOpenAI(latency=0.5) as slow:
        provider = OpenAIProvider(Settings(openai_api_key=KEY, openai_base_url=slow.base_url))
        payload = plain((30, 160, 60), (200, 150))
        started = time.monotonic()
        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(lambda _: analyse(provider, payload), range(32)))
        elapsed = time.monotonic() - started
    assert [result.attributes[0] for result in results] == ["green"] * 32
    assert elapsed < 4, f"32 calls of 0.5 s took {elapsed:.1f} s: they did not overlap"


def test_the_fake_refuses_what_openai_would(fake: FakeOpenAI) -> None:
    headers = {"authorization": f"Bearer {KEY}"}
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    good_format = {
        "type": "json_schema",
        "json_schema": {"name": "image_analysis", "strict": True, "schema": prompt.ANALYSIS_SCHEMA},
    }
    lying_url = "data:image/jpeg;base64," + base64.b64encode(png.getvalue()).decode()
    message = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": lying_url}}]}
    loose = {"type": "object", "properties": {"a": {"type": "string"}}, "required": [], "additionalProperties": False}
    cases = [
        ({"model": "gpt-4o-mini", "messages": [message], "response_format": good_format}, 400, "invalid_image_format"),
        ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}, 400, None),
        (
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "response_format": good_format},
            400,
            None,  # the analysis schema without an image
        ),
        (
            {
                "model": "gpt-4o-mini",
                "messages": [{"role": "user", "content": "hi"}],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "strict": True, "schema": loose},
                },
            },
            400,
            None,  # strict mode wants every property required
        ),
    ]
    for body, status, code in cases:
        response = httpx.post(f"{fake.base_url}/chat/completions", json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["message"]
        if code:
            assert error["code"] == code
    assert httpx.post(f"{fake.base_url}/chat/completions", json=cases[1][0]).status_code == 401
    models = httpx.get(f"{fake.base_url}/models", headers=headers).json()
    assert models["object"] == "list" and "gpt-4o-mini" in {model["id"] for model in models["data"]}
