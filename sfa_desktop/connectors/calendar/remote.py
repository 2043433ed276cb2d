"""The calendar on the server, through the `caldav` library: discovery from the server's
root, and multiget of bodies; listing and writes are the collection's (dav/collection)."""

from __future__ import annotations

from collections.abc import Iterable

from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from sfa_desktop.connectors.dav.collection import CHUNK, DavCollection, Found
from sfa_desktop.connectors.dav.session import path_of


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


class CalendarRemote(DavCollection):
    """One calendar collection."""

    content_type = "text/calendar; charset=utf-8"

    def fetch(self, hrefs: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(ETag, body) of each href that still exists (calendar-multiget)."""
        wanted = sorted(hrefs)
        bodies: dict[str, tuple[str, str]] = {}
        for start in range(0, len(wanted), CHUNK):
            urls = [self.collection.url.join(href) for href in wanted[start : start + CHUNK]]
            for href, data, tags in self.collection._multiget(urls):
                if data:
                    bodies[path_of(href)] = (str(tags.get("{DAV:}getetag", "")), str(data))
        return bodies
