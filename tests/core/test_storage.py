"""ObjectStorage against the real S3 server (SeaweedFS in development and CI)."""

from __future__ import annotations

import io
import os
import uuid
import zlib

import pytest

from core.errors import ServiceUnavailable
from core.storage import get_storage

pytestmark = pytest.mark.usefixtures("services")


def test_a_put_with_the_received_checksum_stores_those_bytes() -> None:
    storage = get_storage()
    data = os.urandom(300_000)
    key = f"tests/storage/{uuid.uuid4()}"
    storage.put(key, io.BytesIO(data), content_type="image/jpeg", crc32=zlib.crc32(data))
    try:
        assert b"".join(storage.iter_object(key)) == data
    finally:
        storage.delete(key)


def test_bytes_that_differ_from_the_received_checksum_are_refused_and_not_stored() -> None:
    """What the ZIP writer later trusts as the entry's CRC is checked by the store itself."""
    storage = get_storage()
    data = os.urandom(300_000)
    received = zlib.crc32(data)
    changed = bytearray(data)
    changed[150_000] ^= 0xFF  # one byte changed between receiving and storing
    key = f"tests/storage/{uuid.uuid4()}"
    with pytest.raises(ServiceUnavailable):
        storage.put(key, io.BytesIO(bytes(changed)), content_type="image/jpeg", crc32=received)
    assert storage.size(key) is None
