"""The Redis client manager: fan-out across instances, in per-batch sequence order.

The API and the workers publish each batch event after their commit through
python-socketio's write-only `RedisManager` on the `realtime_channel` setting. Every
realtime instance subscribes to that channel (`AsyncRedisManager`) and hands each message
to the sockets *it* holds in the addressed rooms, so any number of instances can run
behind a load balancer: a client may sit on any of them.

Ordering. Events of one batch come from several processes (the API's upload requests,
two or more worker processes), each publishing after its own commit, so consecutive
events can reach Redis swapped. python-socketio's `AsyncPubSubManager._thread` reads the
channel and calls `_handle_emit(message)` for every `emit` from another host; that is
where this subclass hooks in. A message carrying one of our events (`{"batch_id", "seq",
"at", ...}`) goes through `realtime.reorder.SeqReorderBuffer` keyed by batch id: it is
fanned out in `seq` order, a later event is held (at most `REORDER_HOLD_SECONDS`) while an
earlier one is missing, then delivered anyway (clients re-read the batch from the REST API
when they see a gap), and one arriving after its gap was skipped is dropped. Per-batch
state is bounded (idle batches are forgotten; see the reorder module). Any other message
passes straight through. Each instance orders on its own; they all see the same stream.

Readiness. `probe()` publishes a marker on the channel and waits for it to come back
through this instance's own subscription: a subscribed listener, not just a reachable
Redis, is what makes an instance ready to take clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import socketio

from core.events import EventType
from realtime import metrics
from realtime.reorder import SeqReorderBuffer

log = logging.getLogger(__name__)

REORDER_HOLD_SECONDS = 0.25
_PROBE_METHOD = "renamer_probe"
_EVENT_TYPES = frozenset(t.value for t in EventType)


def _sequenced(message: dict[str, Any]) -> tuple[str, int] | None:
    """(batch id, seq) of a message carrying one of our events, else None."""
    data = message.get("data")
    if message.get("binary") or not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
        return None
    payload = data[0]
    batch_id, seq = payload.get("batch_id"), payload.get("seq")
    if not isinstance(batch_id, str) or not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return None
    return batch_id, seq


def _emitted_at(message: dict[str, Any]) -> float | None:
    try:
        return datetime.fromisoformat(message["data"][0]["at"]).timestamp()
    except (KeyError, IndexError, TypeError, ValueError):
        return None


class OrderedRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    name = "renamer-ordered-redis"

    def __init__(self, url: str, *, channel: str, hold: float = REORDER_HOLD_SECONDS) -> None:
        super().__init__(url, channel=channel, write_only=False)
        self.reorder: SeqReorderBuffer[dict[str, Any]] = SeqReorderBuffer(
            self._fan_out, hold=hold, on_outcome=lambda outcome: metrics.REORDER.labels(outcome).inc()
        )
        metrics.TRACKED_BATCHES.set_function(lambda: len(self.reorder))
        self._probes: dict[str, asyncio.Event] = {}

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        sequenced = _sequenced(message)
        if sequenced is None:
            await super()._handle_emit(message)
            return
        batch_id, seq = sequenced
        await self.reorder.push(batch_id, seq, message)

    async def _fan_out(self, message: dict[str, Any]) -> None:
        await super()._handle_emit(message)
        event = message.get("event")
        label = event if event in _EVENT_TYPES else "other"
        metrics.EVENTS_DELIVERED.labels(label).inc()
        at = _emitted_at(message)
        if at is not None:
            metrics.DELIVERY_DELAY.labels(label).observe(max(0.0, time.time() - at))

    # ------------------------------------------------------------------ readiness probe

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            if self._probes and isinstance(message, bytes) and _PROBE_METHOD.encode() in message:
                self._probe_returned(message)
            yield message

    def _probe_returned(self, message: bytes) -> None:
        try:
            token = json.loads(message).get("token")
        except ValueError:
            return
        waiter = self._probes.get(token) if isinstance(token, str) else None
        if waiter is not None:
            waiter.set()

    async def probe(self, timeout: float = 2.0) -> bool:
        """True when a message published now comes back through this instance's subscription."""
        token = uuid.uuid4().hex
        waiter = self._probes[token] = asyncio.Event()
        try:
            # python-socketio's listeners skip it: ours because host_id is ours, others for the unknown method.
            await self._publish({"method": _PROBE_METHOD, "host_id": self.host_id, "token": token})
            await asyncio.wait_for(waiter.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._probes.pop(token, None)

    async def shutdown(self) -> None:
        listener = getattr(self, "thread", None)
        if listener is not None:
            listener.cancel()
        await self.reorder.close()
        for client in (self.pubsub, self.redis):
            if client is not None:
                try:
                    await client.aclose()
                except Exception:  # closing on the way out; nothing left to save
                    log.debug("closing the Redis connection failed", exc_info=True)
