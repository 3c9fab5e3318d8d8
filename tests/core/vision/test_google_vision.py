"""The Google Cloud Vision provider: the official client (REST) against a fake images:annotate server."""

from __future__ import annotations

import base64
import io
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from google.auth import jwt
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import service_account
from PIL import Image, ImageDraw
from pydantic import SecretStr

from core.config import Settings
from core.errors import ImageRefused, PermanentError, ProviderMisconfigured, ProviderReplyInvalid, ProviderUnavailable
from core.vision.base import Analysis, AnalysisContext
from core.vision.google_vision import PROMPT_VERSION, SCOPE, GoogleVisionProvider
from tests.fakes import google_vision_server as gv
from tests.fakes.google_vision_server import FakeGoogleVision
from tests.fixtures import images as fx

API_KEY = "test-api-key"
ALL_FEATURES = [
    ("LABEL_DETECTION", 20),
    ("OBJECT_LOCALIZATION", 10),
    ("TEXT_DETECTION", 0),
    ("LOGO_DETECTION", 3),
    ("LANDMARK_DETECTION", 3),
    ("IMAGE_PROPERTIES", 10),
    ("SAFE_SEARCH_DETECTION", 0),
]
LYON = (45.764, 4.8357)
STATUE_OF_LIBERTY = {"latitude": 40.6892, "longitude": -74.0445}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGoogleVision]:
    with FakeGoogleVision(api_keys=(API_KEY,)) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeGoogleVision) -> FakeGoogleVision:
    server.reset()
    return server


def settings_for(fake: FakeGoogleVision, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "google_vision_endpoint": fake.endpoint,
        "google_vision_api_key": SecretStr(API_KEY),
        "google_vision_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def provider(fake: FakeGoogleVision) -> GoogleVisionProvider:
    provider = GoogleVisionProvider(settings_for(fake))
    provider.load()
    return provider


def analyse(provider: GoogleVisionProvider, payload: bytes, **context: Any) -> Analysis:
    return provider.analyze(io.BytesIO(payload), context=AnalysisContext(**context))


def red_square_on_white(width: int = 800, height: int = 600) -> bytes:
    picture = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(picture).rectangle((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(200, 20, 20))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def features_of(body: dict[str, Any]) -> list[tuple[str, int]]:
    return [(gv.FEATURE_NAMES[item["type"]], item.get("maxResults", 0)) for item in body["requests"][0]["features"]]


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"normalizedVertices": [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]}


# --------------------------------------------------------------------------- the request


def test_one_request_with_every_feature_a_small_jpeg_the_language_and_the_key(
    fake: FakeGoogleVision, provider: GoogleVisionProvider
) -> None:
    analysis = analyse(provider, fx.jpeg(3000, 2000, seed=3), language="fr")

    assert len(fake.requests) == 1
    sent = fake.requests[0]
    assert sent.path == "/v1/images:annotate"
    assert features_of(sent.body) == ALL_FEATURES
    assert sent.body["requests"][0]["imageContext"] == {"languageHints": ["fr"]}
    content = base64.b64decode(sent.body["requests"][0]["image"]["content"])
    with Image.open(io.BytesIO(content)) as preview:
        assert preview.format == "JPEG"
        assert preview.size == (1024, 683)  # long side ≤ 1024, not the 3000 × 2000 original
    # The key travels in a header, never in the URL (which ends up in logs and error messages).
    assert sent.api_key == API_KEY and sent.headers["x-goog-api-key"] == API_KEY
    assert "key" not in sent.query and sent.bearer is None
    assert sent.auth == ("api_key", API_KEY)

    assert (analysis.width, analysis.height, analysis.orientation, analysis.aspect_ratio) == (
        3000,
        2000,
        "landscape",
        1.5,
    )
    assert analysis.provider == provider.name == "google_vision"
    assert provider.remote is True and provider.prompt_version == PROMPT_VERSION


def test_service_account_file_signs_its_own_bearer_token(fake: FakeGoogleVision, tmp_path: Path) -> None:
    key_file = fake.service_account_file(tmp_path, email="namer@renamer-test.iam.gserviceaccount.com")
    provider = GoogleVisionProvider(
        settings_for(fake, google_vision_api_key=None, google_vision_credentials_file=key_file)
    )

    analysis = analyse(provider, red_square_on_white())

    sent = fake.requests[0]
    assert sent.api_key is None and sent.bearer is not None
    # The fake verified the RS256 signature with the account's public key.
    assert sent.auth == ("jwt", "namer@renamer-test.iam.gserviceaccount.com")
    claims = jwt.decode(sent.bearer, verify=False)  # type: ignore[no-untyped-call]
    assert SCOPE in claims["scope"].split()
    assert analysis.subject == "rectangle"


def test_application_default_credentials_are_used_when_nothing_is_configured(
    fake: FakeGoogleVision, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = fake.service_account_file(tmp_path, email="adc@renamer-test.iam.gserviceaccount.com")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    provider = GoogleVisionProvider(settings_for(fake, google_vision_api_key=None))

    analyse(provider, red_square_on_white())

    assert fake.requests[0].auth == ("jwt", "adc@renamer-test.iam.gserviceaccount.com")


def test_the_fake_token_endpoint_grants_access_tokens_to_known_service_accounts(
    fake: FakeGoogleVision, tmp_path: Path
) -> None:
    # The official client self-signs its JWT; google-auth's plain service-account flow uses
    # token_uri, which is what this checks (the fake must honour both like Google does).
    credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
        str(fake.service_account_file(tmp_path)), scopes=[SCOPE]
    )
    credentials.refresh(AuthRequest())
    assert credentials.token.startswith("ya29.fake-")
    assert fake.token_requests[0].body["grant_type"] == gv.JWT_BEARER

    payload: dict[str, Any] = {"requests": [{"image": {"content": base64.b64encode(red_square_on_white()).decode()},
                             "features": [{"type": "IMAGE_PROPERTIES"}]}]}  # fmt: skip
    answer = requests.post(
        f"{fake.endpoint}/v1/images:annotate", json=payload, headers={"Authorization": f"Bearer {credentials.token}"}
    )
    assert answer.status_code == 200
    assert answer.json()["responses"][0]["imagePropertiesAnnotation"]["dominantColors"]["colors"]
    refused = requests.post(f"{fake.endpoint}/v1/images:annotate", json=payload, headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401 and refused.json()["error"]["status"] == "UNAUTHENTICATED"


# --------------------------------------------------------------------------- the mapping


def test_computed_answer_maps_to_subject_labels_and_colours(provider: GoogleVisionProvider) -> None:
    analysis = analyse(provider, red_square_on_white())

    assert analysis.subject == "rectangle" and analysis.objects == ["rectangle"]
    assert analysis.labels == ["white", "red"]
    assert [color.name for color in analysis.colors] == ["white", "red"]
    assert analysis.colors[0].share == pytest.approx(0.75, abs=0.04)
    assert analysis.colors[1].share == pytest.approx(0.25, abs=0.04)
    assert analysis.attributes == ["white", "red"]
    assert analysis.safety is not None and analysis.safety.flagged is False
    assert analysis.safety.source == "google-safesearch"


def test_full_response_maps_every_field(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(
        gv.annotated(
            replace=True,
            labelAnnotations=[
                {"mid": "/m/1", "description": "Handbag", "score": 0.97, "topicality": 0.97},
                {"mid": "/m/2", "description": "Leather", "score": 0.91, "topicality": 0.91},
                {"mid": "/m/3", "description": "handbag", "score": 0.88, "topicality": 0.88},
                {"mid": "/m/4", "description": "Fashion accessory", "score": 0.6, "topicality": 0.6},
                {"mid": "/m/5", "description": "Luggage", "score": 0.59, "topicality": 0.59},
            ],
            localizedObjectAnnotations=[
                # The surest object is small; the big one is what the picture is of.
                {"mid": "/m/6", "name": "Strap", "score": 0.95, "boundingPoly": box(0.1, 0.1, 0.2, 0.3)},
                {"mid": "/m/7", "name": "Handbag", "score": 0.81, "boundingPoly": box(0.2, 0.1, 0.9, 0.95)},
                {"mid": "/m/8", "name": "Person", "score": 0.3, "boundingPoly": box(0.0, 0.0, 1.0, 1.0)},
            ],
            textAnnotations=[{"locale": "en", "description": "SUMMER\n SALE  -30%\n"}],
            fullTextAnnotation={"text": "SUMMER\n SALE  -30%\n"},
            logoAnnotations=[
                {"mid": "/m/9", "description": "Longchamp", "score": 0.74},
                {"mid": "/m/10", "description": "Hermès", "score": 0.41},
            ],
            landmarkAnnotations=[
                {
                    "mid": "/m/11",
                    "description": "Statue of Liberty",
                    "score": 0.66,
                    "locations": [{"latLng": STATUE_OF_LIBERTY}],
                },
            ],
            imagePropertiesAnnotation={
                "dominantColors": {
                    "colors": [
                        {"color": {"red": 31, "green": 42, "blue": 68}, "score": 0.5, "pixelFraction": 0.30},
                        {"color": {"red": 25, "green": 35, "blue": 60}, "score": 0.2, "pixelFraction": 0.10},
                        {"color": {"red": 250, "green": 250, "blue": 250}, "score": 0.2, "pixelFraction": 0.35},
                        {"color": {"red": 200, "green": 30, "blue": 30}, "score": 0.1, "pixelFraction": 0.05},
                        {"color": {"red": 0, "green": 160, "blue": 0}, "score": 0.01, "pixelFraction": 0.008},
                    ]
                }
            },
            safeSearchAnnotation={
                "adult": "VERY_UNLIKELY",
                "spoof": "UNLIKELY",
                "medical": "UNLIKELY",
                "violence": "VERY_UNLIKELY",
                "racy": "POSSIBLE",
            },
        )
    )
    # The camera stood in Lyon; the landmark's own position wins for the place.
    analysis = analyse(provider, fx.jpeg(900, 900, gps=LYON))

    assert analysis.labels == ["handbag", "leather", "fashion accessory"]
    assert analysis.confidence == pytest.approx(0.97)
    assert analysis.objects == ["strap", "handbag"]
    assert analysis.subject == "handbag"
    assert analysis.text == "SUMMER SALE -30%"
    assert analysis.brand == "Longchamp"
    assert analysis.landmark == "Statue of Liberty"
    assert analysis.place is not None and analysis.place.name == "New York City"
    assert analysis.place.latitude == pytest.approx(40.6892)
    # The two navy blues merge into one colour (40 of the 80.8 % of pixels listed); the
    # green sliver (1 %) is noise.
    assert [color.name for color in analysis.colors] == ["navy blue", "white", "red"]
    first, second, third = analysis.colors
    assert first.share == pytest.approx(0.40 / 0.808, abs=0.002) and first.hex == "#1f2a44"
    assert second.share == pytest.approx(0.35 / 0.808, abs=0.002) and second.hex == "#fafafa"
    assert third.share == pytest.approx(0.05 / 0.808, abs=0.002)
    assert analysis.attributes == [color.name for color in analysis.colors]
    assert analysis.safety is not None and analysis.safety.flagged is False and analysis.safety.reasons == []
    assert (analysis.width, analysis.height, analysis.orientation) == (900, 900, "square")


def test_without_a_landmark_the_photo_keeps_its_exif_place_camera_and_time(provider: GoogleVisionProvider) -> None:
    photo = fx.jpeg(
        3000,
        2000,
        gps=LYON,
        exif={"Make": "Canon", "Model": "Canon EOS R6", "DateTimeOriginal": "2024:05:01 14:03:12", "Orientation": 6},
    )

    analysis = analyse(provider, photo)

    assert analysis.place is not None and analysis.place.name == "Lyon"
    assert analysis.camera is not None and "EOS R6" in analysis.camera
    assert analysis.captured_at == datetime(2024, 5, 1, 14, 3, 12)
    assert analysis.exif_orientation == 6
    # Orientation 6 is a quarter turn: the picture is displayed 2000 × 3000.
    assert (analysis.width, analysis.height, analysis.orientation, analysis.aspect_ratio) == (
        2000,
        3000,
        "portrait",
        0.67,
    )
    assert analysis.landmark is None


def test_an_empty_answer_is_a_valid_analysis_that_recognised_nothing(
    fake: FakeGoogleVision, provider: GoogleVisionProvider
) -> None:
    fake.script(gv.empty())

    analysis = analyse(provider, fx.jpeg(640, 480))

    assert (analysis.width, analysis.height) == (640, 480)
    assert analysis.labels == [] and analysis.objects == [] and analysis.colors == [] and analysis.text == ""
    assert analysis.subject is None and analysis.brand is None and analysis.place is None
    assert analysis.confidence is None
    assert analysis.safety is not None and analysis.safety.flagged is False
    assert analysis.usage is not None and analysis.usage.units == 7


def test_usage_counts_one_unit_per_feature_at_the_configured_price(fake: FakeGoogleVision) -> None:
    provider = GoogleVisionProvider(settings_for(fake, google_vision_usd_per_thousand_units=2.5))

    analysis = analyse(provider, fx.jpeg(640, 480))

    assert analysis.usage is not None
    assert (analysis.usage.units, analysis.usage.requests) == (7, 1)
    assert analysis.usage.cost_usd == pytest.approx(7 / 1000 * 2.5)
    assert set(analysis.timings_ms) == {"preview", "request", "map"}
    assert all(value >= 0 for value in analysis.timings_ms.values())


@pytest.mark.parametrize(
    ("likelihoods", "reasons"),
    [
        ({"adult": "VERY_LIKELY"}, ["adult"]),
        ({"adult": "LIKELY"}, ["adult"]),
        ({"adult": "POSSIBLE"}, []),
        ({"violence": "LIKELY"}, ["violence"]),
        ({"racy": "LIKELY"}, []),
        ({"racy": "VERY_LIKELY"}, ["racy"]),
        ({"medical": "VERY_LIKELY", "spoof": "VERY_LIKELY"}, []),
        ({"adult": "VERY_LIKELY", "violence": "VERY_LIKELY", "racy": "VERY_LIKELY"}, ["adult", "violence", "racy"]),
    ],
)
def test_safesearch_flags_likely_adult_or_violence_and_very_likely_racy(
    fake: FakeGoogleVision, provider: GoogleVisionProvider, likelihoods: dict[str, str], reasons: list[str]
) -> None:
    fake.script(gv.unsafe(**likelihoods))

    safety = analyse(provider, fx.jpeg(320, 240)).safety

    assert safety is not None
    assert safety.flagged is bool(reasons) and safety.reasons == reasons
    assert safety.source == "google-safesearch"


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("7", 7.0), ("0.5", 0.5), (None, None)],
)
def test_429_is_unavailable_with_retry_after(
    fake: FakeGoogleVision, provider: GoogleVisionProvider, retry_after: str | None, expected: float | None
) -> None:
    fake.script(gv.rate_limited(retry_after))

    with pytest.raises(ProviderUnavailable) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert caught.value.retry_after == expected
    assert caught.value.provider == "google_vision"
    assert "Quota exceeded" in caught.value.detail
    assert len(fake.requests) == 1


def test_retry_after_as_an_http_date(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.rate_limited(format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)))

    with pytest.raises(ProviderUnavailable) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert caught.value.retry_after is not None and 25 <= caught.value.retry_after <= 30


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_unavailable_and_not_retried_by_the_client(
    fake: FakeGoogleVision, provider: GoogleVisionProvider, status: int
) -> None:
    fake.script(gv.server_error(status), gv.server_error(status))

    with pytest.raises(ProviderUnavailable):
        analyse(provider, fx.jpeg(320, 240))

    # The client's default policy retries 503 and 504 for minutes; the chain owns retries.
    assert len(fake.requests) == 1


def test_a_reply_slower_than_the_timeout_is_unavailable_after_the_timeout(fake: FakeGoogleVision) -> None:
    provider = GoogleVisionProvider(settings_for(fake, google_vision_timeout_seconds=0.5))
    fake.script(gv.slow(3.0))

    started = time.monotonic()
    with pytest.raises(ProviderUnavailable) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert time.monotonic() - started < 2.0
    assert "did not answer" in caught.value.detail
    assert len(fake.requests) == 1


def test_an_html_error_page_from_a_proxy_is_unavailable(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.Behaviour(502, "<html><body>502 Bad Gateway</body></html>"))

    with pytest.raises(ProviderUnavailable) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert "502" in caught.value.detail


@pytest.mark.parametrize(
    "body",
    ["<html>maintenance</html>", {"responses": []}, {"responses": [{"labelAnnotations": "not a list"}]}],
    ids=["html", "no-result", "off-schema"],
)
def test_a_200_that_is_not_an_annotate_response_is_invalid(
    fake: FakeGoogleVision, provider: GoogleVisionProvider, body: Any
) -> None:
    fake.script(gv.Behaviour(200, body))

    with pytest.raises(ProviderReplyInvalid):
        analyse(provider, fx.jpeg(320, 240))


def test_an_unreachable_endpoint_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = GoogleVisionProvider(
        Settings(google_vision_endpoint=f"http://127.0.0.1:{port}", google_vision_api_key=SecretStr(API_KEY))
    )

    with pytest.raises(ProviderUnavailable) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert f"127.0.0.1:{port}" in caught.value.detail


def test_bad_image_data_is_permanent(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.image_error(3, "Bad image data."))

    with pytest.raises(PermanentError) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert caught.value.code == "undecodable"
    assert caught.value.extra["reason"] == "Bad image data."


@pytest.mark.parametrize(("code", "error"), [(13, ProviderUnavailable), (14, ProviderUnavailable), (9, ImageRefused)])
def test_other_per_image_errors(
    fake: FakeGoogleVision, provider: GoogleVisionProvider, code: int, error: type[Exception]
) -> None:
    fake.script(gv.image_error(code, "Image processing error!"))

    with pytest.raises(error):
        analyse(provider, fx.jpeg(320, 240))


def test_a_file_no_decoder_can_read_never_reaches_google(
    fake: FakeGoogleVision, provider: GoogleVisionProvider
) -> None:
    with pytest.raises(PermanentError) as caught:
        analyse(provider, b"\xff\xd8\xff\xe0 this is not a JPEG")

    assert caught.value.code == "undecodable"
    assert fake.requests == []


@pytest.mark.parametrize("reason", ["SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED", "BILLING_DISABLED"])
def test_403_is_misconfigured_and_names_the_endpoint_not_the_key(
    fake: FakeGoogleVision, provider: GoogleVisionProvider, reason: str
) -> None:
    fake.script(gv.permission_denied(reason))

    with pytest.raises(ProviderMisconfigured) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert fake.endpoint in caught.value.detail
    assert API_KEY not in caught.value.detail and API_KEY not in str(caught.value)


def test_401_is_misconfigured_without_a_resend(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.unauthenticated(), gv.unauthenticated(), gv.unauthenticated())

    with pytest.raises(ProviderMisconfigured):
        analyse(provider, fx.jpeg(320, 240))

    assert len(fake.requests) == 1


def test_a_wrong_api_key_is_misconfigured_and_not_repeated(fake: FakeGoogleVision) -> None:
    provider = GoogleVisionProvider(settings_for(fake, google_vision_api_key=SecretStr("AIzaWrongKey123")))

    with pytest.raises(ProviderMisconfigured) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert "API key not valid" in caught.value.detail and fake.endpoint in caught.value.detail
    assert "AIzaWrongKey123" not in caught.value.detail


def test_a_service_account_google_does_not_know_is_misconfigured(fake: FakeGoogleVision, tmp_path: Path) -> None:
    with FakeGoogleVision() as other:  # its keys are not trusted by `fake`
        key_file = other.service_account_file(tmp_path)
    provider = GoogleVisionProvider(
        settings_for(fake, google_vision_api_key=None, google_vision_credentials_file=key_file)
    )

    with pytest.raises(ProviderMisconfigured) as caught:
        analyse(provider, fx.jpeg(320, 240))

    assert "401" in caught.value.detail


def test_an_unrelated_bad_request_refuses_the_image(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.Behaviour(400, gv.google_error(400, "Image size (45.2M) exceeds the allowed limit.")))

    with pytest.raises(ImageRefused):
        analyse(provider, fx.jpeg(320, 240))


def test_many_calls_share_one_client_in_flight_together(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.latency = 0.5
    photos = [fx.jpeg(320, 240, seed=seed) for seed in range(16)]

    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda photo: analyse(provider, photo), photos))
    elapsed = time.monotonic() - started

    assert len(results) == 16 and all(result.usage is not None for result in results)
    assert fake.max_in_flight >= 8
    assert elapsed < 4.0  # one after another would take 8 s


# --------------------------------------------------------------------------- check()


def test_check_sends_one_image_properties_request(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    provider.check()

    assert len(fake.requests) == 1
    assert features_of(fake.requests[0].body) == [("IMAGE_PROPERTIES", 1)]


def test_check_explains_a_disabled_api(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.permission_denied("SERVICE_DISABLED"))

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.check()

    assert "Cloud Vision API has not been used" in caught.value.detail
    assert "enabled" in caught.value.detail and fake.endpoint in caught.value.detail


def test_check_explains_an_unreachable_endpoint() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = GoogleVisionProvider(
        Settings(google_vision_endpoint=f"http://127.0.0.1:{port}", google_vision_api_key=SecretStr(API_KEY))
    )

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.check()

    assert "RENAMER_GOOGLE_VISION_ENDPOINT" in caught.value.detail


def test_check_explains_an_exhausted_quota(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.rate_limited(60))

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.check()

    assert "quota" in caught.value.detail


def test_check_explains_a_failing_service(fake: FakeGoogleVision, provider: GoogleVisionProvider) -> None:
    fake.script(gv.server_error(503))

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.check()

    assert "503" in caught.value.detail and "try again later" in caught.value.detail


def test_check_refuses_an_endpoint_that_is_not_cloud_vision(
    fake: FakeGoogleVision, provider: GoogleVisionProvider
) -> None:
    fake.script(gv.empty())

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.check()

    assert "without image properties" in caught.value.detail


def test_a_missing_credentials_file_is_misconfigured(fake: FakeGoogleVision, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    provider = GoogleVisionProvider(
        settings_for(fake, google_vision_api_key=None, google_vision_credentials_file=missing)
    )

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.check()

    assert str(missing) in caught.value.detail


def test_no_credentials_at_all_is_misconfigured(
    fake: FakeGoogleVision, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.auth.compute_engine import _metadata

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud user credentials either
    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)  # never probe the metadata server (network)
    provider = GoogleVisionProvider(settings_for(fake, google_vision_api_key=None))

    with pytest.raises(ProviderMisconfigured) as caught:
        provider.load()

    assert "RENAMER_GOOGLE_VISION_API_KEY" in caught.value.detail
