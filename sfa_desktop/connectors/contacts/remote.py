"""An address book on the server through the `caldav` library's DAVClient: discovery
(current-user-principal, addressbook-home-set), the vCard versions it takes
(supported-address-data) and addressbook-multiget; listing and writes are the
collection's (dav/collection). The library has no CardDAV elements; the few this needs
are declared with its element builder."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.elements.base import BaseElement, ValuedBaseElement
from caldav.lib import error as dav_error

from sfa_desktop.connectors.dav.collection import CHUNK, DavCollection, Found
from sfa_desktop.connectors.dav.session import ConnectorError, path_of

CARDDAV = "urn:ietf:params:xml:ns:carddav"


class AddressbookHomeSet(BaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}addressbook-home-set"


class AddressbookMultiget(BaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}addressbook-multiget"


class AddressData(ValuedBaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}address-data"


class SupportedAddressData(BaseElement):  # type: ignore[misc]
    tag = f"{{{CARDDAV}}}supported-address-data"


VERSIONS = ("4.0", "3.0")  # the vCard versions the cards can be written in
BASELINE = "3.0"  # every CardDAV server takes it (RFC 6352, section 5)


def preferred_version(tree: Any) -> str:
    """The first vCard version we write among those a supported-address-data answer lists
    (servers list their preferred first), else 3.0."""
    if tree is None:
        return BASELINE
    for element in tree.iter(f"{{{CARDDAV}}}address-data-type"):
        kind = (element.get("content-type") or "text/vcard").lower()
        version = (element.get("version") or BASELINE).strip()
        if kind == "text/vcard" and version in VERSIONS:
            return version
    return BASELINE


def vcard_version(client: DAVClient, url: str) -> str:
    """The vCard version the address book at `url` prefers (RFC 6352 6.2.2)."""
    body = dav.Propfind().append(dav.Prop().append([SupportedAddressData()]))
    response = client.propfind(url, str(body), 0)
    if response.status >= 400:
        return BASELINE
    return preferred_version(response.tree)


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


class AddressBookRemote(DavCollection):
    """One address book collection."""

    content_type = "text/vcard; charset=utf-8"

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
