"""ASGI entry point: `uvicorn realtime.app:app --host 127.0.0.1 --port 3002`.

Socket.IO is served at /socket.io/; plain HTTP on the same port:

  /health        liveness (the process answers)
  /health/ready  ready to take clients: subscribed to the Redis channel (a probe message
                 made the round trip) and the database answers; 503 otherwise
  /metrics       Prometheus (realtime.metrics)

Several instances can run behind a load balancer; events reach every instance through
Redis. Socket.IO's HTTP long-polling needs sticky sessions there (or clients that use
the websocket transport only).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import logging as log_context
from core import sentry
from core.config import Settings, get_settings
from core.db import get_engine
from realtime import metrics
from realtime.server import RealtimeServer

log = logging.getLogger(__name__)

STARTUP_PROBE_SECONDS = 15.0


def _check_database() -> None:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def create_app(settings: Settings | None = None) -> Any:
    settings = settings or get_settings()
    log_context.configure(settings.log_format, settings.log_level)
    # The SDK's Starlette integration (enabled automatically) reports the HTTP routes; errors in
    # socket handlers reach Sentry through python-socketio's error log lines.
    sentry.init("realtime", settings=settings)
    server = RealtimeServer(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        server.start_manager()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_PROBE_SECONDS
        while not await server.manager.probe(timeout=1.0):
            if loop.time() > deadline:
                log.error("not subscribed to Redis after %.0f s; /health/ready says so", STARTUP_PROBE_SECONDS)
                break
        else:
            log.info("realtime listening on Redis channel %s", server.manager.channel)
        yield
        await server.manager.shutdown()

    async def liveness(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readiness(_request: Request) -> JSONResponse:
        checks: dict[str, str] = {}
        checks["redis"] = "ok" if await server.manager.probe(timeout=2.0) else "not subscribed"
        try:
            await asyncio.to_thread(_check_database)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable ({type(exc).__name__})"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks, "sockets": len(server.sockets)},
            status_code=200 if ready else 503,
        )

    async def prometheus(_request: Request) -> Response:
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    http = Starlette(
        routes=[
            Route("/health", liveness),
            Route("/health/ready", readiness),
            Route("/metrics", prometheus),
        ],
        lifespan=lifespan,
    )
    return socketio.ASGIApp(server.sio, other_asgi_app=http)


app = create_app()
