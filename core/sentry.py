"""Error reporting to Sentry, shared by the API, the worker and the realtime service.

Off unless RENAMER_SENTRY_DSN is set. Every event is tagged with its service, release and
environment and with the log context (request, user, batch, image), and is scrubbed before
it leaves: no emails, no tokens (Authorization headers, cookies, access_token fields, API
keys), no request bodies and no file contents.

Each service passes the integrations of its own framework (FastAPI, Celery), so that core
imports none of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from core import logging as log_context
from core.config import Settings, get_settings

FILTERED = "[Filtered]"

# The SDK's scrubber matches whole key names; these are ours (fields, settings, headers).
DENYLIST = [
    *DEFAULT_DENYLIST,
    "access_token",
    "refresh_token",
    "id_token",
    "x-api-key",
    "api-key",
    "email",
    "dsn",
    "secret_key",
    "s3_secret_key",
    "openai_api_key",
    "compatible_api_key",
    "google_vision_api_key",
]
# Names the exact list would miss (an X-Amz-Security-Token header, a reset_token variable).
_SENSITIVE = r"pass(?:wd|word)|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|signature|session|e-?mail"
_SENSITIVE_KEY = re.compile(_SENSITIVE, re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AUTH_SCHEME = re.compile(r"\b(Bearer|Basic|Token)\s+[^\s'\",;]+", re.I)
# A sensitive name and its value inside a string: a query string (access_token=...), a repr of
# a dict ('x-api-key': '...') or of ASGI header pairs ((b'cookie', b'...')), a message.
_SENSITIVE_PAIR = re.compile(
    rf"""(?P<key>[\w-]*(?:{_SENSITIVE})[\w-]*)(?P<sep>['"]\s*[:,]\s*(?-i:b)?|\s*[:=]\s*(?-i:b)?)"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s'"&,;})\]]+)""",
    re.I,
)
# Local variables are serialized as their repr: bytes are file contents more often than not.
_BYTES_REPR = re.compile(r"^(?:b|bytearray\(b|memoryview\()['\"<]")


def _filtered_pair(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[0] in "'\"" else ""
    return f"{match.group('key')}{match.group('sep')}{quote}{FILTERED}{quote}"


def _scrub_string(value: str) -> str:
    if _BYTES_REPR.match(value):
        return "[bytes]"
    value = _EMAIL.sub("[email]", value)
    value = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {FILTERED}", value)
    return _SENSITIVE_PAIR.sub(_filtered_pair, value)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _scrub_string(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and _SENSITIVE_KEY.search(key) and item else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any], *, service: str) -> dict[str, Any]:
    """Tag the event with its service and log context, then scrub it (applied to every event)."""
    request = event.get("request")
    if isinstance(request, dict):
        # Bodies are never read (max_request_body_size="never"); drop any that a framework
        # integration attached anyway: uploads are multipart file contents.
        request.pop("data", None)
    tags = event.setdefault("tags", {})
    tags["service"] = service
    for key, value in log_context.current().items():
        tags.setdefault(key, value)
    scrubbed: dict[str, Any] = _scrub(event)
    return scrubbed


def before_send_transaction(event: dict[str, Any], hint: dict[str, Any], *, service: str) -> dict[str, Any]:
    event.setdefault("tags", {})["service"] = service
    scrubbed: dict[str, Any] = _scrub(event)
    return scrubbed


def init(service: str, *, integrations: Sequence[Integration] = (), settings: Settings | None = None) -> bool:
    """Start reporting for `service` ("api", "worker", "realtime"); False when no DSN is set."""
    settings = settings or get_settings()
    if settings.sentry_dsn is None:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.environment.value,
        release=settings.release,
        sample_rate=settings.sentry_error_sample_rate,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        integrations=list(integrations),
        # send_default_pii stays at its default (off): no user IPs, cookies or auth headers from
        # the integrations. Not passed explicitly: recent SDKs deprecate it for `data_collection`,
        # which would in turn switch off the event scrubber below; before_send covers both.
        # Uploads stream to storage (they can be 50 MB); the SDK must never buffer a body.
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=partial(before_send, service=service),  # type: ignore[arg-type]
        before_send_transaction=partial(before_send_transaction, service=service),  # type: ignore[arg-type]
    )
    return True
