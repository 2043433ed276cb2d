"""Errors of the sync client, each with a message fit for the status bar."""

from __future__ import annotations


class SyncError(Exception):
    """A sync could not complete; `message` says why in words a rep understands."""


class Offline(SyncError):
    """The server could not be reached (no network, DNS, refused, timed out)."""


class AuthenticationRequired(SyncError):
    """The stored credentials are missing, expired or revoked: sign in again."""


class SignInCancelled(SyncError):
    """The rep cancelled a sign-in (or it ran out of time) before it finished."""


class ServerRefused(SyncError):
    """The server answered with a 4xx the client cannot fix by retrying."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"The server refused the request ({status}): {detail}")


class DeviceRevoked(SyncError):
    """The server says this device was revoked (HTTP 410): its data must be erased."""


class DeviceWiped(SyncError):
    """The device was revoked; local data and credentials have been erased."""


class UntrustedCertificate(SyncError):
    """The server's certificate is not trusted here: retrying cannot help."""

    def __init__(self, server: str, reason: str) -> None:
        self.server = server
        self.reason = reason
        super().__init__(
            f"The certificate of {server} is not trusted by this computer ({reason}): install "
            "the company's CA certificate in the system's certificate store, or have the site "
            "file name it (sync.ca_bundle)."
        )
