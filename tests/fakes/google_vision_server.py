"""A fake Google Cloud Vision API on 127.0.0.1, so the official client runs for real in tests.

Implements `POST /v1/images:annotate` with the documented JSON shapes
(https://cloud.google.com/vision/docs/reference/rest/v1/images/annotate) and Google's
error body `{"error": {"code", "message", "status", "details"}}`, plus `POST /token`, the
OAuth2 JWT-bearer grant a service account uses. Authentication is checked like Google
does: an API key (`key=` query or `x-goog-api-key` header), a Bearer access token issued
by `/token`, or a self-signed service-account JWT (what the official client sends by
default), verified against the public key of a service account made by
`service_account_file()`.

Unless scripted, an answer is computed from the image's pixels: dominant colours
(imagePropertiesAnnotation), one label per colour family covering a tenth of the picture,
and the bounding box of whatever differs from the border colour as a localized object
("Rectangle", "Circle" or "Shape" by how much of its box it fills). `script()` queues
behaviours (`rate_limited()`, `server_error()`, `slow()`, `image_error()`, `annotated()`
...), one per annotate call, in order.

Latency is an asyncio wait, so many calls can be in flight at once.
"""

from __future__ import annotations

import asyncio
import base64
import colorsys
import contextlib
import copy
import io
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import exceptions as auth_errors
from google.auth import jwt
from google.cloud import vision
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.serving import ThreadedServer

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
VISION_SCOPES = ("https://www.googleapis.com/auth/cloud-vision", "https://www.googleapis.com/auth/cloud-platform")
VISION_AUDIENCE = "https://vision.googleapis.com/"
# The audiences Google's token endpoint accepts in an assertion (google-auth always sends the first).
TOKEN_AUDIENCES = ["https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token"]
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}  # fmt: skip
_LIKELIHOOD_VALUES = {name: int(value) for name, value in vision.Likelihood.__members__.items()}
_FEATURE_NAMES = {int(value): name for name, value in vision.Feature.Type.__members__.items()}
FEATURE_NAMES = _FEATURE_NAMES  # number -> name, as the client sends numbers
_DEFAULT_MAX_RESULTS = 10


# --------------------------------------------------------------------------- behaviours


@dataclass
class Behaviour:
    """What the fake does for one annotate call.

    `body` is sent as is with `status` (JSON, or HTML when it is a str); otherwise a 200 whose per-image response is the
    computed one with `image` merged over it (or exactly `image` when `replace`)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    image: dict[str, Any] | None = None
    replace: bool = False


def google_error(status: int, message: str, *, reason: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": status, "message": message, "status": _STATUS_NAMES.get(status, "UNKNOWN")}
    if reason is not None:
        error["details"] = [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}
        ]
    return {"error": error}


def rate_limited(retry_after: str | float | None = 7) -> Behaviour:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    message = "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service vision."
    return Behaviour(429, google_error(429, message, reason="RATE_LIMIT_EXCEEDED"), headers)


def server_error(status: int = 500) -> Behaviour:
    messages = {500: "Internal error encountered.", 503: "The service is currently unavailable."}
    return Behaviour(status, google_error(status, messages.get(status, "Backend error.")))


def slow(seconds: float) -> Behaviour:
    return Behaviour(delay=seconds)


def image_error(code: int = 3, message: str = "Bad image data.") -> Behaviour:
    return Behaviour(image={"error": {"code": code, "message": message}}, replace=True)


def permission_denied(reason: str = "SERVICE_DISABLED") -> Behaviour:
    messages = {
        "SERVICE_DISABLED": "Cloud Vision API has not been used in project 123456789 before or it is disabled. "
        "Enable it by visiting https://console.developers.google.com/apis/api/vision.googleapis.com/overview"
        "?project=123456789 then retry.",
        "API_KEY_SERVICE_BLOCKED": "Requests to this API vision.googleapis.com method "
        "google.cloud.vision.v1.ImageAnnotator.BatchAnnotateImages are blocked.",
        "BILLING_DISABLED": "This API method requires billing to be enabled.",
    }
    return Behaviour(403, google_error(403, messages.get(reason, "The caller does not have permission"), reason=reason))


def unauthenticated() -> Behaviour:
    message = (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential."
    )
    return Behaviour(401, google_error(401, message, reason="ACCESS_TOKEN_TYPE_UNSUPPORTED"))


def empty() -> Behaviour:
    """Nothing recognised: Google answers `{"responses": [{}]}`."""
    return Behaviour(image={}, replace=True)


def annotated(*, replace: bool = False, **fields: Any) -> Behaviour:
    """Per-image response fields (camelCase JSON names), over the computed answer unless `replace`."""
    return Behaviour(image=fields, replace=replace)


def unsafe(**likelihoods: str) -> Behaviour:
    """SafeSearch with the given likelihoods (e.g. adult="VERY_LIKELY"), VERY_UNLIKELY for the rest."""
    annotation = dict.fromkeys(("adult", "spoof", "medical", "violence", "racy"), "VERY_UNLIKELY")
    annotation.update(likelihoods)
    return Behaviour(image={"safeSearchAnnotation": annotation})


# --------------------------------------------------------------------------- records


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON (annotate) or the form fields (token)
    auth: tuple[str, str] | None = None  # ("api_key", key) | ("token", email) | ("jwt", email)

    @property
    def api_key(self) -> str | None:
        return self.query.get("key", [None])[0] or self.headers.get("x-goog-api-key")

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None


# --------------------------------------------------------------------------- pixels


def _family(rgb: np.ndarray) -> str:
    hue, saturation, value = colorsys.rgb_to_hsv(*(float(channel) / 255 for channel in rgb))
    if value < 0.2:
        return "Black"
    if saturation < 0.15:
        return "White" if value > 0.85 else "Grey"
    degrees = hue * 360
    for limit, name in ((15, "Red"), (45, "Orange"), (70, "Yellow"), (170, "Green"), (260, "Blue"), (320, "Purple")):
        if degrees < limit:
            return name
    return "Pink" if degrees < 345 else "Red"


def _dominant(image: Image.Image, count: int) -> list[dict[str, Any]]:
    small = image.convert("RGB").resize((96, 96), Image.Resampling.BOX)
    quantized = small.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = np.array((quantized.getpalette() or [])[: 3 * count], dtype=np.int64).reshape(-1, 3)
    counts = np.bincount(np.asarray(quantized).ravel(), minlength=len(palette))
    total = counts.sum()
    found = []
    for index in np.argsort(-counts, kind="stable"):
        if counts[index] == 0:
            break
        fraction = float(counts[index] / total)
        red, green, blue = (int(value) for value in palette[index])
        found.append(
            {
                "color": {"red": red, "green": green, "blue": blue},
                "score": round(fraction, 4),
                "pixelFraction": fraction,
            }
        )
    return found


def _object(image: Image.Image) -> dict[str, Any] | None:
    pixels = np.asarray(image.convert("RGB").resize((128, 128), Image.Resampling.BOX), dtype=np.float64)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background = np.median(border, axis=0)
    mask = np.linalg.norm(pixels - background, axis=2) > 60
    if not 0.01 < mask.mean() < 0.95:
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    fill = float(mask[top:bottom, left:right].mean())
    name = "Rectangle" if fill > 0.9 else "Circle" if fill > 0.7 else "Shape"
    x0, x1, y0, y1 = left / 128, right / 128, top / 128, bottom / 128
    return {
        "mid": f"/m/fake_{name.lower()}",
        "name": name,
        "score": round(0.6 + 0.35 * fill, 4),
        "boundingPoly": {
            "normalizedVertices": [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]
        },
    }


def computed_response(image: Image.Image, features: dict[str, int]) -> dict[str, Any]:
    """A plausible AnnotateImageResponse for the requested features, from the pixels alone."""
    response: dict[str, Any] = {}
    colors = _dominant(image, 10)
    if "IMAGE_PROPERTIES" in features:
        response["imagePropertiesAnnotation"] = {"dominantColors": {"colors": colors[: features["IMAGE_PROPERTIES"]]}}
    if "LABEL_DETECTION" in features:
        shares: dict[str, float] = {}
        for entry in colors:
            rgb = np.array([entry["color"][key] for key in ("red", "green", "blue")])
            shares[_family(rgb)] = shares.get(_family(rgb), 0.0) + entry["pixelFraction"]
        labels = [
            {"mid": f"/m/fake_{name.lower()}", "description": name, "score": round(0.55 + 0.4 * share, 4),
             "topicality": round(0.55 + 0.4 * share, 4)}
            for name, share in sorted(shares.items(), key=lambda item: -item[1])
            if share >= 0.1
        ]  # fmt: skip
        if labels:
            response["labelAnnotations"] = labels[: features["LABEL_DETECTION"]]
    if "OBJECT_LOCALIZATION" in features and (found := _object(image)) is not None:
        response["localizedObjectAnnotations"] = [found]
    if "SAFE_SEARCH_DETECTION" in features:
        response["safeSearchAnnotation"] = dict.fromkeys(
            ("adult", "spoof", "medical", "violence", "racy"), "VERY_UNLIKELY"
        )
    return response


# --------------------------------------------------------------------------- server


class FakeGoogleVision:
    """`with FakeGoogleVision() as fake:` serves on `fake.endpoint` until the block ends."""

    def __init__(self, *, api_keys: tuple[str, ...] = ("test-api-key",), latency: float = 0.0) -> None:
        self.api_keys = set(api_keys)
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self.token_requests: list[RecordedRequest] = []
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._public_keys: dict[str, bytes] = {}  # private_key_id -> PEM public key
        self._tokens: dict[str, tuple[str, float]] = {}  # access token -> (email, expiry)
        self.in_flight = 0
        self.max_in_flight = 0
        self._closing: asyncio.Event | None = None  # set at shutdown: pending sleeps end at once
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    # ------------------------------------------------------------ lifecycle

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.endpoint}/token"

    def __enter__(self) -> FakeGoogleVision:
        app = Starlette(
            routes=[
                Route("/v1/images:annotate", self._annotate, methods=["POST"]),
                Route("/token", self._token, methods=["POST"]),
            ]
        )
        self._serving = ThreadedServer(app, "Google Vision", timeout_graceful_shutdown=1)
        self.port = self._serving.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._closing is not None:
            self._loop.call_soon_threadsafe(self._closing.set)
        self._serving.stop(timeout=10)

    # ------------------------------------------------------------ test API

    def reset(self) -> None:
        """Forget recorded calls, queued behaviours and latency (issued tokens and trusted keys stay)."""
        with self._lock:
            self.requests.clear()
            self.token_requests.clear()
            self._queue.clear()
            self.latency = 0.0
            self.max_in_flight = self.in_flight

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours, one per coming annotate call; calls past the queue get the computed answer."""
        with self._lock:
            self._queue.extend(behaviours)

    def service_account_file(
        self, directory: Path, *, email: str = "renamer-test@renamer-test.iam.gserviceaccount.com"
    ) -> Path:
        """A service-account JSON key (fresh RSA key) whose token_uri is this server; its key is trusted here."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        with self._lock:
            self._public_keys[key_id] = private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        info = {
            "type": "service_account",
            "project_id": "renamer-test",
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": "100000000000000000001",
            "auth_uri": f"{self.endpoint}/auth",
            "token_uri": self.token_url,
        }
        path = directory / f"service-account-{key_id[:8]}.json"
        path.write_text(json.dumps(info))
        return path

    # ------------------------------------------------------------ handlers

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at shutdown so a scripted long delay does not hold the server up."""
        if self._closing is None:
            self._loop = asyncio.get_running_loop()
            self._closing = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _record(self, request: Request, body: Any) -> RecordedRequest:
        return RecordedRequest(
            path=request.url.path,
            query=parse_qs(request.url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in request.headers.items()},
            body=body,
        )

    def _verify_jwt(self, token: str, audience: list[str] | None) -> dict[str, Any] | None:
        try:
            claims = jwt.decode(token, certs=dict(self._public_keys), audience=audience, clock_skew_in_seconds=10)  # type: ignore[no-untyped-call]
            return dict(claims)
        except (ValueError, auth_errors.MalformedError, auth_errors.InvalidValue):
            return None

    def _authenticate(self, recorded: RecordedRequest) -> Response | None:
        if recorded.api_key is not None:
            if recorded.api_key not in self.api_keys:
                return JSONResponse(
                    google_error(400, "API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID"), 400
                )
            recorded.auth = ("api_key", recorded.api_key)
            return None
        token = recorded.bearer
        if token is None:
            return JSONResponse(
                google_error(
                    403, "Method doesn't allow unregistered callers (callers without established identity).",
                    reason="CREDENTIALS_MISSING"
                ),
                403,
            )  # fmt: skip
        with self._lock:
            issued = self._tokens.get(token)
        if issued is not None and issued[1] > time.time():
            recorded.auth = ("token", issued[0])
            return None
        claims = self._verify_jwt(token, None)
        if claims is not None:
            scopes = str(claims.get("scope", "")).split()
            if claims.get("aud") == VISION_AUDIENCE or any(scope in VISION_SCOPES for scope in scopes):
                recorded.auth = ("jwt", str(claims.get("iss")))
                return None
        return JSONResponse(unauthenticated().body, 401)

    async def _annotate(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        recorded = await self._record(request, body)
        with self._lock:
            self.requests.append(recorded)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await self._pause(self.latency)
            refused = self._authenticate(recorded)
            if refused is not None:
                return refused
            with self._lock:
                behaviour = self._queue.popleft() if self._queue else Behaviour()
            if behaviour.delay:
                await self._pause(behaviour.delay)
            if isinstance(behaviour.body, str):  # e.g. the HTML page a proxy or load balancer sends
                return Response(behaviour.body, behaviour.status, headers=behaviour.headers, media_type="text/html")
            if behaviour.body is not None or behaviour.status != 200:
                return JSONResponse(behaviour.body, behaviour.status, headers=behaviour.headers)
            if not isinstance(body, dict) or not body.get("requests"):
                return JSONResponse(google_error(400, "No requests specified."), 400)
            ints = "enum-encoding=int" in recorded.query.get("$alt", [""])[0]
            responses = [self._answer(item, behaviour, ints=ints) for item in body["requests"]]
            return JSONResponse({"responses": responses}, headers=behaviour.headers)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, item: dict[str, Any], behaviour: Behaviour, *, ints: bool) -> dict[str, Any]:
        if behaviour.replace:
            response = copy.deepcopy(behaviour.image or {})
        else:
            features: dict[str, int] = {}
            for feature in item.get("features", []):
                kind = feature.get("type", "TYPE_UNSPECIFIED")
                name = _FEATURE_NAMES.get(kind, "TYPE_UNSPECIFIED") if isinstance(kind, int) else str(kind)
                features[name] = int(feature.get("maxResults") or _DEFAULT_MAX_RESULTS)
            try:
                content = base64.b64decode(item["image"]["content"], validate=True)
                with Image.open(io.BytesIO(content)) as opened:
                    opened.load()
                    response = computed_response(opened, features)
            except Exception:  # any decoder failure is what Google calls bad image data
                return {"error": {"code": 3, "message": "Bad image data."}}
            response.update(copy.deepcopy(behaviour.image or {}))
        safe = response.get("safeSearchAnnotation")
        if ints and isinstance(safe, dict):  # the client asked for numeric enums ($alt=json;enum-encoding=int)
            response["safeSearchAnnotation"] = {
                key: _LIKELIHOOD_VALUES.get(value, value) for key, value in safe.items()
            }
        return response

    async def _token(self, request: Request) -> Response:
        # The token endpoint takes a form; parse_qs because Starlette's form parser needs python-multipart.
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        recorded = await self._record(request, form)
        with self._lock:
            self.token_requests.append(recorded)
        if form.get("grant_type") != JWT_BEARER:
            return JSONResponse({"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}, 400)
        claims = self._verify_jwt(form.get("assertion", ""), [*TOKEN_AUDIENCES, self.token_url])
        if claims is None:
            return JSONResponse({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 400)
        if not any(scope in VISION_SCOPES for scope in str(claims.get("scope", "")).split()):
            return JSONResponse({"error": "invalid_scope", "error_description": "Invalid OAuth scope."}, 400)
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = (str(claims.get("iss")), time.time() + 3600)
        recorded.auth = ("jwt", str(claims.get("iss")))
        return JSONResponse({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
