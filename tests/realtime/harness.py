"""A real realtime server (uvicorn subprocess) and real Socket.IO clients for the tests.

The clients are `socketio.AsyncClient`s driven from synchronous tests: they all live on
one event loop in a background thread, and every call waits with a timeout.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import socketio

from scripts.stack import free_port, stop_process_group
from tests.support.processes import start_logged

T = TypeVar("T")
CALL_TIMEOUT = 15.0


class RealtimeProcess:
    """`uvicorn realtime.app:app` on a free port with the test environment (os.environ)."""

    def __init__(self, name: str, log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"realtime-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> RealtimeProcess:
        command = [
            sys.executable, "-m", "uvicorn", "realtime.app:app", "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        self.process = start_logged(
            command,
            name=f"realtime {self.name}",
            log_path=self.log_path,
            ready=lambda: httpx.get(f"{self.url}/health/ready", timeout=5).status_code == 200,
            timeout=timeout,
            env=dict(os.environ),
        )
        return self

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def metrics(self) -> str:
        return httpx.get(f"{self.url}/metrics", timeout=10).text

    def stop(self) -> None:
        stop_process_group(self.process, timeout=15)


class Loop:
    """An asyncio loop in a daemon thread; `run` waits for a coroutine with a timeout."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="socketio-clients", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@dataclass(frozen=True)
class Received:
    name: str
    payload: Any
    at: float  # time.time() on receipt


class Client:
    """One Socket.IO connection that records every event it receives."""

    def __init__(self, loop: Loop, url: str) -> None:
        self.loop = loop
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.received: list[Received] = []
        self.refusal: Any = None
        self._changed = threading.Condition()
        self.sio.on("*", self._on_event)
        self.sio.on("connect_error", self._on_refused)

    async def _on_event(self, name: str, payload: Any = None) -> None:
        with self._changed:
            self.received.append(Received(name, payload, time.time()))
            self._changed.notify_all()

    async def _on_refused(self, data: Any = None) -> None:
        self.refusal = data

    def connect(self, *, token: str | None = None, headers: dict[str, str] | None = None) -> Client:
        auth = {"token": token} if token is not None else None
        self.loop.run(
            self.sio.connect(self.url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)
        )
        return self

    def call(self, event: str, data: Any) -> Any:
        return self.loop.run(self.sio.call(event, data, timeout=CALL_TIMEOUT), timeout=CALL_TIMEOUT + 5)

    def join(self, batch_id: str) -> dict[str, Any]:
        return dict(self.call("join", {"batch_id": batch_id}))

    def events(self, batch_id: str | None = None) -> list[Received]:
        with self._changed:
            return [r for r in self.received if batch_id is None or r.payload.get("batch_id") == batch_id]

    def wait_for(self, done: Callable[[list[Received]], bool], *, timeout: float, what: str = "events") -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [(r.name, r.payload.get("seq")) for r in self.received]
                    raise TimeoutError(f"{what} not received in {timeout:.0f} s; got {names}")
                self._changed.wait(left)

    def disconnect(self) -> None:
        if self.sio.connected:
            self.loop.run(self.sio.disconnect())


def token_of(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")
