"""TLS for the sync client: one SSL context, the operating system's trust store (through
`truststore`, so a company CA installed on the computer counts) plus the CA bundle the
site file names; certificate failures told apart from network ones."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import truststore

from sfa_desktop import site_config
from sfa_desktop.sync.errors import Offline, UntrustedCertificate


def ssl_context(ca_bundle: Path | None = None) -> ssl.SSLContext:
    """Certificates checked against the system's trust store and `ca_bundle` (PEM)."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle is not None:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def site_context() -> ssl.SSLContext:
    """The context for this computer: the system's store and the site file's CA bundle (a
    site file that cannot be used adds none; the app says why elsewhere)."""
    try:
        site = site_config.discover()
    except site_config.SiteConfigError:
        site = None
    return ssl_context(site.ca_bundle if site else None)


def untrusted(error: BaseException, server: str) -> UntrustedCertificate | None:
    """The certificate failure behind `error` (its causes searched), or None."""
    seen: BaseException | None = error
    for _ in range(10):  # httpx wraps httpcore, which wraps the ssl error
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return UntrustedCertificate(server, seen.verify_message or str(seen.reason))
        seen = seen.__cause__ or seen.__context__
    return None


def describe(url: str, context: ssl.SSLContext | None = None, timeout: float = 10.0) -> str:
    """One line on the TLS of the server at `url`: protocol and issuer when its certificate
    is trusted; UntrustedCertificate when not, Offline when it cannot be reached."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https":
        return f"{url} uses http:// on this computer (no TLS to check)"
    context = context or site_context()
    try:
        with (
            socket.create_connection((host, parts.port or 443), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as secured,
        ):
            certificate, version = secured.getpeercert(), secured.version()
    except OSError as error:  # ssl errors are OSErrors too
        if (refused := untrusted(error, url)) is not None:
            raise refused from None
        raise Offline(f"{url} not reached ({error})") from None
    issuer = _issuer(certificate or {}) or "an authority this computer trusts"
    return f"{url} TLS ok ({version}), certificate issued by {issuer}"


def _issuer(certificate: dict[str, Any]) -> str:
    fields = {key: value for part in certificate.get("issuer", ()) for key, value in part}
    return str(fields.get("commonName") or fields.get("organizationName") or "")
