"""CardDAV: the rep's contacts on the phone, the phone's edits back through the outbox,
phone-made cards offered (not added); a real Radicale, the phone reads with vobject."""

from __future__ import annotations

from typing import Any

import pytest
import vobject
from radicale_kit import PASSWORD, USER, Radicale

from sfa_desktop.connectors.contacts.connect import connect_address_books, sync_contacts
from sfa_desktop.connectors.contacts.offered import import_offered, offered_contacts
from sfa_desktop.core.entities import Account, Contact
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
    """An address book made the way a phone's set-up makes one (extended MKCOL)."""
    phone = radicale.phone()
    url = f"{radicale.url}{USER}/phone/"
    phone.principal()  # Radicale creates the user's home on first contact
    assert phone.request(url, "MKCOL", MKCOL, {"Content-Type": "application/xml"}).status == 201
    return url


def _cards(radicale: Radicale, url: str) -> dict[str, Any]:
    phone = radicale.phone()
    listing = phone.propfind(url, "", 1)
    cards = {}
    for href in listing.expand_simple_props([]):
        if href.endswith(".vcf"):
            card = vobject.readOne(phone.request(radicale.url.rstrip("/") + href, "GET").raw)
            cards[str(card.fn.value)] = (href, card)
    return cards


def test_contacts_go_to_the_phone_and_phone_edits_come_back(
    signed_in: Store, radicale: Radicale, book: str
) -> None:
    acme = signed_in.create(Account, {"name": "Acme, Inc.", "grade": "A"}).value
    ann = signed_in.create(
        Contact,
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "account_id": acme.id,
            "title": "Buyer",
            "email": "ann@acme.example",
            "phone": "+49 30 1234",
            "mobile": "+49 170 555",
        },
    ).value
    credentials = Credentials(vault=signed_in)
    [connection] = connect_address_books(signed_in, credentials, radicale.url, USER, PASSWORD)
    report = sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    assert report.sent == 1
    href, card = _cards(radicale, book)["Ann Lee"]
    assert card.org.value == ["Acme, Inc."]
    assert card.title.value == "Buyer"
    assert card.email.value == "ann@acme.example"
    numbers = sorted(str(t.value) for t in card.contents["tel"])
    assert numbers == ["+49 170 555", "+49 30 1234"]
    # the phone changes the title and the mobile number, and adds a card of its own
    card.title.value = "Head of Purchasing"
    mobile = next(t for t in card.contents["tel"] if "CELL" in str(t.params.get("TYPE")))
    mobile.value = "+49 170 999"
    phone = radicale.phone()
    base = radicale.url.rstrip("/")
    assert phone.put(base + href, card.serialize(), {"Content-Type": "text/vcard"}).status < 300
    new = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-made\r\nFN:Bo Chen\r\nN:Chen;Bo;;;\r\n"
        "EMAIL:bo@x.example\r\nEND:VCARD\r\n"
    )
    assert phone.put(book + "bo.vcf", new, {"Content-Type": "text/vcard"}).status < 300
    report = sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    kept = signed_in.get(Contact, ann.id)
    assert (kept.title, kept.mobile, kept.phone) == (
        "Head of Purchasing",
        "+49 170 999",
        "+49 30 1234",
    )
    assert {m.entity_id for m in signed_in.pending_mutations()} >= {ann.id}  # through the outbox
    assert signed_in.count(Contact) == 1  # the phone's card is not added by itself...
    [offer] = offered_contacts(signed_in, connection.id)
    assert (offer.name, offer.email) == ("Bo Chen", "bo@x.example")  # ...but offered
    # an edit on both sides: the CRM's value stays, the phone's goes to the inbox
    href, card = _cards(radicale, book)["Ann Lee"]
    card.title.value = "CPO"
    assert phone.put(base + href, card.serialize(), {"Content-Type": "text/vcard"}).status < 300
    signed_in.update(Contact, ann.id, {"title": "Chief Buyer"})
    report = sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    assert report.conflicts == 1
    [conflict] = signed_in.conflicts()
    assert (conflict.field, conflict.kept_value, conflict.lost_value) == (
        "title",
        "Chief Buyer",
        "CPO",
    )
    assert _cards(radicale, book)["Ann Lee"][1].title.value == "Chief Buyer"


def test_grades_choose_the_cards_and_a_regraded_account_moves_them(
    signed_in: Store, radicale: Radicale, book: str
) -> None:
    acme = signed_in.create(Account, {"name": "Acme", "grade": "A"}).value
    bolt = signed_in.create(Account, {"name": "Bolt", "grade": "B"}).value
    fields = {"first_name": "Ann", "last_name": "Lee", "account_id": acme.id}
    ann = signed_in.create(Contact, fields).value
    signed_in.create(Contact, {"first_name": "Bo", "last_name": "Chen", "account_id": bolt.id})
    signed_in.create(Contact, {"first_name": "Cy", "last_name": "Free"})  # no account
    credentials = Credentials(vault=signed_in)
    [connection] = connect_address_books(
        signed_in, credentials, radicale.url, USER, PASSWORD, options={"grades": ["A"]}
    )

    def run() -> list[str]:
        sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
        return sorted(_cards(radicale, book))

    assert run() == ["Ann Lee"]
    signed_in.update(Account, bolt.id, {"grade": "A"})
    assert run() == ["Ann Lee", "Bo Chen"]
    signed_in.update(Account, acme.id, {"grade": "C"})
    assert run() == ["Bo Chen"]
    assert signed_in.get(Contact, ann.id).first_name == "Ann"  # off the phone, kept here


def test_phone_cards_are_imported_when_asked_and_then_kept_in_step(
    signed_in: Store, radicale: Radicale, book: str
) -> None:
    signed_in.create(
        Contact, {"first_name": "Ann", "last_name": "Lee", "email": "ann@acme.example"}
    )
    credentials = Credentials(vault=signed_in)
    [connection] = connect_address_books(signed_in, credentials, radicale.url, USER, PASSWORD)
    sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    phone = radicale.phone()
    for name, card in (
        ("cy", "FN:Cy Dee\r\nN:Dee;Cy;;;\r\nORG:Nowhere Ltd\r\nTEL;TYPE=CELL:+49 170 1\r\n"),
        ("again", "FN:Ann Again\r\nN:Again;Ann;;;\r\nEMAIL:ANN@acme.example\r\n"),
    ):
        text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{name}\r\n{card}END:VCARD\r\n"
        assert phone.put(f"{book}{name}.vcf", text, {"Content-Type": "text/vcard"}).status < 300
    sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    assert signed_in.count(Contact) == 1  # offered, not added
    result = import_offered(signed_in, connection.id)
    assert sorted(result.lines) == [
        "Ann Again: not imported, a contact has ann@acme.example already",
        "Cy Dee: imported without an account (no single one named 'Nowhere Ltd')",
    ]
    [cy] = [c for c in signed_in.records(Contact) if c.first_name == "Cy"]
    assert (cy.last_name, cy.mobile, cy.account_id) == ("Dee", "+49 170 1", None)
    assert cy.notes == "Company on the phone: Nowhere Ltd"
    assert [o.name for o in offered_contacts(signed_in, connection.id)] == ["Ann Again"]
    signed_in.update(Contact, cy.id, {"title": "Owner"})
    sync_contacts(signed_in, credentials, signed_in.dav_account(connection.id))
    assert _cards(radicale, book)["Cy Dee"][1].title.value == "Owner"  # linked: kept in step
