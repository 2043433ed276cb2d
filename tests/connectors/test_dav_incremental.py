"""What keeps later syncs short, against a real Radicale: only records whose mark moved are
compared (an account renamed reaches its contacts' cards), a server without
sync-collection is asked its ctag first, and the vCard version is the one the address
book says it prefers. Oracles: the cards as vobject reads them, hand-written answers."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
import vobject
from caldav.davclient import DAVClient
from radicale_kit import PASSWORD, USER, Radicale, make_calendar

from sfa_desktop.connectors.calendar.connect import connect_calendars
from sfa_desktop.connectors.calendar.engine import CalendarSync
from sfa_desktop.connectors.calendar.remote import CalendarRemote
from sfa_desktop.connectors.contacts.connect import connect_address_books, sync_contacts
from sfa_desktop.connectors.contacts.remote import preferred_version
from sfa_desktop.connectors.dav.collection import CTAG
from sfa_desktop.core.entities import Account, CalendarEvent, Contact
from sfa_desktop.store import Store
from sfa_desktop.sync.credentials import Credentials

MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" '
    'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype>'
    "<D:collection/><C:addressbook/></D:resourcetype><D:displayname>Phone</D:displayname>"
    "</D:prop></D:set></D:mkcol>"
)


@pytest.fixture
def book(radicale: Radicale) -> str:
    phone = radicale.phone()
    url = f"{radicale.url}{USER}/phone/"
    phone.principal()
    assert phone.request(url, "MKCOL", MKCOL, {"Content-Type": "application/xml"}).status == 201
    return url


def _cards(radicale: Radicale, url: str) -> list[Any]:
    phone = radicale.phone()
    base = radicale.url.rstrip("/")
    hrefs = [h for h in phone.propfind(url, "", 1).expand_simple_props([]) if h.endswith(".vcf")]
    return [vobject.readOne(phone.request(base + href, "GET").raw) for href in hrefs]


def test_a_renamed_account_reaches_its_cards_and_nothing_else_is_written(
    signed_in: Store, radicale: Radicale, book: str
) -> None:
    acme = signed_in.create(Account, {"name": "Acme", "grade": "A"}).value
    other = signed_in.create(Account, {"name": "Other", "grade": "B"}).value
    for name, account in (("Ann", acme), ("Bo", acme), ("Cy", other)):
        signed_in.create(
            Contact, {"first_name": name, "last_name": "Lee", "account_id": account.id}
        )
    credentials = Credentials(vault=signed_in)
    [connection] = connect_address_books(signed_in, credentials, radicale.url, USER, PASSWORD)
    assert connection.options["version"] == "3.0"  # what this Radicale lists (vobject < 1.0)
    assert sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id)).sent == 3
    assert {c.version.value for c in _cards(radicale, book)} == {"3.0"}
    signed_in.update(Account, acme.id, {"name": "Acme Group"})
    report = sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    assert report.sent == 2  # Ann's and Bo's cards; Cy's is not touched
    companies = {str(c.fn.value): c.org.value[0] for c in _cards(radicale, book)}
    assert companies == {"Ann Lee": "Acme Group", "Bo Lee": "Acme Group", "Cy Lee": "Other"}
    again = sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    assert (again.sent, again.received) == (0, 0)
    assert signed_in.dav_account(connection.id).last_summary == "Phone: 0 sent, 0 received"


class CountingRemote(CalendarRemote):
    """The calendar as a client sees it that may not use sync-collection."""

    full_listings = 0

    def every_etag(self) -> dict[str, str]:
        self.full_listings += 1
        return super().every_etag()


def test_without_sync_collection_an_unmoved_ctag_skips_the_listing(
    signed_in: Store, radicale: Radicale
) -> None:
    phone = make_calendar(radicale, "Work")
    credentials = Credentials(vault=signed_in)
    [connection] = connect_calendars(signed_in, credentials, radicale.url, USER, PASSWORD)
    # the caldav library told the server lacks sync-collection (as for such servers)
    client = DAVClient(
        url=radicale.url,
        username=USER,
        password=PASSWORD,
        enable_rfc6764=False,
        features={"sync-token": {"support": "unsupported"}},
    )
    remote = CountingRemote(client, connection.collection_url)

    def run() -> tuple[int, int]:
        report = CalendarSync(signed_in, signed_in.dav_account(connection.id), remote).run()
        return report.sent, report.received

    assert run() == (0, 0)
    token = signed_in.dav_account(connection.id).sync_token
    assert token is not None
    assert token.startswith(CTAG)
    assert remote.full_listings == 1
    assert run() == (0, 0)
    assert remote.full_listings == 1  # the ctag did not move: nothing listed
    phone.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:p1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T070000Z\r\n"
        "DTEND:20260601T080000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert run() == (0, 1)
    assert remote.full_listings == 2
    assert [e.title for e in signed_in.records(CalendarEvent)] == ["Dentist"]


CARDDAV = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"'


def _answer(types: str) -> Any:
    return ElementTree.fromstring(
        f"<D:multistatus {CARDDAV}><D:response><D:href>/book/</D:href><D:propstat><D:prop>"
        f"<C:supported-address-data>{types}</C:supported-address-data>"
        "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
    )


@pytest.mark.parametrize(
    ("types", "version"),
    [
        (
            '<C:address-data-type content-type="text/vcard" version="4.0"/>'
            '<C:address-data-type content-type="text/vcard" version="3.0"/>',
            "4.0",
        ),
        (
            '<C:address-data-type content-type="text/vcard" version="3.0"/>'
            '<C:address-data-type content-type="text/vcard" version="4.0"/>',
            "3.0",
        ),
        (
            '<C:address-data-type content-type="application/vcard+json" version="4.0"/>'
            '<C:address-data-type content-type="text/vcard" version="4.0"/>',
            "4.0",
        ),
        ('<C:address-data-type content-type="text/vcard" version="2.1"/>', "3.0"),
        ("", "3.0"),
    ],
)
def test_the_vcard_version_is_the_first_the_server_lists_that_we_write(
    types: str, version: str
) -> None:
    assert preferred_version(_answer(types)) == version
