"""FastAPI app factory: wiring only; the rules live in core."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from api import errors
from api.middleware import MetricsMiddleware
from api.routes import auth, batches, health, images, options
from core import events
from core.config import get_settings
from core.imaging import assert_pillow_simd


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(events.warm_up)  # the first realtime event must not wait for a connect
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    assert_pillow_simd()
    app = FastAPI(
        title="Image Renamer API",
        version="0.1.0",
        description="Bulk image batches get SEO-ready filenames and alt text.",
        lifespan=lifespan,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(MetricsMiddleware)
    errors.install(app)
    for router in (health.router, auth.router, batches.router, images.router, options.router):
        app.include_router(router)
    return app
