"""The one error family. Every error the API renders comes from here.

Each class carries its HTTP status and a machine-readable `code`; the API's single
handler renders `{"error": <class name>, "code": <code>, "detail": <sentence>}`.
Workers use `TransientError` (retry with backoff) versus `PermanentError` (fail the
item at once and say why).

    RenamerError
    ├── BadRequest (400)         ├── ValidationFailed (422)
    ├── Unauthorized (401)       ├── Forbidden (403)
    ├── NotFound (404)           ├── Conflict (409)
    ├── Gone (410)               ├── QuotaExceeded (402)      (the plan's monthly images are used up)
    ├── PayloadTooLarge (413)    ├── UnsupportedMediaType (415)
    ├── RateLimited (429)        (carries retry_after: the Retry-After header)
    ├── ServiceUnavailable (503) (fail-closed dependencies such as clamd)
    ├── TransientError           (worker: retry)
    │   └── ProviderError        (a vision provider failed; the chain retries or falls back)
    │       ├── ProviderUnavailable   (429, 5xx, timeout, connection; may carry retry_after)
    │       └── ProviderReplyInvalid  (empty, not JSON, off-schema after a repair attempt)
    └── PermanentError           (worker: give up, record the reason)
        ├── ProviderMisconfigured     (key, endpoint or model cannot work for any image)
        └── ImageRefused              (the provider refused this image, e.g. content policy)
"""

from __future__ import annotations

import math
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


class QuotaExceeded(RenamerError):
    """The organization's plan has no room for these images this month (core.billing.quota).

    402, not 403 or 429: neither permissions nor waiting a minute help; upgrading the plan (or
    the next month) does. `extra` carries plan, limit, used, remaining and resets_on."""

    status_code = 402
    code = "quota_exceeded"


class Gone(RenamerError):
    """The resource existed but its files were deleted (the retention policy)."""

    status_code = 410
    code = "gone"


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


class ProviderError(TransientError):
    """A vision provider call failed in a way another try, or another provider, may fix."""

    code = "provider_error"

    def __init__(
        self,
        detail: str,
        *,
        provider: str,
        retry_after: float | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, code=code, extra=extra)
        self.provider = provider
        self.retry_after = retry_after  # seconds, from Retry-After / retry-after-ms when the reply had one


class ProviderUnavailable(ProviderError):
    """429, 5xx, a timeout or a connection failure. Counts against the circuit breaker."""

    code = "provider_unavailable"


class ProviderReplyInvalid(ProviderError):
    """The reply was empty, not JSON, or did not match the schema, even after one repair request."""

    code = "provider_reply_invalid"


class ProviderMisconfigured(PermanentError):
    """The provider cannot work for any image: bad key, unknown model, a model that cannot see images."""

    status_code = 503
    code = "provider_misconfigured"

    def __init__(self, detail: str, *, provider: str, code: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.provider = provider


class ImageRefused(PermanentError):
    """The provider refused this one image (content policy, refusal); others still work."""

    code = "image_refused"

    def __init__(self, detail: str, *, provider: str, code: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.provider = provider


class RateLimited(RenamerError):
    """Too many requests from one address or caller (core.ratelimits). `retry_after` is whole
    seconds, at least 1; the API's error handler sends it as the Retry-After header."""

    status_code = 429
    code = "rate_limited"

    def __init__(
        self, detail: str, *, retry_after: float, code: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail, code=code, extra=extra)
        self.retry_after = max(1, math.ceil(retry_after))
