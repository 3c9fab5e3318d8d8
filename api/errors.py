"""The one error handler: every error leaves as {"error", "code", "detail", ...}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import RateLimited, RenamerError

log = logging.getLogger(__name__)
DATABASE_RETRY_AFTER_SECONDS = 5


def envelope(status: int, error: str, code: str, detail: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": error, "code": code, "detail": detail, **extra}, status_code=status, headers=headers)


def _field_message(error: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def install(app: FastAPI) -> None:
    @app.exception_handler(RenamerError)
    async def _renamer_error(_: Request, exc: RenamerError) -> JSONResponse:
        response = envelope(exc.status_code, type(exc).__name__, exc.code, exc.detail, **exc.extra)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_field_message(e) for e in exc.errors()]
        return envelope(
            422,
            "ValidationFailed",
            "invalid_request",
            "; ".join(problems) or "The request is not valid.",
            fields=problems,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: ("NotFound", "not_found"), 405: ("MethodNotAllowed", "method_not_allowed")}
        error, code = names.get(exc.status_code, ("HTTPError", f"http_{exc.status_code}"))
        return envelope(exc.status_code, error, code, str(exc.detail))

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The server refused or dropped the connection (too many clients, restart, failover)
        # or every pooled connection stayed busy past RENAMER_DATABASE_POOL_TIMEOUT. The
        # transaction in flight did not commit; retrying is safe (an upload retried reports
        # the files it already stored as duplicates).
        log.warning("database unavailable", extra={"path": request.url.path, "reason": str(exc).splitlines()[0]})
        response = envelope(
            503,
            "ServiceUnavailable",
            "database_unavailable",
            "The service is too busy to answer right now; try again in a few seconds.",
        )
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return envelope(500, "InternalError", "internal_error", "Something went wrong on our side; it has been logged.")
