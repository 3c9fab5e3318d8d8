"""Google Cloud Vision through the official client (REST transport): labels, objects, text,
logos, landmarks, colours and SafeSearch in one `images:annotate` call per image.

The client sends the 1024 px preview (core.vision.preview), never the original. One HTTP
attempt per call: the client's own retry is switched off (retry=None) and so is the
auth session's re-send on 401, because the chain (core.vision.chain) owns retries,
backoff, the circuit breaker and fallback. Google bills per feature per image, so
`Usage.units` is the number of features asked for.

Credentials, first one configured wins: an API key (sent as the x-goog-api-key header,
so it never appears in a URL or a log line), a service-account JSON file (self-signed
JWT, as the client does by default), or application default credentials.
"""

from __future__ import annotations

import email.utils
import io
import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

import requests
from google.api_core import exceptions as google_errors
from google.api_core.client_options import ClientOptions
from google.auth import exceptions as auth_errors
from google.cloud import vision
from google.protobuf import json_format
from PIL import Image
from requests.adapters import HTTPAdapter

from core.config import Settings, get_settings
from core.errors import (
    ImageRefused,
    PermanentError,
    ProviderMisconfigured,
    ProviderReplyInvalid,
    ProviderUnavailable,
    RenamerError,
)
from core.vision import colors, geocode
from core.vision.base import Analysis, AnalysisContext, DominantColor, Place, Safety, Usage, orientation
from core.vision.preview import Preview, make_preview

log = logging.getLogger(__name__)

# Bump when FEATURES or the mapping to Analysis changes: cached analyses of an older
# version are then not reused.
PROMPT_VERSION = "gcv-1"
SCOPE = "https://www.googleapis.com/auth/cloud-vision"

_Type = vision.Feature.Type
# (feature, max_results); 0 leaves the service's default for features without a list.
FEATURES: tuple[tuple[Any, int], ...] = (
    (_Type.LABEL_DETECTION, 20),
    (_Type.OBJECT_LOCALIZATION, 10),
    (_Type.TEXT_DETECTION, 0),
    (_Type.LOGO_DETECTION, 3),
    (_Type.LANDMARK_DETECTION, 3),
    (_Type.IMAGE_PROPERTIES, 10),
    (_Type.SAFE_SEARCH_DETECTION, 0),
)

LABEL_MIN_SCORE = 0.6
OBJECT_MIN_SCORE = 0.5
LOGO_MIN_SCORE = 0.5

_Likelihood = vision.Likelihood
_LIKELY = frozenset({_Likelihood.LIKELY, _Likelihood.VERY_LIKELY})
# google.rpc.Code values of a per-image error worth another try.
_TRANSIENT_CODES = frozenset({1, 2, 4, 8, 10, 13, 14})  # cancelled, unknown, deadline, exhausted, aborted, ...
_INVALID_ARGUMENT = 3
_AUTH_CODES = frozenset({7, 16})  # permission denied, unauthenticated
# ErrorInfo reasons (and message words) that say the key or project is wrong, not the image.
_MISCONFIGURED_REASONS = frozenset(
    {"API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED",
     "SERVICE_DISABLED", "BILLING_DISABLED", "CONSUMER_INVALID", "USER_PROJECT_DENIED", "ACCESS_TOKEN_TYPE_UNSUPPORTED"}
)  # fmt: skip
_MISCONFIGURED_WORDS = ("api key", "project", "billing", "credential", "api has not been used", "disabled")


class GoogleVisionProvider:
    """VisionProvider backed by Google Cloud Vision (see the module docstring)."""

    name = "google_vision"
    remote = True
    prompt_version = PROMPT_VERSION

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.endpoint = self.settings.google_vision_endpoint
        self._client: vision.ImageAnnotatorClient | None = None
        self._load_lock = threading.Lock()

    # ------------------------------------------------------------------ set-up

    def load(self) -> None:
        """Build the client. Idempotent and thread-safe; analyze() calls it if nobody did.

        Raises ProviderMisconfigured when no usable credentials can be found."""
        with self._load_lock:
            if self._client is not None:
                return
            options = ClientOptions(api_endpoint=self.endpoint)
            credentials = None
            settings = self.settings
            if settings.google_vision_api_key is not None:
                options.api_key = settings.google_vision_api_key.get_secret_value()
            elif settings.google_vision_credentials_file is not None:
                credentials = self._service_account(settings.google_vision_credentials_file)
            else:
                credentials = self._default_credentials()
            # An http:// endpoint (a local test server) is kept as given by the REST transport;
            # a bare host:port gets https://.
            client = vision.ImageAnnotatorClient(credentials=credentials, transport="rest", client_options=options)
            self._tune_session(client)
            self._client = client

    def _service_account(self, path: Any) -> Any:
        from google.oauth2 import service_account

        try:
            return service_account.Credentials.from_service_account_file(str(path), scopes=[SCOPE])  # type: ignore[no-untyped-call]
        except (OSError, ValueError, KeyError) as exc:
            raise ProviderMisconfigured(
                f"The Google Cloud Vision credentials file {path} could not be used ({type(exc).__name__}: {exc}); "
                "set RENAMER_GOOGLE_VISION_CREDENTIALS_FILE to a service-account JSON key.",
                provider=self.name,
            ) from exc

    def _default_credentials(self) -> Any:
        import google.auth

        try:
            credentials, _ = google.auth.default(scopes=[SCOPE])
        except auth_errors.DefaultCredentialsError as exc:
            raise ProviderMisconfigured(
                "Google Cloud Vision has no credentials: set RENAMER_GOOGLE_VISION_API_KEY or "
                "RENAMER_GOOGLE_VISION_CREDENTIALS_FILE, or provide application default credentials "
                "(GOOGLE_APPLICATION_CREDENTIALS or a Google Cloud runtime).",
                provider=self.name,
            ) from exc
        return credentials

    def _tune_session(self, client: vision.ImageAnnotatorClient) -> None:
        # The transport's AuthorizedSession is built inside the client with no way to pass
        # options, so two settings are changed on it afterwards:
        # - no re-send on 401 (google-auth's default is up to two): one attempt per call;
        # - a connection pool as large as our concurrency: requests' default of 10 would
        #   open and drop a connection per call beyond ten in flight.
        session = getattr(client.transport, "_session", None)
        if session is None:  # a future client without the attribute: keep its defaults
            log.warning("google vision: the REST session was not found; default retries and pool kept")
            return
        session._max_refresh_attempts = 0
        size = max(10, self.settings.google_vision_max_concurrency)
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=size, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)

    # ------------------------------------------------------------------ calls

    def _annotate(self, content: bytes, features: Sequence[tuple[Any, int]], language: str | None) -> Any:
        """One images:annotate request; the per-image response, or our error for a failed call."""
        if self._client is None:
            self.load()
        assert self._client is not None
        request = vision.AnnotateImageRequest(
            image=vision.Image(content=content),
            features=[vision.Feature(type_=kind, max_results=limit) for kind, limit in features],
            image_context=vision.ImageContext(language_hints=[language]) if language else None,
        )
        try:
            reply = self._client.batch_annotate_images(
                requests=[request], retry=None, timeout=self.settings.google_vision_timeout_seconds
            )
        except google_errors.GoogleAPICallError as exc:
            raise self._http_error(exc) from exc
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise ProviderMisconfigured(
                f"The Google Cloud Vision endpoint {self.endpoint!r} is not a usable URL ({exc}); "
                "set RENAMER_GOOGLE_VISION_ENDPOINT to a host such as vision.googleapis.com.",
                provider=self.name,
            ) from exc
        except (requests.Timeout, requests.ConnectionError, auth_errors.TransportError) as exc:
            raise ProviderUnavailable(
                f"Google Cloud Vision at {self.endpoint} did not answer ({type(exc).__name__}).",
                provider=self.name,
            ) from exc
        except auth_errors.RefreshError as exc:
            raise ProviderMisconfigured(
                f"Google refused the service-account credentials for {self.endpoint}: {self._scrub(str(exc))}",
                provider=self.name,
            ) from exc
        except json_format.ParseError as exc:  # a 200 whose body is not an AnnotateImages response
            raise ProviderReplyInvalid(
                f"Google Cloud Vision at {self.endpoint} sent a reply that is not an AnnotateImages response.",
                provider=self.name,
                extra={"reason": str(exc)[:300]},
            ) from exc
        if len(reply.responses) != 1:
            raise ProviderReplyInvalid(
                f"Google Cloud Vision at {self.endpoint} answered {len(reply.responses)} results for one image.",
                provider=self.name,
            )
        response = reply.responses[0]
        if response.error.code:
            raise self._image_error(response.error.code, response.error.message)
        return response

    def analyze(self, source: BinaryIO, *, context: AnalysisContext) -> Analysis:
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 2)
            clock = now

        preview = make_preview(source)
        lap("preview")
        response = self._annotate(preview.jpeg, FEATURES, context.language)
        lap("request")
        analysis = self._to_analysis(response, preview)
        lap("map")
        units = len(FEATURES)
        analysis.usage = Usage(
            units=units,
            requests=1,
            cost_usd=round(units / 1000 * self.settings.google_vision_usd_per_thousand_units, 8),
        )
        analysis.timings_ms = timings
        return analysis

    def check(self) -> None:
        """Annotate a tiny generated picture (image properties only, one billable unit)."""
        sample = io.BytesIO()
        Image.new("RGB", (16, 16), (200, 40, 40)).save(sample, "JPEG")
        try:
            response = self._annotate(sample.getvalue(), [(_Type.IMAGE_PROPERTIES, 1)], None)
        except ProviderMisconfigured:
            raise
        except ProviderUnavailable as exc:
            if isinstance(exc.__cause__, google_errors.TooManyRequests):
                hint = "the project's quota is used up or too low; raise it in the Google Cloud console"
            elif isinstance(exc.__cause__, google_errors.GoogleAPICallError):
                hint = "the service is failing; check https://status.cloud.google.com and try again later"
            else:
                hint = "check RENAMER_GOOGLE_VISION_ENDPOINT and that this host can reach it"
            raise ProviderMisconfigured(f"{exc.detail} ({hint}).", provider=self.name) from exc
        except RenamerError as exc:
            raise ProviderMisconfigured(
                f"Google Cloud Vision at {self.endpoint} could not analyse a 16 × 16 test image: {exc.detail}",
                provider=self.name,
            ) from exc
        if not response.image_properties_annotation.dominant_colors.colors:
            raise ProviderMisconfigured(
                f"{self.endpoint} answered without image properties for a test image; "
                "check that RENAMER_GOOGLE_VISION_ENDPOINT points at Google Cloud Vision.",
                provider=self.name,
            )

    # ------------------------------------------------------------------ errors

    def _scrub(self, text: str) -> str:
        key = self.settings.google_vision_api_key
        return text.replace(key.get_secret_value(), "***") if key is not None else text

    def _http_error(self, exc: google_errors.GoogleAPICallError) -> RenamerError:
        message = self._scrub(_google_message(exc))
        status = str(exc.code or "error")
        if isinstance(exc, google_errors.TooManyRequests):
            return ProviderUnavailable(
                f"Google Cloud Vision at {self.endpoint} is rate limiting (429): {message}",
                provider=self.name,
                retry_after=_retry_after(exc),
            )
        if isinstance(exc, google_errors.ServerError):  # 500, 501, 502, 503, 504 and DeadlineExceeded
            return ProviderUnavailable(
                f"Google Cloud Vision at {self.endpoint} failed ({status}): {message}",
                provider=self.name,
                retry_after=_retry_after(exc),
            )
        if isinstance(exc, google_errors.Unauthorized | google_errors.Forbidden):
            return ProviderMisconfigured(
                f"Google Cloud Vision at {self.endpoint} refused the credentials ({status}): {message} "
                "Check the API key or service account, and that the Cloud Vision API and billing are enabled "
                "for its project.",
                provider=self.name,
            )
        if isinstance(exc, google_errors.NotFound):
            return ProviderMisconfigured(
                f"{self.endpoint} has no images:annotate method (404); "
                "check RENAMER_GOOGLE_VISION_ENDPOINT (default vision.googleapis.com).",
                provider=self.name,
            )
        if isinstance(exc, google_errors.BadRequest):
            lowered = message.lower()
            if exc.reason in _MISCONFIGURED_REASONS or any(word in lowered for word in _MISCONFIGURED_WORDS):
                return ProviderMisconfigured(
                    f"Google Cloud Vision at {self.endpoint} rejected the request: {message} "
                    "Check RENAMER_GOOGLE_VISION_API_KEY or the service account's project.",
                    provider=self.name,
                )
            return ImageRefused(f"Google Cloud Vision refused this image: {message}", provider=self.name)
        # 408, 409 and anything unusual: another try may well work; the chain decides.
        return ProviderUnavailable(
            f"Google Cloud Vision at {self.endpoint} answered {status}: {message}", provider=self.name
        )

    def _image_error(self, code: int, message: str) -> RenamerError:
        """The `error` of one AnnotateImageResponse (google.rpc.Status; the HTTP call itself succeeded)."""
        message = self._scrub(message)
        if code == _INVALID_ARGUMENT:
            return PermanentError(
                "Google Cloud Vision could not read the image; it may be truncated or corrupt.",
                code="undecodable",
                extra={"reason": message},
            )
        if code in _TRANSIENT_CODES:
            return ProviderUnavailable(
                f"Google Cloud Vision at {self.endpoint} failed on this image (code {code}): {message}",
                provider=self.name,
            )
        if code in _AUTH_CODES:
            return ProviderMisconfigured(
                f"Google Cloud Vision at {self.endpoint} refused the credentials for this image: {message}",
                provider=self.name,
            )
        return ImageRefused(f"Google Cloud Vision refused this image (code {code}): {message}", provider=self.name)

    # ------------------------------------------------------------------ mapping

    def _to_analysis(self, response: Any, preview: Preview) -> Analysis:
        labels = _unique(
            label.description.lower()
            for label in sorted(response.label_annotations, key=lambda item: -item.score)
            if label.score >= LABEL_MIN_SCORE and label.description
        )
        found = [item for item in response.localized_object_annotations if item.score >= OBJECT_MIN_SCORE and item.name]
        objects = _unique(item.name.lower() for item in sorted(found, key=lambda item: -item.score))
        prominent = max(found, key=_prominence, default=None)
        subject = prominent.name.lower() if prominent is not None else (labels[0] if labels else None)

        text = response.full_text_annotation.text
        if not text and response.text_annotations:
            text = response.text_annotations[0].description
        logos = sorted(response.logo_annotations, key=lambda item: -item.score)
        brand = logos[0].description if logos and logos[0].score >= LOGO_MIN_SCORE else None
        landmarks = sorted(response.landmark_annotations, key=lambda item: -item.score)
        landmark = landmarks[0] if landmarks else None

        dominant = _colors(response.image_properties_annotation.dominant_colors.colors)
        width, height = preview.original_width, preview.original_height
        shape, aspect_ratio = orientation(width, height)
        top_labels = sorted(response.label_annotations, key=lambda item: -item.score)
        return Analysis(
            provider=self.name,
            width=width,
            height=height,
            orientation=shape,
            aspect_ratio=aspect_ratio,
            subject=subject,
            labels=labels,
            objects=objects,
            colors=dominant,
            attributes=_unique(color.name for color in dominant),
            text=" ".join(text.split()),
            captured_at=preview.metadata.captured_at,
            camera=preview.metadata.camera,
            exif_orientation=preview.metadata.orientation,
            place=self._place(landmark, preview),
            brand=brand,
            landmark=landmark.description if landmark is not None and landmark.description else None,
            confidence=round(float(top_labels[0].score), 4) if top_labels else None,
            safety=_safety(response.safe_search_annotation),
        )

    def _place(self, landmark: Any, preview: Preview) -> Place | None:
        # The landmark's own position says where the picture shows; the camera's GPS only
        # says where it was taken (a landmark shot from across a bay).
        if landmark is not None:
            for location in landmark.locations:
                point = location.lat_lng
                if point.latitude or point.longitude:
                    place = geocode.nearest_place(point.latitude, point.longitude)
                    if place is not None:
                        return place
        if preview.metadata.gps is not None:
            return geocode.nearest_place(*preview.metadata.gps)
        return None


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _prominence(item: Any) -> float:
    """Score × area of the normalised bounding box: a big, sure object is the subject."""
    vertices = item.bounding_poly.normalized_vertices
    if not vertices:
        return float(item.score) * 1e-6  # no box: rank by score, below anything boxed
    xs, ys = [float(vertex.x) for vertex in vertices], [float(vertex.y) for vertex in vertices]
    area = max(0.0, min(1.0, max(xs)) - max(0.0, min(xs))) * max(0.0, min(1.0, max(ys)) - max(0.0, min(ys)))
    return float(item.score) * area


def _colors(found: Any) -> list[DominantColor]:
    """Google's up-to-ten colours, named, merged by name, shares normalised to the listed pixels."""
    total = sum(float(entry.pixel_fraction) for entry in found)
    if total <= 0:
        return []
    merged: dict[str, tuple[float, float, str]] = {}  # name -> (share, biggest part's share, its hex)
    for entry in found:
        rgb = tuple(
            max(0, min(255, round(channel))) for channel in (entry.color.red, entry.color.green, entry.color.blue)
        )
        share = float(entry.pixel_fraction) / total
        name = colors.name_color((rgb[0], rgb[1], rgb[2]))
        hex_value = "#{:02x}{:02x}{:02x}".format(*rgb)
        previous = merged.get(name)
        if previous is None:
            merged[name] = (share, share, hex_value)
        else:
            biggest, biggest_hex = (share, hex_value) if share > previous[1] else (previous[1], previous[2])
            merged[name] = (previous[0] + share, biggest, biggest_hex)
    ranked = sorted(merged.items(), key=lambda item: -item[1][0])
    return [
        DominantColor(name=name, hex=hex_value, share=round(share, 3))
        for name, (share, _, hex_value) in ranked[: colors.TOP_COLORS]
        if share >= colors.MIN_SHARE
    ]


def _safety(annotation: Any) -> Safety:
    reasons = []
    if annotation.adult in _LIKELY:
        reasons.append("adult")
    if annotation.violence in _LIKELY:
        reasons.append("violence")
    if annotation.racy == _Likelihood.VERY_LIKELY:
        reasons.append("racy")
    return Safety(flagged=bool(reasons), reasons=reasons, source="google-safesearch")


def _google_message(exc: google_errors.GoogleAPICallError) -> str:
    """Google's own sentence from the error body, without the method and URL the client prepends."""
    response = exc.response
    try:
        body = response.json() if response is not None else None
        message = body["error"]["message"] if isinstance(body, dict) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        message = None
    return str(message or exc.message or type(exc).__name__)[:500]


def _retry_after(exc: google_errors.GoogleAPICallError) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    headers = getattr(exc.response, "headers", None)
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
