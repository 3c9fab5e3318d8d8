"""Perceptual hashes for spotting near-duplicate images within a batch.

A marketer's batch often holds the same photo twice: a resized export next to the original,
a re-saved JPEG, a slightly cropped or brightened edit. The SHA-256 duplicate check at upload
cannot see those; a 64-bit DCT hash (imagehash.phash) survives them, and the Hamming distance
between two hashes says how far apart the pictures look. Pure functions, no I/O; the search
for a batch's closest image runs in PostgreSQL (core.images.repository.nearest_phash).
"""

from __future__ import annotations

import imagehash
from PIL import Image

HASH_BITS = 64
HASH_HEX_LENGTH = HASH_BITS // 4

# Measured with imagehash 4.3 phash on scikit-image's sample photos (astronaut, coffee, chelsea, rocket,
# camera, moon, coins, horse, page, clock, hubble_deep_field, retina, immunohistochemistry):
#   same photo, resized to 1/2 or 1/4, JPEG q30, WebP q50:   0-4
#   cropped by 2-3 % on one or two edges:                    0-10 (one outlier at 12: 3 % off two edges of retina)
#   brightened or darkened by 10 %:                          0-2
#   two different photos:                                    20 and more (closest: hubble_deep_field/retina)
#   200 different synthetic test photos (tests.fixtures):    14 and more (19,900 pairs)
# 10 catches the edits above and stays 4 bits clear of the closest unrelated pair seen.
NEAR_DUPLICATE_DISTANCE = 10


def perceptual_hash(image: Image.Image) -> str:
    """The image's 64-bit perceptual hash as 16 lowercase hex characters.

    A reduced decode is fine (and cheaper): the hash is computed on a 32x32 greyscale version anyway.
    """
    return str(imagehash.phash(image, hash_size=8))


def _as_int(value: str) -> int:
    if len(value) != HASH_HEX_LENGTH:
        raise ValueError(f"a perceptual hash is {HASH_HEX_LENGTH} hex characters, got {value!r}")
    return int(value, 16)


def hamming(a: str, b: str) -> int:
    """How many of the 64 bits differ between two hashes (0: look the same, 64: opposite)."""
    return (_as_int(a) ^ _as_int(b)).bit_count()
