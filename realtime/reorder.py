"""Per-batch sequence ordering for events that may reach us out of order.

Core numbers every event of a batch 1, 2, 3 ... inside the transaction that records it
(`core.events.emit`), but several worker processes publish after their own commits, so
two consecutive events of one batch can reach Redis, and so this server, swapped.

`SeqReorderBuffer` keeps, per stream (a batch), the last sequence number delivered and
the events that arrived early:

* the next expected number is delivered at once, followed by any held events it unblocks;
* a later number is held while an earlier one is missing, for at most `hold` seconds after
  its own arrival; then it is delivered anyway, together with every held event before it
  (the gap is skipped: clients that see a jump re-read the batch from the REST API);
* a number at or below the last delivered one (a duplicate, or an event that turned up
  after its gap was skipped) is dropped: delivering it would break the order clients rely on.

A stream nobody has heard of starts at 0, so the first events of a new batch are ordered
too. The state is bounded: a stream idle for `idle_after` seconds, or the least recently
used one beyond `max_streams`, is forgotten; if a forgotten batch speaks again, its next
event waits out one `hold` (its predecessors are unknown) and then flows normally.

Deliveries of one stream never overlap (a lock per stream); streams do not wait for
each other's gaps. Pure asyncio, no Socket.IO: `realtime.manager` plugs it into the
Redis manager's fan-out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Outcomes reported to `on_outcome` (one per pushed event, "released" once per held event
# delivered after a gap was skipped), for metrics.
IN_ORDER = "in_order"
HELD = "held"
RELEASED = "released_after_gap"
LATE = "late_dropped"


@dataclass(eq=False, slots=True)
class _Stream(Generic[T]):
    touched: float
    delivered: int = 0
    held: dict[int, tuple[T, float]] = field(default_factory=dict)  # seq -> (item, arrival time)
    timer: asyncio.TimerHandle | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def busy(self) -> bool:
        return bool(self.held) or self.lock.locked()


class SeqReorderBuffer(Generic[T]):
    def __init__(
        self,
        deliver: Callable[[T], Awaitable[None]],
        *,
        hold: float = 0.25,
        idle_after: float = 900.0,
        max_streams: int = 20_000,
        on_outcome: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deliver = deliver
        self.hold = hold
        self.idle_after = idle_after
        self.max_streams = max_streams
        self._on_outcome = on_outcome or (lambda _outcome: None)
        self._clock = clock
        self._streams: OrderedDict[str, _Stream[T]] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._streams)

    def held(self) -> int:
        return sum(len(stream.held) for stream in self._streams.values())

    async def push(self, key: str, seq: int, item: T) -> None:
        stream = self._stream(key)
        async with stream.lock:
            now = self._clock()
            stream.touched = now
            if seq <= stream.delivered or seq in stream.held:
                self._on_outcome(LATE)
                log.info("stream %s: dropped seq %d, already at %d (late or repeated)", key, seq, stream.delivered)
                return
            if seq == stream.delivered + 1:
                self._on_outcome(IN_ORDER)
                await self._send(stream, seq, item)
                await self._drain(stream)
            else:
                self._on_outcome(HELD)
                stream.held[seq] = (item, now)
            self._arm(key, stream)

    async def close(self) -> None:
        """Forget everything (held events included) and stop the timers."""
        for stream in self._streams.values():
            if stream.timer is not None:
                stream.timer.cancel()
        self._streams.clear()
        for task in list(self._tasks):
            task.cancel()

    # ------------------------------------------------------------------ internals

    def _stream(self, key: str) -> _Stream[T]:
        stream = self._streams.get(key)
        if stream is not None:
            self._streams.move_to_end(key)
            return stream
        self._evict(self._clock())
        stream = _Stream(touched=self._clock())
        self._streams[key] = stream
        return stream

    def _evict(self, now: float) -> None:
        """Forget idle streams (least recently used first), and any beyond the bound."""
        while self._streams:
            key, oldest = next(iter(self._streams.items()))
            if len(self._streams) < self.max_streams and now - oldest.touched < self.idle_after:
                return
            if oldest.busy():  # events waiting for a gap: their timer is at most `hold` away
                return
            del self._streams[key]

    async def _send(self, stream: _Stream[T], seq: int, item: T) -> None:
        stream.delivered = seq
        try:
            await self._deliver(item)
        except Exception:  # one bad fan-out must not wedge the stream
            log.exception("delivery of seq %d failed", seq)

    async def _drain(self, stream: _Stream[T]) -> None:
        while stream.delivered + 1 in stream.held:
            seq = stream.delivered + 1
            item, _ = stream.held.pop(seq)
            await self._send(stream, seq, item)

    def _arm(self, key: str, stream: _Stream[T]) -> None:
        if stream.timer is not None or not stream.held:
            return
        due = min(arrived for _, arrived in stream.held.values()) + self.hold
        delay = max(0.0, due - self._clock())
        stream.timer = asyncio.get_running_loop().call_later(delay, self._expire_soon, key, stream)

    def _expire_soon(self, key: str, stream: _Stream[T]) -> None:
        task = asyncio.ensure_future(self._expire(key, stream))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _expire(self, key: str, stream: _Stream[T]) -> None:
        async with stream.lock:
            stream.timer = None
            if self._streams.get(key) is not stream:
                return
            now = self._clock()
            overdue = [seq for seq, (_, arrived) in stream.held.items() if arrived + self.hold <= now + 0.001]
            if overdue:
                upto = max(overdue)
                log.info("stream %s: gave up waiting for seq %d; delivering up to %d", key, stream.delivered + 1, upto)
                for seq in sorted(s for s in stream.held if s <= upto):
                    item, _ = stream.held.pop(seq)
                    self._on_outcome(RELEASED)
                    await self._send(stream, seq, item)
                await self._drain(stream)
            self._arm(key, stream)
