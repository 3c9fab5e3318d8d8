"""FastAPI app factory: wiring only; the rules live in core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from sentry_sdk.integrations.fastapi import FastApiIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration
from starlette.types import ASGIApp

from api import errors
from api.middleware import MetricsMiddleware, RequestIdMiddleware
from api.routes import auth, batches, billing, health, images, options, organizations
from core import events, sentry
from core import logging as log_context
from core.accounts.sessions import CSRF_HEADER
from core.config import get_settings
from core.imaging import assert_pillow_simd
from core.storage import get_storage


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(events.warm_up)  # the first realtime event must not wait for a connect
    # boto3 builds its S3 clients from its endpoint rule set (~0.3 s of CPU, no network): here,
    # not in the first upload request.
    await run_in_threadpool(get_storage)
    yield


async def _bind_path_ids(request: Request) -> None:
    """Batch and image ids from the path join the request's log context (and Sentry tags)."""
    log_context.bind(**{key: request.path_params.get(key) for key in ("batch_id", "image_id")})


class _RenamerAPI(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's ServerErrorMiddleware (which add_middleware cannot reach), so that
        # a 500 response carries X-Request-ID too and the unexpected-error log line has the id.
        return RequestIdMiddleware(super().build_middleware_stack())


def create_app() -> FastAPI:
    settings = get_settings()
    log_context.configure(settings.log_format, settings.log_level)
    sentry.init("api", integrations=[StarletteIntegration(), FastApiIntegration()], settings=settings)
    assert_pillow_simd()
    app = _RenamerAPI(
        title="Image Renamer API",
        version="0.1.0",
        description="Bulk image batches get SEO-ready filenames and alt text.",
        lifespan=lifespan,
        dependencies=[Depends(_bind_path_ids)],
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,  # the browser's session cookie; origins stay an explicit list
        allow_methods=["*"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID", CSRF_HEADER, billing.UPLOAD_COUNT_HEADER],
        # Retry-After: so the web app can wait out a 429 as told; X-Request-ID: so a user can quote it.
        expose_headers=["Retry-After", "X-Request-ID"],
    )
    app.add_middleware(MetricsMiddleware)
    errors.install(app)
    for router in (health.router, auth.router, organizations.router, batches.router, images.router, options.router):
        app.include_router(router)
    app.include_router(billing.router)
    return app
