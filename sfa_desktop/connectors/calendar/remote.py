"""The calendar on the server, through the `caldav` library: discovery from the server's
root, what changed since the last sync (RFC 6578 sync-collection where the server offers
it, else every ETag to compare), multiget of bodies, and conditional writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from sfa_desktop.connectors.dav.session import ConnectorError, path_of

CHUNK = 200  # hrefs per calendar-multiget
_ICS = {"Content-Type": "text/calendar; charset=utf-8"}


@dataclass(frozen=True)
class Found:
    """A calendar found on the server."""

    url: str
    name: str


@dataclass(frozen=True)
class Listing:
    """What the server lists: ETags by href (every object when `full`, else those changed
    since the token), hrefs removed since the token, and the new token."""

    etags: dict[str, str]
    removed: set[str]
    full: bool
    token: str | None


def find_calendars(client: DAVClient) -> list[Found]:
    """The event calendars of the signed-in user (well-known, principal, calendar-home-set
    discovery by the library)."""
    principal = client.principal()
    found = []
    for calendar in principal.calendars():
        try:
            components = calendar.get_supported_components()
        except dav_error.DAVError:
            components = ["VEVENT"]
        if "VEVENT" in components:
            found.append(Found(str(calendar.url), str(calendar.get_display_name() or "")))
    return found


class CalendarRemote:
    """One calendar collection."""

    def __init__(self, client: DAVClient, url: str) -> None:
        self.client = client
        self.calendar: Calendar = client.calendar(url=url)
        self.url = url

    def listing(self, token: str | None) -> Listing:
        """Changes since `token` (a real sync token), else the full list of ETags."""
        if token and not token.startswith("fake-"):
            try:
                found = self.calendar.get_objects_by_sync_token(
                    sync_token=token, load_objects=False, disable_fallback=True
                )
            except dav_error.DAVError:  # token expired or refused: compare everything
                pass
            else:
                removed = {path_of(url) for url in found.deleted_urls}
                return Listing(_etags(found, removed), removed, False, _token(found))
        found = self.calendar.get_objects_by_sync_token(sync_token=None, load_objects=False)
        return Listing(_etags(found, set()), set(), True, _token(found))

    def fetch(self, hrefs: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(ETag, body) of each href that still exists."""
        wanted = sorted(hrefs)
        bodies: dict[str, tuple[str, str]] = {}
        for start in range(0, len(wanted), CHUNK):
            urls = [self.calendar.url.join(href) for href in wanted[start : start + CHUNK]]
            for href, data, tags in self.calendar._multiget(urls):
                if data:
                    bodies[path_of(href)] = (str(tags.get("{DAV:}getetag", "")), str(data))
        return bodies

    def put(self, href: str, data: str, etag: str | None) -> str | None:
        """Write an object if it is still as last seen (`etag`; None: must be new). Its new
        ETag, "" when the server gave none, or None when it changed meanwhile (412)."""
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        response = self.client.put(self._url(href), data, {**_ICS, **condition})
        if response.status == 412:
            return None
        if response.status >= 300:
            raise ConnectorError(f"{self.url} refused to save {href} ({response.status})")
        return str(response.headers.get("ETag") or "")

    def delete(self, href: str, etag: str) -> bool:
        """Delete an object if it is still as last seen; False when it changed meanwhile."""
        response = self.client.delete(self._url(href), {"If-Match": etag} if etag else {})
        if response.status == 412:
            return False
        if response.status >= 300 and response.status != 404:
            raise ConnectorError(f"{self.url} refused to delete {href} ({response.status})")
        return True

    def _url(self, href: str) -> str:
        return str(self.calendar.url.join(href))


def _token(found: Any) -> str | None:
    return str(found.sync_token) if found.sync_token else None


def _etags(found: Any, removed: set[str]) -> dict[str, str]:
    etags = {}
    for item in found:
        href = path_of(item.url)
        if href not in removed:
            etags[href] = str((getattr(item, "props", None) or {}).get("{DAV:}getetag", ""))
    return etags
