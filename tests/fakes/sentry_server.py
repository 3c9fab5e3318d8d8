"""A Sentry ingest endpoint on 127.0.0.1 that records what the real SDK sends.

The SDK posts envelopes to POST /api/<project>/envelope/ (brotli when that module is
installed, else gzip, unless compression is off): a JSON header line, then items, each a
JSON item header and a payload whose byte length the header may give
(https://develop.sentry.dev/sdk/data-model/envelopes/). The raw, decompressed envelope is
kept so tests can assert that a secret appears nowhere in what left the process.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import brotli  # type: ignore[import-untyped]

_ENVELOPE_PATH = re.compile(r"^/api/(\d+)/envelope/?$")


@dataclass
class Envelope:
    project: str
    auth: str
    raw: bytes
    header: dict[str, Any]
    items: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(payload) for item, payload in self.items if item.get("type") == "event"]


def parse(raw: bytes) -> tuple[dict[str, Any], list[tuple[dict[str, Any], bytes]]]:
    header_line, _, rest = raw.partition(b"\n")
    items: list[tuple[dict[str, Any], bytes]] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] :]
            rest = rest.removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item, payload))
    return json.loads(header_line), items


class FakeSentry:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = _ENVELOPE_PATH.match(self.path.split("?")[0])
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if match is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding == "br":  # sentry-sdk prefers brotli when the module is installed
                    body = brotli.decompress(body)
                header, items = parse(body)
                envelope = Envelope(match.group(1), self.headers.get("X-Sentry-Auth", ""), body, header, items)
                with fake._lock:
                    fake.envelopes.append(envelope)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": header.get("event_id")}).encode())

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self._server.server_address[1]}/1"

    def events(self) -> list[tuple[Envelope, dict[str, Any]]]:
        with self._lock:
            return [(envelope, event) for envelope in self.envelopes for event in envelope.events()]

    def wait_for_event(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> tuple[Envelope, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for envelope, event in self.events():
                if predicate(event):
                    return envelope, event
            time.sleep(0.1)
        raise TimeoutError(f"no matching event in {timeout}s; got {[e.get('exception') for _, e in self.events()]}")

    def __enter__(self) -> FakeSentry:
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
