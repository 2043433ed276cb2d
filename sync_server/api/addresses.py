"""Who is signing in: the caller's address, through the trusted proxies only."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

from sync_server.config import ServerSettings, proxy_networks

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(text: str) -> Address | None:
    """An address from a peer or an X-Forwarded-For entry (brackets and an IPv4 inside
    IPv6 unwrapped); None for anything else."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def forwarded_client(peer: str, forwarded: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address: the direct `peer` unless it is a trusted proxy; then, walking
    the X-Forwarded-For chain from the right, the first address that is not a trusted
    proxy (the rightmost one a trusted proxy vouches for when all are trusted or an entry
    is garbled). Entries further left were written by the client and prove nothing."""
    client = _parse(peer)
    if client is None or not _trusted(client, trusted):
        return str(client) if client is not None else peer
    for entry in reversed([part for header in forwarded for part in header.split(",")]):
        hop = _parse(entry)
        if hop is None:
            break
        client = hop
        if not _trusted(hop, trusted):
            break
    return str(client)


def client_address(request: Request) -> str:
    """The address failed sign-ins are counted under for this request."""
    settings: ServerSettings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.getlist("x-forwarded-for")
    return forwarded_client(peer, forwarded, proxy_networks(settings.trusted_proxies))
