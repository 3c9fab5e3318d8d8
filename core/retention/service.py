"""Retention and deletion: what the privacy promise says happens to people's files.

- Originals, thumbnails and ZIPs are deleted `retention_days` after a batch finishes. The
  batch stays, with its names, alt text and manifest; `purged_at` makes the download a 410.
- A person can delete one batch, or their account with everything in it, at once: their
  personal organization and every organization where they are the only member go with it
  (refused while they are the only owner of one that has other members); batches they made
  in an organization shared with others stay with that organization.

Every deletion takes the same path: the rows change and a tombstone naming the storage
prefix is written in one transaction; after it commits the prefix is emptied, so no
transaction is open while S3 is talked to. A storage step that fails, or that a task
still in flight could undo (a thumbnail written after its batch went), is finished by
the beat-driven sweep here: a tombstone goes only once its prefix is seen empty after its
settle time (core.retention.models).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.accounts import service as account_service
from core.accounts.schemas import Principal
from core.batches import service as batch_service
from core.config import Settings
from core.db import transaction
from core.organizations import repository as organization_repository
from core.organizations import service as organization_service
from core.retention import repository
from core.retention.models import TombstoneReason
from core.retention.repository import ClaimedTombstone
from core.storage import ObjectStorage, batch_root

log = logging.getLogger(__name__)
T = TypeVar("T")

PURGE_LIMIT = 100  # batches purged per sweep run; the rest wait for the next run
TOMBSTONE_LIMIT = 200  # prefixes emptied per sweep run
LEASE = timedelta(minutes=15)  # a pass that died holds its tombstones this long
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
DEADLOCK_DETECTED = "40P01"
DEADLOCK_RETRIES = 3


def batch_prefix(organization_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    """Everything a batch has in storage: originals, thumbnails, exports, incoming (core.storage keys)."""
    return batch_root(organization_id, batch_id)


def organization_prefix(organization_id: uuid.UUID) -> str:
    return f"orgs/{organization_id}/"


def legacy_batch_prefix(owner_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    """Where files of batches made before organizations existed live (keys were per user then)."""
    return f"users/{owner_id}/batches/{batch_id}/"


def legacy_user_prefix(owner_id: uuid.UUID) -> str:
    """A person's files from before organizations existed: all of them belong to batches of
    their personal organization (migration 0006), which goes with the account."""
    return f"users/{owner_id}/"


def batch_prefixes(organization_id: uuid.UUID, owner_id: uuid.UUID | None, batch_id: uuid.UUID) -> list[str]:
    prefixes = [batch_prefix(organization_id, batch_id)]
    if owner_id is not None:
        prefixes.append(legacy_batch_prefix(owner_id, batch_id))  # an empty listing when there is none
    return prefixes


def settle_delay(settings: Settings) -> timedelta:
    """How long after its rows went a task may still write into a prefix. A claim older than
    stuck_processing_after_seconds counts as dead, so twice that is past any live writer."""
    return timedelta(seconds=2 * settings.stuck_processing_after_seconds)


class Pass(StrEnum):
    DONE = "done"  # seen empty after the settle time: tombstone dropped
    WAITING = "waiting"  # emptied; checked again once in-flight writers are done
    FAILED = "failed"  # storage failed or objects remained: retried with backoff


@dataclass(frozen=True)
class EmptyingReport:
    done: int
    waiting: int
    failed: int


@dataclass(frozen=True)
class RetentionReport:
    batches_purged: int
    prefixes_done: int
    prefixes_waiting: int
    prefixes_failed: int


def delete_batch(
    principal: Principal,
    batch_id: uuid.UUID,
    *,
    sessions: sessionmaker[Session],
    storage: ObjectStorage,
    settings: Settings,
) -> None:
    """Delete a batch, its images and every stored object of it. A batch still processing
    is cancelled: its queued and running tasks find no row and end quietly."""

    def remove(session: Session) -> list[uuid.UUID]:
        now = datetime.now(UTC)
        batch = batch_service.get(session, principal, batch_id, for_update=True)
        prefixes = batch_prefixes(batch.organization_id, batch.owner_id, batch.id)
        repository.forget_analyses(session, batch_id=batch.id)
        batch_service.delete(session, principal, batch_id)
        return [
            repository.add_tombstone(
                session, prefix, reason=TombstoneReason.BATCH_DELETED, settle_at=now + settle_delay(settings), now=now
            )
            for prefix in prefixes
        ]

    tombstones = _retry_deadlock(sessions, remove, tenant=principal.organization_id)
    _empty_now(tombstones, sessions=sessions, storage=storage)


def delete_account(
    user_id: uuid.UUID,
    *,
    password: str | None,
    sessions: sessionmaker[Session],
    storage: ObjectStorage,
    settings: Settings,
) -> None:
    """Delete the person's account once they confirmed with their password: their personal
    organization and every organization where they are the only member go with it, with all
    their rows (the database cascades from the organization) and stored files; batches they
    made in organizations shared with others stay there. 409 while they are the only owner
    of an organization with other members."""

    def remove(session: Session) -> list[uuid.UUID]:
        account_service.confirm_deletion(session, user_id, password=password)
        now = datetime.now(UTC)
        doomed = organization_service.organizations_to_delete_with(session, user_id)
        prefixes = [organization_prefix(organization_id) for organization_id in doomed]
        prefixes.append(legacy_user_prefix(user_id))
        for organization_id in doomed:
            # Cascades to its batches, images, cached analyses, keys, invitations and billing rows
            # (referential actions are not filtered by row-level security).
            organization_repository.delete_organization(session, organization_id)
        account_service.delete(session, user_id)
        return [
            repository.add_tombstone(
                session,
                prefix,
                reason=TombstoneReason.ACCOUNT_DELETED,
                settle_at=now + settle_delay(settings),
                now=now,
            )
            for prefix in prefixes
        ]

    _empty_now(_retry_deadlock(sessions, remove), sessions=sessions, storage=storage)


def sweep(*, sessions: sessionmaker[Session], storage: ObjectStorage, settings: Settings) -> RetentionReport:
    """One run of the beat-driven retention sweep: purge expired batches, then work on due
    tombstones. Bounded per run; two sweeps at once take disjoint rows (SKIP LOCKED)."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        purged = repository.purge_expired(
            session, finished_before=now - timedelta(days=settings.retention_days), limit=PURGE_LIMIT, now=now
        )
        for organization_id, owner_id, batch_id in purged:
            for prefix in batch_prefixes(organization_id, owner_id, batch_id):
                repository.add_tombstone(
                    session,
                    prefix,
                    reason=TombstoneReason.RETENTION,
                    settle_at=now + settle_delay(settings),
                    now=now,
                )
    emptied = empty_prefixes(sessions=sessions, storage=storage)
    return RetentionReport(
        batches_purged=len(purged),
        prefixes_done=emptied.done,
        prefixes_waiting=emptied.waiting,
        prefixes_failed=emptied.failed,
    )


def empty_prefixes(
    *,
    sessions: sessionmaker[Session],
    storage: ObjectStorage,
    limit: int = TOMBSTONE_LIMIT,
    ids: list[uuid.UUID] | None = None,
) -> EmptyingReport:
    """Empty the prefixes of due tombstones (or of `ids`, when due). Storage is talked to
    between two short transactions: one claims the tombstones, one records the outcome."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        claimed = repository.claim_tombstones(session, now=now, lease_until=now + LEASE, limit=limit, ids=ids)
    outcomes: list[tuple[ClaimedTombstone, Pass, str | None]] = []
    for tombstone in claimed:
        try:
            outcome, error = _empty(storage, tombstone)
        except Exception as exc:  # one prefix failing must not stop the others; the tombstone retries it
            log.warning("emptying a storage prefix failed", exc_info=True, extra={"prefix": tombstone.prefix})
            outcome, error = Pass.FAILED, f"{type(exc).__name__}: {exc}"
        outcomes.append((tombstone, outcome, error))
    with transaction(sessions) as session:
        for tombstone, outcome, error in outcomes:
            if outcome == Pass.DONE:
                repository.drop_tombstone(session, tombstone.id)
            elif outcome == Pass.WAITING:
                repository.reschedule_tombstone(session, tombstone.id, at=tombstone.settle_at, error=None)
            else:
                repository.reschedule_tombstone(
                    session, tombstone.id, at=datetime.now(UTC) + _backoff(tombstone.attempts), error=error
                )
    return EmptyingReport(
        done=sum(o == Pass.DONE for _, o, _ in outcomes),
        waiting=sum(o == Pass.WAITING for _, o, _ in outcomes),
        failed=sum(o == Pass.FAILED for _, o, _ in outcomes),
    )


def _empty(storage: ObjectStorage, tombstone: ClaimedTombstone) -> tuple[Pass, str | None]:
    deleted = _delete_prefix(storage, tombstone.prefix)
    if datetime.now(UTC) < tombstone.settle_at:
        return Pass.WAITING, None
    # delete_objects reports refused keys in its reply rather than raising: look again.
    if deleted and _any_object(storage, tombstone.prefix):
        return Pass.FAILED, "objects remained after deleting them"
    return Pass.DONE, None


def _delete_prefix(storage: ObjectStorage, prefix: str) -> int:
    """Delete every object under `prefix`, one listing page (up to 1000 keys) at a time, so
    memory stays flat however many objects an account has (ObjectStorage.list_keys collects
    them all first). Returns how many were found."""
    found = 0
    paginator = storage.client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=storage.bucket, Prefix=prefix):
        keys = [item["Key"] for item in page.get("Contents", [])]
        found += len(keys)
        storage.delete(*keys)
    return found


def _any_object(storage: ObjectStorage, prefix: str) -> bool:
    reply = storage.client.list_objects_v2(Bucket=storage.bucket, Prefix=prefix, MaxKeys=1)
    return bool(reply.get("Contents"))


def _backoff(attempts: int) -> timedelta:
    doublings = min(max(0, attempts - 1), 16)  # bounded: a timedelta overflows long before the exponent does
    return min(RETRY_CAP, RETRY_BASE * (1 << doublings))


def _empty_now(tombstone_ids: list[uuid.UUID], *, sessions: sessionmaker[Session], storage: ObjectStorage) -> None:
    """Right after the commit: the person sees their files gone at once. Whatever fails here
    is left to the sweep (the tombstone is committed), never turned into an error for a
    deletion that has already happened."""
    try:
        empty_prefixes(sessions=sessions, storage=storage, limit=len(tombstone_ids), ids=tombstone_ids)
    except Exception:
        log.warning("storage deletion deferred to the retention sweep", exc_info=True)


def _retry_deadlock(
    sessions: sessionmaker[Session], work: Callable[[Session], T], *, tenant: uuid.UUID | None = None
) -> T:
    """Run `work` in its own transaction, again if PostgreSQL picked it as a deadlock victim:
    a running task books its cost on the image row, then the batch row, while a deletion
    locks the batch and then cascades to the images."""
    for attempt in range(1, DEADLOCK_RETRIES + 1):
        try:
            with transaction(sessions, tenant=tenant) as session:
                return work(session)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != DEADLOCK_DETECTED or attempt == DEADLOCK_RETRIES:
                raise
            log.info("deletion chosen as deadlock victim; retrying", extra={"attempt": attempt})
    raise AssertionError("unreachable")
