"""Near-duplicate detection with perceptual hashes, on real photos (scikit-image's samples).
The search for the closest image of a batch is tested against PostgreSQL in test_nearest_phash.py."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

import pytest
from PIL import Image, ImageEnhance
from skimage import data

from core.images.similarity import NEAR_DUPLICATE_DISTANCE, hamming, perceptual_hash
from tests.fixtures import images as fx

# `cat` is `chelsea` under another name, so it is left out of the "different photos".
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "moon", "coins", "horse", "clock")


def _photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(data, name)()).convert("RGB")


def _reencoded(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def _crop(image: Image.Image, fraction: float) -> Image.Image:
    width, height = image.size
    return image.crop((int(width * fraction), int(height * fraction), width, height))


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "half size": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS),
    "quarter size thumbnail": lambda im: im.resize((im.width // 4, im.height // 4), Image.Resampling.BILINEAR),
    "JPEG quality 30": lambda im: _reencoded(im, "JPEG", 30),
    "WebP quality 50": lambda im: _reencoded(im, "WEBP", 50),
    "2 % cropped off two edges": lambda im: _crop(im, 0.02),
    "10 % brighter": lambda im: ImageEnhance.Brightness(im).enhance(1.1),
    "cropped, shrunk and brightened": lambda im: ImageEnhance.Brightness(
        _crop(im, 0.02).resize((im.width * 2 // 3, im.height * 2 // 3))
    ).enhance(1.08),
}


def test_hash_is_64_bits_in_16_hex_characters_and_stable() -> None:
    photo = _photo("astronaut")
    value = perceptual_hash(photo)
    assert len(value) == 16 and int(value, 16) >= 0 and value == value.lower()
    assert perceptual_hash(photo.copy()) == value


@pytest.mark.parametrize("photo", PHOTOS)
@pytest.mark.parametrize("edit", EDITS)
def test_edited_copies_are_near_duplicates(photo: str, edit: str) -> None:
    original = _photo(photo)
    copy = EDITS[edit](original)
    distance = hamming(perceptual_hash(original), perceptual_hash(copy))
    assert distance <= NEAR_DUPLICATE_DISTANCE, f"{photo} {edit}: {distance}"


def test_different_photos_are_not_near_duplicates() -> None:
    hashes = {name: perceptual_hash(_photo(name)) for name in PHOTOS}
    for (a, hash_a), (b, hash_b) in itertools.combinations(hashes.items(), 2):
        assert hamming(hash_a, hash_b) > NEAR_DUPLICATE_DISTANCE, (a, b)


def test_different_synthetic_photos_are_not_near_duplicates() -> None:
    hashes = [perceptual_hash(Image.open(io.BytesIO(fx.jpeg(seed=seed)))) for seed in range(40)]
    closest = min(hamming(a, b) for a, b in itertools.combinations(hashes, 2))
    assert closest > NEAR_DUPLICATE_DISTANCE


def test_hamming_counts_differing_bits() -> None:
    assert hamming("0000000000000000", "0000000000000000") == 0
    assert hamming("0000000000000000", "ffffffffffffffff") == 64
    assert hamming("8000000000000001", "0000000000000000") == 2
    assert hamming("ABCDEF0123456789", "abcdef0123456789") == 0
    with pytest.raises(ValueError):
        hamming("abc", "0000000000000000")
