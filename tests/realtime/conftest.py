"""Fixtures for the realtime service: a real uvicorn process on the test database and Redis."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from tests.realtime.harness import Client, Loop, RealtimeProcess


@pytest.fixture(scope="session")
def realtime(services: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealtimeProcess]:
    process = RealtimeProcess("a", tmp_path_factory.mktemp("realtime")).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def socket_loop() -> Iterator[Loop]:
    loop = Loop()
    yield loop
    loop.close()


@pytest.fixture
def new_client(socket_loop: Loop, realtime: RealtimeProcess) -> Iterator[Callable[..., Client]]:
    """`new_client(url=None)`: an unconnected client (of the session's server by default),
    disconnected after the test."""
    made: list[Client] = []

    def make(url: str | None = None) -> Client:
        client = Client(socket_loop, url or realtime.url)
        made.append(client)
        return client

    yield make
    for client in made:
        with contextlib.suppress(Exception):  # the test may have broken the connection on purpose
            client.disconnect()
