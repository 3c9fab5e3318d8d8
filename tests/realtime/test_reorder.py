"""The reorder buffer on its own (pure asyncio): order, hold, late events, bounded state."""

from __future__ import annotations

import asyncio
import time

from realtime.reorder import HELD, IN_ORDER, LATE, RELEASED, SeqReorderBuffer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_order_hold_and_late_events() -> None:
    async def scenario() -> None:
        delivered: list[tuple[str, int, float]] = []
        outcomes: list[str] = []

        async def deliver(item: tuple[str, int]) -> None:
            delivered.append((*item, time.monotonic()))

        buffer: SeqReorderBuffer[tuple[str, int]] = SeqReorderBuffer(deliver, hold=0.1, on_outcome=outcomes.append)
        for seq in (3, 1, 2):
            await buffer.push("a", seq, ("a", seq))
        assert [s for _, s, _ in delivered] == [1, 2, 3]

        started = time.monotonic()
        await buffer.push("a", 5, ("a", 5))  # 4 missing
        await buffer.push("b", 1, ("b", 1))  # another stream is not held up
        assert [(k, s) for k, s, _ in delivered[3:]] == [("b", 1)]
        await asyncio.sleep(0.3)
        assert [(k, s) for k, s, _ in delivered[4:]] == [("a", 5)]
        assert 0.09 <= delivered[4][2] - started < 1.0
        await buffer.push("a", 4, ("a", 4))  # after its gap was skipped
        await buffer.push("a", 5, ("a", 5))  # a duplicate
        await buffer.push("a", 6, ("a", 6))
        assert [(k, s) for k, s, _ in delivered[5:]] == [("a", 6)]
        assert outcomes == [HELD, IN_ORDER, IN_ORDER, HELD, IN_ORDER, RELEASED, LATE, LATE, IN_ORDER]
        assert buffer.held() == 0

    asyncio.run(scenario())


def test_two_gaps_each_wait_from_their_own_arrival() -> None:
    async def scenario() -> None:
        delivered: list[tuple[int, float]] = []

        async def deliver(seq: int) -> None:
            delivered.append((seq, time.monotonic()))

        buffer: SeqReorderBuffer[int] = SeqReorderBuffer(deliver, hold=0.5)
        await buffer.push("a", 1, 1)
        start = time.monotonic()
        await buffer.push("a", 3, 3)  # 2 missing: due at 0.5 s
        await asyncio.sleep(0.3)
        await buffer.push("a", 6, 6)  # 4 and 5 missing too: due at 0.8 s
        await buffer.push("a", 5, 5)
        await asyncio.sleep(max(0.0, start + 0.65 - time.monotonic()))  # 3 is due, 5 and 6 are not
        assert [s for s, _ in delivered] == [1, 3]
        await asyncio.sleep(0.5)
        assert [s for s, _ in delivered] == [1, 3, 5, 6]
        assert delivered[1][1] - start >= 0.49 and delivered[2][1] - start >= 0.79

    asyncio.run(scenario())


def test_state_is_bounded() -> None:
    async def scenario() -> None:
        clock = Clock()

        async def deliver(_item: int) -> None:
            return None

        buffer: SeqReorderBuffer[int] = SeqReorderBuffer(deliver, idle_after=60, max_streams=100, clock=clock)
        for n in range(250):
            await buffer.push(f"batch-{n}", 1, 1)
        assert len(buffer) == 100  # least recently used beyond the bound are forgotten

        await buffer.push("batch-249", 2, 2)
        clock.now += 61
        await buffer.push("new", 1, 1)  # the idle ones go
        assert len(buffer) == 1

        # A forgotten batch that speaks again is held once (its predecessors are unknown),
        # then flows normally.
        await buffer.push("batch-249", 3, 3)
        assert buffer.held() == 1
        await buffer.close()

    asyncio.run(scenario())
