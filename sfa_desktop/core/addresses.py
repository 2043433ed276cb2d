"""The one rule for a sync server address, wherever it is entered (site file, CLI, dialogs):
http(s) with a host, and https unless the host is this computer (passwords never in clear)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def check_address(url: str) -> str:
    """`url` without a trailing slash if it is an http(s) address with a host (what a rep
    types at sign-in); ValueError saying what is wrong otherwise."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an address such as https://sfa.example.com, got {url!r}")
    return url.rstrip("/")


def check_server_url(url: str) -> str:
    """`url` without a trailing slash if it is https (or http to a loopback host)."""
    url = check_address(url)
    parts = urlsplit(url)
    if parts.scheme == "http" and not is_loopback(str(parts.hostname)):
        raise ValueError(
            f"must use https:// (http:// is allowed only for a loopback address), got {url!r}"
        )
    return url


def server_url_problem(url: str) -> str | None:
    """Why `url` cannot be a sync server's address, or None when it can."""
    try:
        check_server_url(url)
    except ValueError as error:
        return str(error)
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` names this computer (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
