"""The vision provider interface and the analysis every provider returns.

Providers are plugins (one class per implementation, chosen by settings). Each one has
a lazy `load()` (models, clients) and an `analyze()` that turns image bytes into an
`Analysis`. The naming engine reads only `Analysis`, never provider specifics, so a new
provider plugs in without touching naming.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, Literal, Protocol

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


class Analysis(BaseModel):
    provider: str
    width: int
    height: int
    orientation: Literal["landscape", "portrait", "square"]
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
    timings_ms: dict[str, float] = Field(default_factory=dict)  # stage -> milliseconds


class VisionProvider(Protocol):
    name: str

    def load(self) -> None:
        """Load models and clients; called once per process, before the first analyze()."""

    def analyze(self, source: BinaryIO, *, context: AnalysisContext) -> Analysis:
        """Analyse one image read from `source` (seekable). Raises core.errors.PermanentError
        for an image it can never analyse and TransientError for a failure worth retrying."""
