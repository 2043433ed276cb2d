"""A WebDAV session to the rep's server (the `caldav` library's DAVClient), its address
rule and its failures in one line."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from sfa_desktop.core.addresses import check_server_url
from sfa_desktop.core.errors import DomainError

TIMEOUT_SECONDS = 20


class ConnectorError(DomainError):
    """A calendar or address-book server refused or could not be reached (one line)."""


# What talking to a server can raise: the library's errors, the network's (OSError),
# the library's complaints about answers it cannot read (ValueError), ours.
FAILURES: tuple[type[Exception], ...] = (
    dav_error.DAVError,
    OSError,
    ValueError,
    ConnectorError,
)


def check_url(url: str) -> str:
    """`url` if it may carry a password: https, or http to this computer."""
    try:
        return check_server_url(url.strip())
    except ValueError as error:
        raise ConnectorError(str(error)) from None


def open_client(url: str, username: str, password: str, auth_type: str | None = None) -> DAVClient:
    """A client for `url` (no DNS service lookup: the rep gave the address). With the
    `auth_type` the server asked for before ("basic", "digest"), the first request carries
    the password at once instead of first drawing a 401 (which some servers, Radicale
    among them, answer only after a deliberate delay of about a second)."""
    return DAVClient(
        url=check_url(url),
        username=username,
        password=password,
        auth_type=auth_type if auth_type in AUTH_TYPES else None,
        timeout=TIMEOUT_SECONDS,
        enable_rfc6764=False,
    )


AUTH_TYPES = ("basic", "digest")


def auth_type_of(client: DAVClient) -> str | None:
    """The authentication the server asked `client` for ("basic", "digest"), once known."""
    name = type(client.auth).__name__ if client.auth is not None else ""
    return {"HTTPBasicAuth": "basic", "HTTPDigestAuth": "digest"}.get(name)


def path_of(url: Any) -> str:
    """The path of an absolute URL or href: how objects are named in the store."""
    return urlsplit(str(url)).path or "/"


def failure(exc: BaseException, url: str) -> ConnectorError:
    """`exc` raised while talking to `url` as one sentence for the rep."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, dav_error.AuthorizationError):
        return ConnectorError(f"{url} refused the user name or password")
    if isinstance(exc, dav_error.NotFoundError):
        return ConnectorError(f"{url} has no such calendar or address book (404)")
    if isinstance(exc, dav_error.DAVError):
        reason = " ".join(str(exc).split())[:200]
        return ConnectorError(f"{url} answered with an error: {reason}")
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return ConnectorError(f"no answer from {url} ({reason})")
