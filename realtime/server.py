"""The Socket.IO server: who may connect, and which rooms a socket may enter.

Protocol (namespace "/"):

* connect with `auth={"token": "<access token>"}` (the API's bearer token; an
  `Authorization: Bearer` header works too), or, from the web app, with no token at all:
  the handshake then carries the API's HttpOnly session cookie (same site). No CSRF token
  is needed for that: a handshake changes nothing, and Engine.IO refuses handshakes whose
  Origin is not in `cors_origins`, so another site's page cannot open a socket with the
  cookie (SameSite=Lax already keeps it off cross-site handshakes). A refusal carries
  `{"message": <detail>, "data": {"code", "detail"}}`; codes: `not_authenticated` (no
  token), `invalid_token`, `token_expired`, `service_unavailable` (try again).
  An accepted socket is in the room of the organization its token works in (`org:{id}`)
  and gets every event of that organization's batches (members see each other's work).
* `join` `{"batch_id": "<uuid>"}` -> ack `{"ok": true, "batch_id", "seq", "status", "counts"}`:
  the socket now gets that batch's events; `seq` is the batch's last event number when
  the ack was computed. The room is entered before `seq` is read, so events may arrive
  before the ack: a client keeps those above `seq` and ignores the rest. Refusals:
  `{"ok": false, "code": "not_found" | "invalid" | "too_many_rooms" | "service_unavailable", "detail"}`.
* `leave` `{"batch_id": "<uuid>"}` -> `{"ok": true}`, or `not_found` when not joined.

Events are sent with their type as the Socket.IO event name and a `core.events.Event`
as the payload. The database is only touched through core, in a worker thread, in a
short transaction: the token check on connect and the ownership check on join.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from http.cookies import CookieError, SimpleCookie
from typing import Any, NoReturn

import socketio

from core.accounts.schemas import Principal
from core.accounts.service import resolve_principal
from core.batches import repository as batches
from core.config import Settings, get_settings
from core.db import transaction
from core.errors import Forbidden, Unauthorized
from core.events import batch_room, organization_room, user_room
from core.organizations.models import OrganizationRole
from realtime import metrics
from realtime.manager import OrderedRedisManager

log = logging.getLogger(__name__)

MAX_BATCH_ROOMS_PER_SOCKET = 200  # a page follows one batch; a dashboard a page of them
UNAVAILABLE = "The realtime service cannot reach its database right now; try again in a moment."


def _refused(action: str, code: str, detail: str) -> dict[str, Any]:
    metrics.REFUSED.labels(action, code).inc()
    return {"ok": False, "code": code, "detail": detail}


def bearer_token(environ: dict[str, Any], auth: Any) -> str | None:
    """The access token from the handshake's `auth` payload, else its Authorization header."""
    candidates = []
    if isinstance(auth, dict):
        candidates.append(auth.get("token"))
    header = environ.get("HTTP_AUTHORIZATION")
    if isinstance(header, str):
        candidates.append(header)
    for value in candidates:
        if not isinstance(value, str):
            continue
        value = value.strip()
        scheme, _, rest = value.partition(" ")
        if scheme.lower() == "bearer":
            value = rest.strip()
        if value:
            return value
    return None


def session_cookie(environ: dict[str, Any], settings: Settings) -> str | None:
    """The API's session cookie from the handshake, for browsers that keep no token in reach of scripts."""
    header = environ.get("HTTP_COOKIE")
    if not isinstance(header, str) or not header:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return None
    morsel = cookies.get(settings.session_cookie_name)
    if morsel is None or not morsel.value.strip():
        return None
    return morsel.value.strip()


def _batch_id(data: Any) -> uuid.UUID | None:
    if not isinstance(data, dict) or not isinstance(data.get("batch_id"), str):
        return None
    try:
        return uuid.UUID(data["batch_id"])
    except ValueError:
        return None


def _resolve(token: str, settings: Settings) -> Principal:
    with transaction() as session:
        return resolve_principal(session, token=token, settings=settings)


def _owns(principal: Principal, batch_id: uuid.UUID) -> bool:
    with transaction(tenant=principal.organization_id) as session:
        return batches.get_owned(session, principal, batch_id) is not None


def _snapshot(principal: Principal, batch_id: uuid.UUID) -> dict[str, Any] | None:
    with transaction(tenant=principal.organization_id) as session:
        batch = batches.get_owned(session, principal, batch_id)
        if batch is None:
            return None
        return {
            "ok": True,
            "batch_id": str(batch.id),
            "seq": batch.event_seq,
            "status": batch.status.value,
            "counts": {"total": batch.total_images, "processed": batch.processed_images, "failed": batch.failed_images},
        }


class RealtimeServer:
    """The AsyncServer and its handlers; `sio` is what the ASGI app mounts."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.manager = OrderedRedisManager(self.settings.redis_url, channel=self.settings.realtime_channel)
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=self.manager,
            cors_allowed_origins=self.settings.cors_origins,
            logger=False,
            engineio_logger=False,
        )
        self.sockets: set[str] = set()
        metrics.CONNECTED_SOCKETS.set_function(lambda: len(self.sockets))
        self.sio.on("connect", self.connect)
        self.sio.on("disconnect", self.disconnect)
        self.sio.on("join", self.join)
        self.sio.on("leave", self.leave)

    def start_manager(self) -> None:
        """Subscribe now rather than at the first connection (python-socketio's default), so an
        instance is listening before it says it is ready."""
        if not self.sio.manager_initialized:
            self.sio.manager_initialized = True
            self.manager.initialize()

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = bearer_token(environ, auth) or session_cookie(environ, self.settings)
        if token is None:
            self._refuse_connection(
                "not_authenticated", 'Connect with auth={"token": "<access token>"} or the session cookie.'
            )
        try:
            principal = await asyncio.to_thread(_resolve, str(token), self.settings)
        except (Unauthorized, Forbidden) as exc:
            self._refuse_connection(exc.code, exc.detail)
        except Exception:
            log.exception("token check failed")
            self._refuse_connection("service_unavailable", UNAVAILABLE)
        await self.sio.save_session(
            sid,
            {
                "user_id": str(principal.user_id),
                "organization_id": str(principal.organization_id),
                "role": principal.role.value,
            },
        )
        await self.sio.enter_room(sid, user_room(principal.user_id))
        await self.sio.enter_room(sid, organization_room(principal.organization_id))
        self.sockets.add(sid)
        log.debug("socket %s connected as user %s", sid, principal.user_id)

    @staticmethod
    def _refuse_connection(code: str, detail: str) -> NoReturn:
        metrics.REFUSED.labels("connect", code).inc()
        log.info("connection refused: %s", code)
        raise socketio.exceptions.ConnectionRefusedError(detail, {"code": code, "detail": detail})

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        self.sockets.discard(sid)

    async def _principal(self, sid: str) -> Principal:
        session = await self.sio.get_session(sid)
        return Principal(
            user_id=uuid.UUID(session["user_id"]),
            organization_id=uuid.UUID(session["organization_id"]),
            role=OrganizationRole(session["role"]),
        )

    async def join(self, sid: str, data: Any = None) -> dict[str, Any]:
        batch_id = _batch_id(data)
        if batch_id is None:
            return _refused("join", "invalid", 'Send {"batch_id": "<batch id>"}.')
        room = batch_room(batch_id)
        rooms = self.sio.rooms(sid)
        if room not in rooms and sum(r.startswith("batch:") for r in rooms) >= MAX_BATCH_ROOMS_PER_SOCKET:
            return _refused(
                "join", "too_many_rooms", f"A connection follows at most {MAX_BATCH_ROOMS_PER_SOCKET} batches."
            )
        principal = await self._principal(sid)
        try:
            if not await asyncio.to_thread(_owns, principal, batch_id):
                return _refused("join", "not_found", "No such batch.")
            # Enter first, then read the baseline: an event committed in between is either
            # counted in `seq` or delivered to this socket, never lost.
            await self.sio.enter_room(sid, room)
            snapshot = await asyncio.to_thread(_snapshot, principal, batch_id)
        except Exception:
            log.exception("join of batch %s failed", batch_id)
            await self.sio.leave_room(sid, room)
            return _refused("join", "service_unavailable", UNAVAILABLE)
        if snapshot is None:  # deleted between the two reads
            await self.sio.leave_room(sid, room)
            return _refused("join", "not_found", "No such batch.")
        return snapshot

    async def leave(self, sid: str, data: Any = None) -> dict[str, Any]:
        batch_id = _batch_id(data)
        if batch_id is None:
            return _refused("leave", "invalid", 'Send {"batch_id": "<batch id>"}.')
        room = batch_room(batch_id)
        if room not in self.sio.rooms(sid):
            return _refused("leave", "not_found", "This connection does not follow that batch.")
        await self.sio.leave_room(sid, room)
        return {"ok": True}
