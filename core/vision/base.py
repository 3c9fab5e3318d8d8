"""The vision provider interface and the analysis every provider returns.

Providers are plugins (one class per implementation, chosen by settings). Each one has
a lazy `load()` (models, clients) and an `analyze()` that turns image bytes into an
`Analysis`. The naming engine reads only `Analysis`, never provider specifics, so a new
provider plugs in without touching naming.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field


class DominantColor(BaseModel):
    name: str  # a human colour name such as "navy blue" or "red"
    hex: str  # "#1f2a44"
    share: float  # fraction of pixels, 0..1


class Place(BaseModel):
    name: str  # nearest populated place, e.g. "Lyon"
    admin1: str | None = None  # region, e.g. "Auvergne-Rhone-Alpes"
    country_code: str | None = None  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float


class AnalysisContext(BaseModel):
    """What the batch tells the provider about the image."""

    keywords: list[str] = Field(default_factory=list)
    language: str = "en"
    original_name: str = ""
    mime_type: str = "image/jpeg"
    brand: str | None = None  # the batch's brand, so a provider can name it when the logo is visible
    checksum: str | None = None  # SHA-256 of the original: the cache key, and a stable id for logs


class Safety(BaseModel):
    """Whether the picture is unsafe for a descriptive public name (nudity, adult, violence)."""

    flagged: bool
    reasons: list[str] = Field(default_factory=list)  # "nudity", "adult", "violence", "racy", "medical"
    source: str  # "nudenet", "google-safesearch", "openai"
    score: float | None = None  # the highest score behind the verdict, 0..1, when there is one


class Usage(BaseModel):
    """What one analysis cost at the provider; recorded per image and per batch, exported as metrics."""

    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    units: int = 0  # billable units for per-feature pricing (Google Cloud Vision)
    requests: int = 0  # HTTP calls made, retries and repairs included
    cost_usd: float = 0.0


Orientation = Literal["landscape", "portrait", "square"]
SQUARE_TOLERANCE = 0.03  # within 3 % of 1:1 counts as square


def orientation(width: int, height: int) -> tuple[Orientation, float]:
    """Orientation and aspect ratio (width / height, 2 places) of a picture as displayed."""
    ratio = width / height
    if abs(ratio - 1.0) <= SQUARE_TOLERANCE:
        return "square", round(ratio, 2)
    return ("landscape" if ratio > 1 else "portrait"), round(ratio, 2)


class Analysis(BaseModel):
    provider: str
    width: int
    height: int
    orientation: Orientation
    aspect_ratio: float  # width / height, rounded to 2 places
    # Main subject in a few words when the provider can tell ("red leather handbag").
    subject: str | None = None
    # Descriptive labels, most important first ("handbag", "leather", "studio").
    labels: list[str] = Field(default_factory=list)
    colors: list[DominantColor] = Field(default_factory=list)
    text: str = ""  # OCR or provider-read text, whitespace-normalised
    faces: int = 0
    captured_at: datetime | None = None
    camera: str | None = None  # "Canon EOS 5D Mark IV"
    exif_orientation: int | None = None  # EXIF 1..8
    place: Place | None = None
    alt_text: str | None = None  # provider-suggested alt text, if any
    confidence: float | None = None  # 0..1, when the provider gives one
    # What recognising providers add (the local analyzer leaves these empty).
    objects: list[str] = Field(default_factory=list)  # things in the picture, most prominent first
    attributes: list[str] = Field(default_factory=list)  # colours, materials, styles: "navy", "leather"
    setting: str | None = None  # "studio", "beach at sunset"
    brand: str | None = None  # a legible brand or logo
    landmark: str | None = None  # "Eiffel Tower"
    suggested_words: list[str] = Field(default_factory=list)  # the provider's own filename words
    safety: Safety | None = None
    usage: Usage | None = None
    cached: bool = False  # True when this result came from the analysis cache (nothing paid)
    timings_ms: dict[str, float] = Field(default_factory=dict)  # stage -> milliseconds


class VisionProvider(Protocol):
    name: str
    # True for providers that call a remote service: their work waits on the network, so
    # images go to the I/O queue, whose worker keeps many calls in flight.
    remote: bool
    # Bumped whenever the prompt or the mapping to Analysis changes, so cached results of
    # an older prompt are not reused (cache key: image SHA-256 + provider + prompt version).
    prompt_version: str

    def load(self) -> None:
        """Load models and clients; called once per process, before the first analyze()."""

    def analyze(self, source: BinaryIO, *, context: AnalysisContext) -> Analysis:
        """Analyse one image read from `source` (seekable).

        Raises (core.errors): ProviderUnavailable for 429, 5xx, timeouts and connection
        failures (with retry_after when the reply said so), ProviderReplyInvalid for a reply
        that is empty, not JSON or off-schema even after one repair attempt,
        ProviderMisconfigured for a key, model or endpoint that cannot work for any image,
        ImageRefused when the provider refuses this image, and PermanentError for an image
        that can never be analysed. One HTTP attempt per call: the chain (core.vision.chain)
        owns retries, backoff, the circuit breaker and fallback to the next provider."""

    def check(self) -> None:
        """Verify the configuration (key, endpoint, model able to see images) with a tiny request.

        Raises ProviderMisconfigured with a sentence an operator can act on. Called when a
        worker starts and by `GET /health/providers`; cheap for the local analyzer."""


@runtime_checkable
class KeywordSuggester(Protocol):
    """A text-capable provider that can propose related keywords."""

    name: str

    def suggest_keywords(
        self, keywords: list[str], *, audience: str | None, language: str, limit: int
    ) -> tuple[list[str], Usage]:
        """Related keywords, most relevant first, without the given ones; and what the call cost."""
