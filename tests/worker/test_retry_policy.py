"""The one task decorator: transient errors retry with jittered backoff, then give up cleanly."""

from __future__ import annotations

import pytest

from worker.task import BACKOFF_CAP, backoff


@pytest.mark.parametrize("retries", [0, 1, 3, 6, 12, 30])
def test_backoff_is_full_jitter_within_an_exponential_cap(retries: int) -> None:
    ceiling = min(BACKOFF_CAP, 2.0 * 2**retries)
    delays = [backoff(retries) for _ in range(400)]
    assert all(0 <= d <= ceiling for d in delays)
    assert max(delays) > ceiling * 0.7, "jitter spreads over the whole window"
    assert len({round(d, 6) for d in delays}) > 300, "retries of many tasks do not move in lockstep"
