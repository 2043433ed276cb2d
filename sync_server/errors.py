"""Domain errors the services raise; the app maps each to an HTTP status."""

from __future__ import annotations

from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import DEVICE_REVOKED_STATUS


class ServiceError(DomainError):
    """A request the server refuses; `status` is the HTTP status it maps to."""

    status = 400

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class BadRequestError(ServiceError):
    status = 400


class UnauthorizedError(ServiceError):
    status = 401


class ForbiddenError(ServiceError):
    status = 403


class DeviceRevokedError(ServiceError):
    """The device was revoked: the protocol tells the client to wipe (410 Gone)."""

    status = DEVICE_REVOKED_STATUS


class NotFoundError(ServiceError):
    status = 404


class ConflictError(ServiceError):
    status = 409


class RateLimitedError(ServiceError):
    """Refused for now: the answer carries Retry-After (seconds)."""

    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServerBusyError(RateLimitedError):
    """Too much work queued (e.g. a burst of sign-ins): 503 with Retry-After."""

    status = 503
