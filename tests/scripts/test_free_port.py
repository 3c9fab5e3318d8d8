"""free_port() gives every server the tests, benchmarks and load tests start a port of its own."""

from __future__ import annotations

import socket

import pytest

from scripts import stack


def test_ports_come_from_below_the_ephemeral_range_and_are_never_handed_out_twice() -> None:
    low, _ = stack._ephemeral_range()
    ports = [stack.free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    # Outgoing connections draw their local port from the ephemeral range; a port from there
    # could be taken by a client socket between the probe and the server's bind.
    assert all(port < low for port in ports)


def test_a_port_something_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as listening, socket.socket() as spare:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        spare.bind(("127.0.0.1", 0))
        busy, idle = listening.getsockname()[1], spare.getsockname()[1]
        spare.close()
        choices = iter([busy, idle])
        monkeypatch.setattr(stack._random, "choice", lambda _pool: next(choices))
        assert stack.free_port() == idle
