"""Object storage over the plain S3 API (SeaweedFS in development, MinIO in production).

Keys are laid out per tenant (`orgs/{organization_id}/batches/{batch_id}/...`; files stored
before organizations existed keep their `users/{user_id}/...` keys, which stay readable
since every row records its own key); the original filename is never part of a key.
Everything streams: uploads read from file objects, downloads hand back the
streaming body, and `upload_chunks` turns a generator (the ZIP builder) into a multipart
upload that holds one part in memory at a time.
"""

from __future__ import annotations

import base64
import io
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.client import Config
from botocore.exceptions import BotoCoreError, ClientError

from core import metrics
from core.config import Settings, get_settings
from core.errors import NotFound, ServiceUnavailable

PART_SIZE = 8 * 1024 * 1024
LINK_CACHE_SIZE = 20_000  # reusable GET links kept per process (a few MB)


def batch_root(organization_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    """Every object of a batch lives under this prefix (core.retention deletes it as one)."""
    return f"orgs/{organization_id}/batches/{batch_id}/"


def original_key(organization_id: uuid.UUID, batch_id: uuid.UUID, image_id: uuid.UUID, extension: str) -> str:
    return f"{batch_root(organization_id, batch_id)}originals/{image_id}.{extension}"


def thumbnail_key(organization_id: uuid.UUID, batch_id: uuid.UUID, image_id: uuid.UUID) -> str:
    return f"{batch_root(organization_id, batch_id)}thumbnails/{image_id}.webp"


def export_key(organization_id: uuid.UUID, batch_id: uuid.UUID, version: int, build_id: str) -> str:
    """One object per build: two builds of the same version never share (or delete) a key."""
    return f"{batch_root(organization_id, batch_id)}exports/renamed-v{version}-{build_id}.zip"


def incoming_key(organization_id: uuid.UUID, batch_id: uuid.UUID, upload_id: uuid.UUID) -> str:
    """Where a browser puts a file with a presigned POST before the 'complete' call checks it."""
    return f"{batch_root(organization_id, batch_id)}incoming/{upload_id}"


# S3 operations by the `operation` label of renamer_storage_errors_total.
_OPERATIONS = {
    "PutObject": "put",
    "GetObject": "get",
    "HeadObject": "head",
    "HeadBucket": "head",
    "DeleteObject": "delete",
    "DeleteObjects": "delete",
    "CopyObject": "copy",
    "CreateMultipartUpload": "multipart",
    "UploadPart": "multipart",
    "CompleteMultipartUpload": "multipart",
    "AbortMultipartUpload": "multipart",
    "ListObjectsV2": "list",
}


def _count_failed_call(http_response: Any = None, model: Any = None, **_: Any) -> None:
    """An answer that is an error. 404 is not: a missing key is an answer callers expect
    (`size()`, `open()`, `ensure_bucket()`), not storage failing."""
    status = getattr(http_response, "status_code", 200)
    if status >= 400 and status != 404:
        metrics.STORAGE_ERRORS.labels(operation=_OPERATIONS.get(getattr(model, "name", ""), "other")).inc()


def _count_unreachable(event_name: str = "", **_: Any) -> None:
    """No answer at all (connection refused, timeout) after the retries."""
    metrics.STORAGE_ERRORS.labels(operation=_OPERATIONS.get(event_name.rpartition(".")[2], "other")).inc()


class _ChunkReader(io.RawIOBase):
    """A read()-able view of an iterator of byte chunks, for boto3's managed upload."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


class ObjectStorage:
    def __init__(self, settings: Settings) -> None:
        session = boto3.session.Session()
        common: dict[str, Any] = {
            "aws_access_key_id": settings.s3_access_key,
            "aws_secret_access_key": settings.s3_secret_key,
            "region_name": settings.s3_region,
            "config": Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
                # The I/O worker runs dozens of threads on one client (thread-safe); the default pool of 10 would
                # make them queue for a connection.
                max_pool_connections=max(10, settings.vision_io_concurrency + 4),
            ),
        }
        self.bucket = settings.s3_bucket
        self._client = session.client("s3", endpoint_url=settings.s3_endpoint_url, **common)
        # Counted after botocore's own retries: a call that still failed (renamer_storage_errors_total).
        self._client.meta.events.register("after-call.s3", _count_failed_call)
        self._client.meta.events.register("after-call-error.s3", _count_unreachable)
        # Presigned URLs are signed for the host the browser will use.
        self._public = session.client("s3", endpoint_url=settings.effective_s3_public_endpoint_url, **common)
        self.ttl = settings.presigned_url_ttl
        self._transfer = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, use_threads=False)
        self._links: OrderedDict[str, tuple[str, float]] = OrderedDict()  # key -> (GET link, signed at)
        self._links_lock = threading.Lock()

    @property
    def client(self) -> Any:
        return self._client

    def ping(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise ServiceUnavailable("Object storage is not reachable.", code="storage_unavailable") from exc

    def ensure_bucket(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self._client.create_bucket(Bucket=self.bucket)

    def put(self, key: str, source: BinaryIO, *, content_type: str, crc32: int | None = None) -> None:
        """Store `source` from its current position to its end.

        With `crc32` (the CRC-32 of those bytes, computed as they were received) the object
        goes up in one PutObject that carries it: the S3 server checks the bytes against it
        and refuses a mismatch (BadDigest), so what is stored is what was received, and the
        checksum the ZIP writer later trusts was verified by the store. botocore then need
        not read the body a second time to compute its own."""
        try:
            if crc32 is None:
                self._client.upload_fileobj(
                    source, self.bucket, key, ExtraArgs={"ContentType": content_type}, Config=self._transfer
                )
            else:
                self._client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=source,
                    ContentType=content_type,
                    ChecksumCRC32=base64.b64encode(crc32.to_bytes(4, "big")).decode("ascii"),
                )
        except (BotoCoreError, ClientError) as exc:
            raise ServiceUnavailable("Could not store the file; try again.", code="storage_unavailable") from exc

    def upload_chunks(self, key: str, chunks: Iterable[bytes], *, content_type: str) -> int:
        """Stream a generator to S3 (multipart above PART_SIZE); returns the object's size."""
        reader = io.BufferedReader(_ChunkReader(chunks), buffer_size=PART_SIZE)
        self._client.upload_fileobj(
            reader, self.bucket, key, ExtraArgs={"ContentType": content_type}, Config=self._transfer
        )
        return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def open(self, key: str) -> Any:
        """The object's streaming body (iter_chunks(), read(n), close())."""
        try:
            return self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound("The stored file is missing.", code="object_missing") from exc
            raise ServiceUnavailable("Object storage is not reachable.", code="storage_unavailable") from exc

    def iter_object(self, key: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        body = self.open(key)
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def size(self, key: str) -> int | None:
        try:
            return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError:
            return None

    def copy(self, source_key: str, target_key: str) -> None:
        self._client.copy_object(
            Bucket=self.bucket, Key=target_key, CopySource={"Bucket": self.bucket, "Key": source_key}
        )

    def delete(self, *keys: str) -> None:
        for start in range(0, len(keys), 1000):
            part = keys[start : start + 1000]
            if part:
                self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in part], "Quiet": True}
                )

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def presign_get(self, key: str, *, download_name: str | None = None, ttl: int | None = None) -> str:
        """A GET link. Links with neither a download name nor a ttl of their own (thumbnails,
        asked for on every listing) are reused for half their lifetime: signing costs boto3
        about 0.2 ms, most of a large listing's time, and a link handed out still has at least
        ttl/2 to live. The same URL also lets the browser cache the picture."""
        if download_name is not None or ttl is not None:
            return self._sign_get(key, download_name, ttl or self.ttl)
        now = time.monotonic()
        with self._links_lock:
            cached = self._links.get(key)
            if cached is not None and now - cached[1] < self.ttl / 2:
                return cached[0]
        url = self._sign_get(key, None, self.ttl)
        with self._links_lock:
            self._links[key] = (url, now)
            self._links.move_to_end(key)
            while len(self._links) > LINK_CACHE_SIZE:
                self._links.popitem(last=False)
        return url

    def _sign_get(self, key: str, download_name: str | None, ttl: int) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        url: str = self._public.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl)
        return url

    def presign_post(self, key: str, *, max_bytes: int, ttl: int | None = None) -> dict[str, Any]:
        """A browser form upload limited to max_bytes (S3 refuses anything larger)."""
        result: dict[str, Any] = self._public.generate_presigned_post(
            self.bucket,
            key,
            Conditions=[["content-length-range", 1, max_bytes]],
            ExpiresIn=ttl or self.ttl,
        )
        return result


@lru_cache
def get_storage() -> ObjectStorage:
    return ObjectStorage(get_settings())
