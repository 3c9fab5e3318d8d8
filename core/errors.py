"""The one error family. Every error the API renders comes from here.

Each class carries its HTTP status and a machine-readable `code`; the API's single
handler renders `{"error": <class name>, "code": <code>, "detail": <sentence>}`.
Workers use `TransientError` (retry with backoff) versus `PermanentError` (fail the
item at once and say why).

    RenamerError
    ├── BadRequest (400)         ├── ValidationFailed (422)
    ├── Unauthorized (401)       ├── Forbidden (403)
    ├── NotFound (404)           ├── Conflict (409)
    ├── PayloadTooLarge (413)    ├── UnsupportedMediaType (415)
    ├── ServiceUnavailable (503) (fail-closed dependencies such as clamd)
    ├── TransientError           (worker: retry)
    └── PermanentError           (worker: give up, record the reason)
"""

from __future__ import annotations

from typing import Any


class RenamerError(Exception):
    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra or {}


class BadRequest(RenamerError):
    status_code = 400
    code = "bad_request"


class Unauthorized(RenamerError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(RenamerError):
    status_code = 403
    code = "forbidden"


class NotFound(RenamerError):
    status_code = 404
    code = "not_found"


class Conflict(RenamerError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(RenamerError):
    status_code = 413
    code = "too_large"


class UnsupportedMediaType(RenamerError):
    status_code = 415
    code = "unsupported_type"


class ValidationFailed(RenamerError):
    status_code = 422
    code = "invalid"


class ServiceUnavailable(RenamerError):
    status_code = 503
    code = "service_unavailable"


class TransientError(RenamerError):
    """A failure worth retrying (network blip, dependency briefly down)."""

    status_code = 503
    code = "transient"


class PermanentError(RenamerError):
    """A failure that will not go away by retrying (corrupt input, refused content)."""

    status_code = 422
    code = "permanent"


class FileRejected(RenamerError):
    """One uploaded file refused; the batch upload carries on with the others.

    `code` is machine-readable (too_large, empty_file, unsupported_type, corrupt_image,
    too_many_pixels, infected, duplicate, too_many_files, scan_failed); `detail` is a
    sentence the person who uploaded the file can act on.
    """

    status_code = 422
    code = "rejected"
