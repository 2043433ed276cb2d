"""A calendar or address-book collection on the server, what both kinds share: what changed
since the last sync (RFC 6578 sync-collection where the server offers it, else its ctag
and, when that moved, every ETag), and conditional writes, several at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.elements.base import BaseElement
from caldav.lib import error as dav_error

from sfa_desktop.connectors.dav.session import ConnectorError, path_of

CHUNK = 200  # hrefs per multiget
WRITERS = 4  # writes in flight at once (each on its own connection)
CTAG = "ctag:"  # a stored token of a server without sync-collection: its ctag then


class GetCtag(BaseElement):  # type: ignore[misc]
    """CalendarServer's collection tag: it changes whenever anything in it changes."""

    tag = "{http://calendarserver.org/ns/}getctag"


@dataclass(frozen=True)
class Found:
    """A calendar or address book found on the server."""

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


Write = tuple[str, str, str | None]  # href, body, ETag it must still have (None: new)


class DavCollection:
    """One collection; `more_clients` opens further sessions for writes in parallel."""

    content_type = "text/plain"

    def __init__(
        self, client: DAVClient, url: str, more_clients: Callable[[], DAVClient] | None = None
    ) -> None:
        self.client = client
        self.url = url
        self.collection = client.calendar(url=url)  # the library's generic collection calls
        self._more = more_clients
        self._owner = threading.get_ident()  # the thread that uses `client`
        self._local = threading.local()

    # -- what changed ---------------------------------------------------------------------

    def listing(self, token: str | None) -> Listing:
        """Changes since `token`; the full list of ETags when the token is unknown, expired
        or (without sync-collection) the ctag moved; nothing when the ctag did not move."""
        if token and token.startswith(CTAG):
            ctag = self.ctag()
            if ctag and CTAG + ctag == token:
                return Listing({}, set(), False, token)
        elif token:
            try:
                found = self.collection.get_objects_by_sync_token(
                    sync_token=token, load_objects=False, disable_fallback=True
                )
            except dav_error.DAVError:  # expired or refused: compare everything
                pass
            else:
                removed = {path_of(url) for url in found.deleted_urls}
                return Listing(_etags(found, removed), removed, False, _token(found))
        try:
            found = self.collection.get_objects_by_sync_token(
                sync_token=None, load_objects=False, disable_fallback=True
            )
        except dav_error.DAVError:  # no sync-collection: the ctag, then every ETag
            ctag = self.ctag()  # before the listing: a change meanwhile moves it again
            return Listing(self.every_etag(), set(), True, CTAG + ctag if ctag else None)
        return Listing(_etags(found, set()), set(), True, _token(found))

    def ctag(self) -> str | None:
        props = self.properties(self.url, [GetCtag()], 0)
        value = next((p.get(GetCtag.tag) for p in props.values() if p.get(GetCtag.tag)), None)
        return str(value) if value else None

    def every_etag(self) -> dict[str, str]:
        own = path_of(self.url)
        return {
            path_of(href): str(props.get(dav.GetEtag.tag) or "")
            for href, props in self.properties(self.url, [dav.GetEtag()], 1).items()
            if path_of(href) != own
        }

    def properties(self, url: Any, props: list[Any], depth: int) -> dict[str, Any]:
        body = dav.Propfind().append(dav.Prop().append(props))
        response = self.client.propfind(str(url), str(body), depth)
        if response.status >= 400:
            raise dav_error.PropfindError(f"{response.status} for {url}")
        return dict(response.expand_simple_props(props, xpath=None))

    # -- writes ---------------------------------------------------------------------------

    def put(self, href: str, data: str, etag: str | None) -> str | None:
        """Write an object if it is still as last seen (`etag`; None: must be new). Its new
        ETag, "" when the server gave none, or None when it changed meanwhile (412)."""
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        headers = {"Content-Type": self.content_type, **condition}
        response = self._client().put(self._url(href), data, headers)
        if response.status == 412:
            return None
        if response.status >= 300:
            raise ConnectorError(f"{self.url} refused to save {href} ({response.status})")
        return str(response.headers.get("ETag") or "")

    def put_many(self, writes: Sequence[Write]) -> list[str | None]:
        """`put` of each write, up to WRITERS at once; results in the order given."""
        if self._more is None or len(writes) < 2:
            return [self.put(*write) for write in writes]
        with ThreadPoolExecutor(WRITERS, thread_name_prefix="dav-put") as pool:
            return list(pool.map(lambda write: self.put(*write), writes))

    def delete(self, href: str, etag: str) -> bool:
        """Delete an object if it is still as last seen; False when it changed meanwhile."""
        response = self._client().delete(self._url(href), {"If-Match": etag} if etag else {})
        if response.status == 412:
            return False
        if response.status >= 300 and response.status != 404:
            raise ConnectorError(f"{self.url} refused to delete {href} ({response.status})")
        return True

    def _client(self) -> DAVClient:
        """This thread's session: the one given, or one more for a writer thread."""
        if self._more is None or threading.get_ident() == self._owner:
            return self.client
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._more()
        return client

    def _url(self, href: str) -> str:
        return str(self.client.url.join(href))


def _token(found: Any) -> str | None:
    token = str(found.sync_token) if found.sync_token else None
    return None if token and token.startswith("fake-") else token


def _etags(found: Any, removed: set[str]) -> dict[str, str]:
    etags = {}
    for item in found:
        href = path_of(item.url)
        if href not in removed:
            etags[href] = str((getattr(item, "props", None) or {}).get("{DAV:}getetag", ""))
    return etags
