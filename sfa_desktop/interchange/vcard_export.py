"""Contacts to a .vcf file, vCard 3.0 (RFC 2426) or 4.0 (RFC 6350), written by vobject.

Each contact is one card: N and FN, ORG and the account's web address (URL) and postal
address (ADR;TYPE=work), TITLE, EMAIL, TEL (work, cell), NOTE, and the record id as
UID. 4.0 writes telephone numbers as tel: URIs and lower-case types. The cards read
back through `vcard_source` into the same contact fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class VCardVersion(StrEnum):
    V3 = "3.0"
    V4 = "4.0"


@dataclass(frozen=True)
class VCardContact:
    """What a card says about a contact (the account's data included)."""

    uid: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    notes: str = ""
    organization: str = ""
    website: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""


def _typed(card: Any, name: str, value: Any, types: list[str], v4: bool) -> Any:
    line = card.add(name)
    line.value = value
    line.params["TYPE"] = [t.lower() for t in types] if v4 else types
    return line


def card_text(contact: VCardContact, version: VCardVersion = VCardVersion.V3) -> str:
    """One contact as a vCard (CRLF line ends, folded at 75 characters)."""
    import vobject

    v4 = version is VCardVersion.V4
    card = vobject.vCard()
    card.add("version").value = version.value
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    full = f"{contact.first_name} {contact.last_name}".strip() or contact.organization or "?"
    card.add("fn").value = full
    if contact.organization:
        card.add("org").value = [contact.organization]
    if contact.title:
        card.add("title").value = contact.title
    if contact.email:
        _typed(card, "email", contact.email, ["WORK"] if v4 else ["INTERNET", "WORK"], v4)
    for number, types in ((contact.phone, ["WORK", "VOICE"]), (contact.mobile, ["CELL"])):
        if number:
            line = _typed(card, "tel", f"tel:{number}" if v4 else number, types, v4)
            if v4:
                line.params["VALUE"] = ["uri"]
    if contact.street or contact.city or contact.postal_code or contact.country:
        lines = contact.street.splitlines()
        address = vobject.vcard.Address(
            street=lines if len(lines) > 1 else contact.street,  # a street of two lines
            city=contact.city,
            code=contact.postal_code,
            country=contact.country,
        )
        _typed(card, "adr", address, ["WORK"], v4)
    if contact.website:
        url = contact.website
        card.add("url").value = url if "://" in url else f"https://{url}"
    if contact.notes:
        card.add("note").value = contact.notes
    card.add("uid").value = contact.uid
    return str(card.serialize())


def write_vcards(
    path: Path | str, contacts: Iterable[VCardContact], version: VCardVersion = VCardVersion.V3
) -> int:
    """Write one card per contact to `path` (UTF-8); the number of cards."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        for contact in contacts:
            handle.write(card_text(contact, version))
            count += 1
    return count
