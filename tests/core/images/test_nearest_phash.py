"""The near-duplicate search (repository.nearest_phash) against the real PostgreSQL: the
Hamming distance is computed there (XOR of the 64-bit hashes, then bit_count), over the rows
of one batch. Rows are written and read through the maintenance role, which sees every tenant."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image as PILImage

from core.batches.models import Batch
from core.db import get_maintenance_sessionmaker, maintenance_transaction
from core.images import repository
from core.images.similarity import NEAR_DUPLICATE_DISTANCE, perceptual_hash
from tests.core.images.test_similarity import EDITS, PHOTOS, _photo
from tests.fixtures import images as fx
from tests.support.tenants import image_row, new_organization

UPLOADED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def organization(services: None) -> uuid.UUID:
    return new_organization("Near duplicates")


def _batch(organization_id: uuid.UUID) -> uuid.UUID:
    with maintenance_transaction() as session:
        batch = Batch(organization_id=organization_id, name="near duplicates")
        session.add(batch)
        session.flush()
        return batch.id


def _image(
    organization_id: uuid.UUID,
    batch_id: uuid.UUID,
    phash: str | None,
    *,
    minute: int,
    image_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """An image row of the batch uploaded `minute` minutes after UPLOADED (created_at sets the order)."""
    with maintenance_transaction() as session:
        image = image_row(
            organization_id,
            batch_id,
            id=image_id or uuid.uuid4(),
            original_name=f"{minute}.jpg",
            phash=phash,
            created_at=UPLOADED + timedelta(minutes=minute),
        )
        session.add(image)
        session.flush()
        return image.id


def _nearest(
    batch_id: uuid.UUID, phash: str, *, max_distance: int, exclude: uuid.UUID | None = None
) -> uuid.UUID | None:
    with get_maintenance_sessionmaker()() as session:
        return repository.nearest_phash(
            session, batch_id, phash, exclude=exclude or uuid.uuid4(), max_distance=max_distance
        )


def test_nearest_picks_the_closest_candidate_within_the_distance(organization: uuid.UUID) -> None:
    target = "00000000000000ff"  # differs from 0 in 8 bits, from ...fe in 1
    batch = _batch(organization)
    # The tie's earlier upload gets the larger id and is inserted last, so neither the id nor
    # the insertion order can stand in for created_at.
    low, high = sorted((uuid.uuid4(), uuid.uuid4()))
    far = _image(organization, batch, "0000000000000000", minute=0)
    later_tie = _image(organization, batch, "00000000000000fe", minute=20, image_id=low)
    earlier_tie = _image(organization, batch, "00000000000000fe", minute=10, image_id=high)
    _image(organization, batch, None, minute=5)  # not hashed (no thumbnail): never a match
    assert _nearest(batch, target, max_distance=10) == earlier_tie, "closest wins; ties go to the earliest upload"
    assert _nearest(batch, target, max_distance=10, exclude=earlier_tie) == later_tie
    assert _nearest(batch, "0000000000000000", max_distance=10) == far

    lone = _batch(organization)
    only = _image(organization, lone, "0000000000000000", minute=0)
    assert _nearest(lone, target, max_distance=8) == only, "the limit is inclusive"
    assert _nearest(lone, target, max_distance=7) is None
    # All 64 bits count, the sign bit included.
    assert _nearest(lone, "8000000000000000", max_distance=1) == only
    assert _nearest(lone, "ffffffffffffffff", max_distance=63) is None

    assert _nearest(_batch(organization), target, max_distance=10) is None, "an empty batch"
    assert _nearest(_batch(organization), "0000000000000000", max_distance=64) is None, "other batches are not searched"


def test_exclude_leaves_the_image_itself_out(organization: uuid.UUID) -> None:
    batch = _batch(organization)
    itself = _image(organization, batch, "00000000000000ff", minute=10)
    other = _image(organization, batch, "00000000000000fe", minute=0)
    assert _nearest(batch, "00000000000000ff", max_distance=10) == itself, "distance 0 beats an earlier upload"
    assert _nearest(batch, "00000000000000ff", max_distance=10, exclude=itself) == other
    assert _nearest(batch, "00000000000000ff", max_distance=0, exclude=itself) is None


def test_nearest_finds_the_earlier_copy_among_real_photos(organization: uuid.UUID) -> None:
    batch = _batch(organization)
    ids = {name: _image(organization, batch, perceptual_hash(_photo(name)), minute=n) for n, name in enumerate(PHOTOS)}
    edited_coffee = perceptual_hash(EDITS["cropped, shrunk and brightened"](_photo("coffee")))
    copy = _image(organization, batch, edited_coffee, minute=len(PHOTOS))
    # As the worker asks when the later upload finishes: itself left out.
    assert _nearest(batch, edited_coffee, max_distance=NEAR_DUPLICATE_DISTANCE, exclude=copy) == ids["coffee"]
    unrelated = perceptual_hash(PILImage.open(io.BytesIO(fx.jpeg(seed=5))))
    assert _nearest(batch, unrelated, max_distance=NEAR_DUPLICATE_DISTANCE) is None
