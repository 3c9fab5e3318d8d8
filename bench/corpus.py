"""The benchmark's files: photo-like 12 MP JPEGs and 2000 × 1500 PNGs from tests/fixtures/images.py.

Generating 200 photos takes about a minute, so each file is cached under
bench/out/corpus/ with its parameters in its name; reruns only read them.

`salted()` gives a file a short comment (a JPEG COM segment, a PNG tEXt chunk) that makes
its bytes unique to one upload. clamd remembers the hashes of clean files and answers a
rescan in ~10 ms instead of scanning (~200 ms for a 12 MP JPEG), so without the salt a
rerun, or the second batch of the same photos, would measure clamd's cache rather than
the scans a user's new photos get. The pictures themselves are unchanged.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.environment import OUT_DIR

CORPUS_DIR = OUT_DIR / "corpus"
JPEG_QUALITY = 85  # jpeg_of_megapixels' default
PNG_SEED_OFFSET = 100_000  # PNG pictures differ from the JPEG ones


@dataclass(frozen=True)
class CorpusFile:
    name: str  # what the client calls it in the upload
    path: Path
    mime_type: str
    size: int

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class _Spec:
    kind: str  # "jpeg" | "png"
    seed: int
    megapixels: float = 0.0
    width: int = 0
    height: int = 0

    @property
    def filename(self) -> str:
        if self.kind == "jpeg":
            return f"jpeg-{self.megapixels:g}mp-q{JPEG_QUALITY}-seed{self.seed}.jpg"
        return f"png-{self.width}x{self.height}-seed{self.seed}.png"


def _generate(spec: _Spec) -> Path:
    from tests.fixtures.images import jpeg_of_megapixels, png

    path = CORPUS_DIR / spec.filename
    if spec.kind == "jpeg":
        data = jpeg_of_megapixels(spec.megapixels, seed=spec.seed, quality=JPEG_QUALITY)
    else:
        data = png(spec.width, spec.height, seed=spec.seed)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)  # a run cut short never leaves a half-written file in the cache
    return path


def _ensure(specs: list[_Spec]) -> None:
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    missing = [spec for spec in specs if not (CORPUS_DIR / spec.filename).exists()]
    if not missing:
        return
    print(f"[corpus] generating {len(missing)} files into {CORPUS_DIR} (cached for later runs)", file=sys.stderr)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for done, _ in enumerate(pool.map(_generate, missing, chunksize=4), start=1):
            if done % 25 == 0 or done == len(missing):
                print(f"[corpus]   {done}/{len(missing)}", file=sys.stderr)


def _file(spec: _Spec, name: str) -> CorpusFile:
    path = CORPUS_DIR / spec.filename
    return CorpusFile(
        name=name, path=path, mime_type="image/jpeg" if spec.kind == "jpeg" else "image/png", size=path.stat().st_size
    )


def photo_corpus(
    jpegs: int = 200, megapixels: float = 12, pngs: int = 20, png_size: tuple[int, int] = (2000, 1500)
) -> list[CorpusFile]:
    """`jpegs` camera-like JPEGs then `pngs` PNGs, each named like a real upload."""
    jpeg_specs = [_Spec("jpeg", seed=i, megapixels=megapixels) for i in range(jpegs)]
    png_specs = [_Spec("png", seed=PNG_SEED_OFFSET + i, width=png_size[0], height=png_size[1]) for i in range(pngs)]
    _ensure(jpeg_specs + png_specs)
    return [_file(spec, f"IMG_{4000 + i:04d}.JPG") for i, spec in enumerate(jpeg_specs)] + [
        _file(spec, f"product-shot-{i + 1:02d}.png") for i, spec in enumerate(png_specs)
    ]


def large_photo(megapixels: float = 50) -> CorpusFile:
    spec = _Spec("jpeg", seed=0, megapixels=megapixels)
    _ensure([spec])
    return _file(spec, f"DSC_{megapixels:g}MP_0001.JPG")


# --------------------------------------------------------------------------- salting


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def salted(data: bytes, mime_type: str, salt: str) -> bytes:
    """`data` with `salt` embedded as a comment: same picture, bytes unique to this upload."""
    comment = f"bench {salt}".encode()
    if mime_type == "image/jpeg":
        if data[:2] != b"\xff\xd8":
            raise ValueError("not a JPEG")
        at = 2
        if data[2:4] == b"\xff\xe0":  # keep JFIF's APP0 right after SOI, where the standard wants it
            (length,) = struct.unpack(">H", data[4:6])
            at = 4 + length
        return data[:at] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[at:]
    if mime_type == "image/png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            raise ValueError("not a PNG")
        at = 8 + 12 + struct.unpack(">I", data[8:12])[0]  # after IHDR, which must come first
        return data[:at] + _png_chunk(b"tEXt", b"Comment\0" + comment) + data[at:]
    raise ValueError(f"cannot salt {mime_type}")
