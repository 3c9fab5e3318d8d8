"""Log lines with context: JSON in containers, text in development.

Every line carries the request it belongs to (request id, organization, user, batch,
image), whether it was written by the API, a task the request started, or the worker's
own frameworks. The context lives in one ContextVar holding a *mutable* dict per request
or task: a sync FastAPI dependency runs in a thread with a copy of the context, so
rebinding the variable there would be lost, but filling the shared dict is seen by the
route and by the error handler that logs the request's failure.

The JSON formatter is written here with the stdlib (logging + json) rather than taken
from python-json-logger: it is thirty lines, and not worth a new dependency.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

CONTEXT_FIELDS = ("request_id", "organization_id", "user_id", "batch_id", "image_id")
# What a request hands on to the tasks it starts (batch and image ids travel in the payloads).
PROPAGATED_FIELDS = ("request_id", "organization_id", "user_id")

_context: ContextVar[dict[str, str] | None] = ContextVar("renamer_log_context", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_RESERVED = frozenset({"timestamp", "level", "logger"})


def new_context(**fields: object) -> None:
    """Start a fresh context for a request or a task, dropping whatever was bound before."""
    _context.set({})
    bind(**fields)


def bind(**fields: object) -> None:
    """Add fields to the current context (None values are skipped)."""
    current = _context.get()
    if current is None:
        current = {}
        _context.set(current)
    for key, value in fields.items():
        if value is not None:
            current[key] = str(value)


def current() -> dict[str, str]:
    return dict(_context.get() or {})


def propagated() -> dict[str, str]:
    """The fields a task should inherit from the request (or task) that sends it."""
    bound = _context.get() or {}
    return {key: bound[key] for key in PROPAGATED_FIELDS if key in bound}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, context, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        bound = _context.get() or {}
        # Every context key is present (null when unknown) so that log queries see one shape.
        entry.update({key: bound.get(key) for key in CONTEXT_FIELDS})
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in _RESERVED and not key.startswith("_"):
                entry[key] = value  # an explicit extra (say image_id) is more specific than the context
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The development format, with the bound context appended when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        bound = _context.get()
        if not bound:
            return line
        suffix = " ".join(f"{key}={bound[key]}" for key in CONTEXT_FIELDS if key in bound)
        first, newline, rest = line.partition("\n")  # keep a traceback below the line it belongs to
        return f"{first} [{suffix}]{newline}{rest}"


class _RenamerHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler `configure` installed, so that a second call replaces it."""


def configure(log_format: Literal["json", "text"], level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, Celery's) through one stderr handler.

    Calling it again replaces the handler it installed; handlers installed by others (a
    test runner's capture) are left in place."""
    handler = _RenamerHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _RenamerHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # HTTP clients log every request at INFO: in a worker keeping dozens of provider and S3
    # calls in flight that is noise, and every line contends for the handler's lock.
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn installs its own text handlers before it loads the app; hand its lines to ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        framework_logger = logging.getLogger(name)
        framework_logger.handlers = []
        framework_logger.propagate = True
        framework_logger.disabled = False  # a dictConfig elsewhere may have disabled it
        framework_logger.setLevel(logging.NOTSET)  # the root's level decides, as for ours
