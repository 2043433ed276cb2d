"""An address book on the server through the `caldav` library's DAVClient: discovery
(current-user-principal, addressbook-home-set), what changed (RFC 6578 sync-collection,
else a PROPFIND of every ETag), addressbook-multiget, conditional writes. The library
has no CardDAV elements; the few this needs are declared with its element builder."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.elements.base import BaseElement, ValuedBaseElement
from caldav.lib import error as dav_error

from sfa_desktop.connectors.calendar.remote import CHUNK, Found, Listing, _etags, _token
from sfa_desktop.connectors.dav.session import ConnectorError, path_of

CARDDAV = "urn:ietf:params:xml:ns:carddav"
_VCF = {"Content-Type": "text/vcard; charset=utf-8"}


class AddressbookHomeSet(BaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}addressbook-home-set"


class AddressbookMultiget(BaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}addressbook-multiget"


class AddressData(ValuedBaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}address-data"


def _props(client: DAVClient, url: Any, props: list[Any], depth: int) -> dict[str, Any]:
    body = dav.Propfind().append(dav.Prop().append(props))
    response = client.propfind(str(url), str(body), depth)
    if response.status >= 400:
        raise dav_error.PropfindError(f"{response.status} for {url}")
    return dict(response.expand_simple_props(props, xpath=None))


def find_address_books(client: DAVClient) -> list[Found]:
    """The address books of the signed-in user."""
    principal = client.principal()
    homes = _props(client, principal.url, [AddressbookHomeSet()], 0)
    home = next((props.get(AddressbookHomeSet.tag) for props in homes.values()), None)
    home_url = client.url.join(home) if home else principal.url
    listed = client.propfind(
        str(home_url),
        str(dav.Propfind().append(dav.Prop().append([dav.ResourceType(), dav.DisplayName()]))),
        1,
    )
    found = []
    for href, props in listed.expand_simple_props(
        [dav.DisplayName()], multi_value_props=[dav.ResourceType()]
    ).items():
        kinds = props.get(dav.ResourceType.tag) or []
        if f"{{{CARDDAV}}}addressbook" in kinds:
            found.append(
                Found(str(client.url.join(href)), str(props.get(dav.DisplayName.tag) or ""))
            )
    return found


class AddressBookRemote:
    """One address book collection."""

    def __init__(self, client: DAVClient, url: str) -> None:
        self.client = client
        self.url = url
        self.collection = client.calendar(url=url)  # the library's generic collection calls

    def listing(self, token: str | None) -> Listing:
        if token:
            try:
                found = self.collection.get_objects_by_sync_token(
                    sync_token=token, load_objects=False, disable_fallback=True
                )
            except dav_error.DAVError:
                pass
            else:
                removed = {path_of(url) for url in found.deleted_urls}
                return Listing(_etags(found, removed), removed, False, _token(found))
        try:
            found = self.collection.get_objects_by_sync_token(
                sync_token=None, load_objects=False, disable_fallback=True
            )
            return Listing(_etags(found, set()), set(), True, _token(found))
        except dav_error.DAVError:  # no sync-collection: every ETag
            etags = _props(self.client, self.url, [dav.GetEtag()], 1)
            own = path_of(self.url)
            return Listing(
                {
                    path_of(h): str(p.get(dav.GetEtag.tag) or "")
                    for h, p in etags.items()
                    if path_of(h) != own
                },
                set(),
                True,
                None,
            )

    def fetch(self, hrefs: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = sorted(hrefs)
        bodies: dict[str, tuple[str, str]] = {}
        for start in range(0, len(wanted), CHUNK):
            body = AddressbookMultiget().append(dav.Prop().append([dav.GetEtag(), AddressData()]))
            body.append([dav.Href(value=href) for href in wanted[start : start + CHUNK]])
            response = self.client.report(self.url, str(body), 1)
            if response.status >= 400:
                raise ConnectorError(f"{self.url} refused to send cards ({response.status})")
            for href, props in response.expand_simple_props([dav.GetEtag(), AddressData()]).items():
                data = props.get(AddressData.tag)
                if data:
                    bodies[path_of(href)] = (str(props.get(dav.GetEtag.tag) or ""), str(data))
        return bodies

    def put(self, href: str, data: str, etag: str | None) -> str | None:
        condition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
        response = self.client.put(self._url(href), data, {**_VCF, **condition})
        if response.status == 412:
            return None
        if response.status >= 300:
            raise ConnectorError(f"{self.url} refused to save {href} ({response.status})")
        return str(response.headers.get("ETag") or "")

    def delete(self, href: str, etag: str) -> bool:
        response = self.client.delete(self._url(href), {"If-Match": etag} if etag else {})
        if response.status == 412:
            return False
        if response.status >= 300 and response.status != 404:
            raise ConnectorError(f"{self.url} refused to delete {href} ({response.status})")
        return True

    def _url(self, href: str) -> str:
        return str(self.client.url.join(href))
