"""`make eval`: how good the proposed names are, per vision provider, on a fixed set of real pictures.

    uv run --frozen python -m bench.eval [--verbose] [--provider NAME ...]

The set (bench/eval_set/references.toml): photographs scikit-image ships inside its wheel,
read from the installed package (nothing is downloaded), and pictures with text rendered
here with Pillow's built-in font. Each image carries the words a person would accept in its
name. Every configured provider analyses every image (the local one always; openai,
openai_compatible and google_vision only when their key or endpoint is set), the naming
engine proposes a name (no batch keywords, English, camera-style original names such as
IMG_1001.png so the original filename gives nothing away), and the table shows per provider:

  rules ok       names that are non-empty, within the length limit, [a-z0-9-] plus the right
                 extension, no double or edge hyphens, no Windows device name, unique in the
                 set after unique_filename. Anything under 100 % is a bug: exit status 1.
  keyword hits   names with at least one reference word (word match after the English fold).
                 A measurement, not a test: a low share still exits 0.
  alt text       length in characters, min/median/max.
  ms/image       analysis plus naming, median and 95th percentile (provider loading excluded).
  flagged        images the provider's safety verdict flagged (none of these should be).

It is not a test and touches no database, queue or bucket. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.config import get_settings
from core.errors import ProviderMisconfigured, RenamerError
from core.naming.languages import fold
from core.naming.service import NamingOptions, propose_name, unique_filename
from core.vision.base import AnalysisContext
from core.vision.registry import PROVIDERS, get_provider, is_configured

REFERENCES = Path(__file__).with_name("eval_set") / "references.toml"
LANGUAGE = "en"
PROVIDER_ORDER = ("local", "openai", "openai_compatible", "google_vision")
WHY_NOT_CONFIGURED = {
    "openai": "RENAMER_OPENAI_API_KEY is not set",
    "openai_compatible": "RENAMER_COMPATIBLE_BASE_URL is not set",
    "google_vision": "neither RENAMER_GOOGLE_VISION_API_KEY nor RENAMER_GOOGLE_VISION_CREDENTIALS_FILE is set",
}
# Checked here independently of core.naming, which is what is being measured.
WINDOWS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)
_STEM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_WORD = re.compile(r"[a-z0-9]+")


def progress(message: str) -> None:
    print(f"[eval] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the image set


@dataclass(frozen=True)
class EvalImage:
    id: str
    payload: bytes
    mime_type: str
    original_name: str
    references: tuple[str, ...]  # as written in references.toml
    rendered: bool

    @property
    def folded_references(self) -> frozenset[str]:
        return frozenset(fold(word, LANGUAGE) for word in self.references)


def _bundled(name: str) -> bytes:
    """A file from the installed scikit-image wheel; never pooch, which would download."""
    resource = resources.files("skimage") / "data" / name
    if not resource.is_file():
        raise FileNotFoundError(f"{name} is not bundled with the installed scikit-image")
    return resource.read_bytes()


def _cover(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale and centre-crop so the photo fills `size`."""
    scale = max(size[0] / photo.width, size[1] / photo.height)
    scaled = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.LANCZOS)
    left, top = (scaled.width - size[0]) // 2, (scaled.height - size[1]) // 2
    return scaled.crop((left, top, left + size[0], top + size[1]))


def _render(spec: dict[str, Any]) -> tuple[bytes, str]:
    """Centred lines of text on a plain background, or on a caption band under a photograph.

    Pillow's built-in font (no system font): the same pixels on every machine and every run."""
    width, height = spec["size"]
    lines = [(str(text), int(size)) for text, size in spec["lines"]]
    fonts = [ImageFont.load_default(size=size) for _, size in lines]
    gap = 0.35
    block = sum(size for _, size in lines) + sum(int(size * gap) for _, size in lines[1:])
    picture = Image.new("RGB", (width, height), spec["background"])
    top = (height - block) // 2
    if "base" in spec:
        band = block + 2 * int(lines[0][1] * 0.5)
        picture.paste(_cover(Image.open(io.BytesIO(_bundled(spec["base"]))).convert("RGB"), (width, height - band)))
        top = height - band + (band - block) // 2
    draw = ImageDraw.Draw(picture)
    y = top
    for (text, size), font in zip(lines, fonts, strict=True):
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (right - left)) // 2, y), text, fill=spec["ink"], font=font)
        y += size + int(size * gap)
    out = io.BytesIO()
    if "base" in spec:  # a photograph with a caption is what a shop would upload as JPEG
        picture.save(out, "JPEG", quality=90)
        return out.getvalue(), "image/jpeg"
    picture.save(out, "PNG")
    return out.getvalue(), "image/png"


def load_images(path: Path = REFERENCES) -> list[EvalImage]:
    entries = tomllib.loads(path.read_text())["image"]
    images: list[EvalImage] = []
    for number, entry in enumerate(entries, start=1001):
        references = tuple(entry["keywords"])
        if not 3 <= len(references) <= 8 or any(not _WORD.fullmatch(word) for word in references):
            raise ValueError(f"{path}: {entry['id']} needs 3-8 single lowercase words, got {references}")
        if "file" in entry:
            payload = _bundled(entry["file"])
            with Image.open(io.BytesIO(payload)) as probe:
                mime_type = Image.MIME[probe.format or ""]
            rendered = False
        else:
            payload, mime_type = _render(entry["render"])
            rendered = True
        extension = "jpg" if mime_type == "image/jpeg" else "png"
        images.append(EvalImage(entry["id"], payload, mime_type, f"IMG_{number}.{extension}", references, rendered))
    return images


# --------------------------------------------------------------------------- one provider


@dataclass
class Named:
    image: EvalImage
    filename: str = ""
    alt_text: str = ""
    ms: float = 0.0
    flagged: bool = False
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)


@dataclass
class ProviderRun:
    provider: str
    rows: list[Named]

    @property
    def named(self) -> list[Named]:
        return [row for row in self.rows if row.error is None]

    @property
    def compliant(self) -> int:
        return sum(1 for row in self.named if not row.problems)


def rule_problems(filename: str, *, extension: str, max_length: int) -> list[str]:
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem:
        return ["empty name"]
    problems: list[str] = []
    if ext != extension:
        problems.append(f"extension .{ext}, expected .{extension}")
    if len(stem) > max_length:
        problems.append(f"{len(stem)} characters, limit {max_length}")
    if re.search(r"[^a-z0-9-]", stem):
        problems.append("characters outside [a-z0-9-]")
    if "--" in stem:
        problems.append("double hyphen")
    if stem.startswith("-") or stem.endswith("-"):
        problems.append("hyphen at an end")
    if not problems and not _STEM.fullmatch(stem):
        problems.append("not words joined by single hyphens")
    if stem.lower() in WINDOWS_DEVICE_NAMES:
        problems.append("Windows device name")
    return problems


def evaluate(provider_name: str, images: list[EvalImage], options: NamingOptions) -> ProviderRun | str:
    """Every image through one provider and the naming engine; a string says why it was skipped."""
    try:
        provider = get_provider(provider_name)
    except ProviderMisconfigured as exc:
        return f"misconfigured: {exc.detail}"
    except ImportError as exc:  # registered, but its module is not in this tree yet
        return f"its module cannot be imported ({exc})"
    rows: list[Named] = []
    for number, image in enumerate(images, start=1):
        row = Named(image)
        context = AnalysisContext(language=LANGUAGE, original_name=image.original_name, mime_type=image.mime_type)
        started = time.perf_counter()
        try:
            analysis = provider.analyze(io.BytesIO(image.payload), context=context)
        except ProviderMisconfigured as exc:
            return f"misconfigured: {exc.detail}"
        except RenamerError as exc:  # the provider failed this image; the others still count
            row.error = f"{type(exc).__name__}: {exc.detail}"
            rows.append(row)
            continue
        proposal = propose_name(
            analysis,
            keywords=[],
            original_name=image.original_name,
            mime_type=image.mime_type,
            options=options,
            fallback_number=number,
        )
        row.ms = (time.perf_counter() - started) * 1000
        row.filename, row.alt_text = proposal.stem + "." + proposal.extension, proposal.alt_text
        row.flagged = analysis.safety is not None and analysis.safety.flagged
        rows.append(row)
    _finish_names(rows, options)
    return ProviderRun(provider_name, rows)


def _finish_names(rows: list[Named], options: NamingOptions) -> None:
    """unique_filename over the set as a batch would, then the rules and the reference words."""
    taken: set[str] = set()
    for row in rows:
        if row.error is not None:
            continue
        stem, _, extension = row.filename.rpartition(".")
        row.filename = unique_filename(stem, extension, taken, max_length=options.max_length)
        if row.filename.lower() in taken:
            row.problems.append("not unique in the set")
        taken.add(row.filename.lower())
        expected = "jpg" if row.image.mime_type == "image/jpeg" else "png"
        row.problems += rule_problems(row.filename, extension=expected, max_length=options.max_length)
        words = row.filename.rpartition(".")[0].split("-")
        references = row.image.folded_references
        row.matched = [word for word in words if fold(word, LANGUAGE) in references]


# --------------------------------------------------------------------------- the table


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def summary_row(run: ProviderRun) -> list[str]:
    named = run.named
    hits = sum(1 for row in named if row.matched)
    alt = [len(row.alt_text) for row in named]
    ms = [row.ms for row in named]
    return [
        run.provider,
        f"{len(named)}/{len(run.rows)}",
        _percent(run.compliant, len(named)),
        f"{hits}/{len(named)} = {_percent(hits, len(named))}",
        f"{min(alt)}/{statistics.median(alt):.0f}/{max(alt)}" if alt else "n/a",
        f"{statistics.median(ms):.0f}" if ms else "n/a",
        f"{np.percentile(ms, 95):.0f}" if ms else "n/a",
        str(sum(1 for row in named if row.flagged)),
    ]


HEADER = ["provider", "images", "rules ok", "keyword hits", "alt chars min/med/max", "ms median", "ms p95", "flagged"]


def columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def details(run: ProviderRun) -> list[str]:
    lines = [f"{run.provider}: per image"]
    for row in run.rows:
        if row.error is not None:
            lines.append(f"  {row.image.id:<22} ERROR {row.error}")
            continue
        verdict = f"hit ({', '.join(row.matched)})" if row.matched else "miss"
        flags = "  FLAGGED" if row.flagged else ""
        lines.append(f"  {row.image.id:<22} {row.filename:<52} {verdict}{flags}")
        lines.append(f"  {'':<22} alt: {row.alt_text}")
        lines.append(f"  {'':<22} wanted one of: {', '.join(row.image.references)}")
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="print every image's name, alt text and hit/miss")
    parser.add_argument("--provider", action="append", choices=PROVIDER_ORDER, help="only these providers (repeatable)")
    args = parser.parse_args(argv)

    settings = get_settings()
    options = NamingOptions(language=LANGUAGE, max_length=settings.max_name_length)
    progress("loading and rendering the image set ...")
    images = load_images()
    photographs = sum(1 for image in images if not image.rendered)

    runs: list[ProviderRun] = []
    skipped: list[str] = []
    for name in args.provider or PROVIDER_ORDER:
        if name not in PROVIDERS:
            skipped.append(f"{name}: not registered in core.vision.registry yet")
            continue
        if not is_configured(settings, name):
            skipped.append(f"{name}: {WHY_NOT_CONFIGURED.get(name, 'not configured')}")
            continue
        progress(f"{name}: {len(images)} images ...")
        result = evaluate(name, images, options)
        if isinstance(result, str):
            skipped.append(f"{name}: {result}")
        else:
            runs.append(result)

    print(
        f"Image Renamer naming evaluation  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"{len(images)} images: {photographs} photographs bundled with scikit-image {version('scikit-image')}, "
        f"{len(images) - photographs} rendered with text. Language {LANGUAGE}, no batch keywords, "
        f"names up to {options.max_length} characters."
    )
    if runs:
        print()
        print("\n".join(columns([HEADER, *map(summary_row, runs)])))
    for line in skipped:
        print(f"skipped {line}")
    broken = False
    for run in runs:
        bad = [row for row in run.named if row.problems]
        failed = [row for row in run.rows if row.error is not None]
        for row in bad:
            print(f"RULE VIOLATION {run.provider} {row.image.id}: {row.filename!r}: {'; '.join(row.problems)}")
        # The local analyzer needs no network: failing a bundled photograph is a bug, not bad luck.
        broken = broken or bool(bad) or (run.provider == "local" and bool(failed))
    if args.verbose:
        for run in runs:
            print()
            print("\n".join(details(run)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
