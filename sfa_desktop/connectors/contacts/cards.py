"""A CRM contact as a vCard and back (vobject): new cards are written by the export's
`card_text`; a card the server holds is patched, so what the CRM does not keep (photos,
birthdays, other numbers) stays as the phone wrote it."""

from __future__ import annotations

from typing import Any

import vobject

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.interchange.vcard_export import VCardContact, card_text

# Values a card shows; the phone may change the last four (its edits come back).
SHOWN = ("first_name", "last_name", "organization", "title", "email", "phone", "mobile")
PHONE_EDITS = ("title", "email", "phone", "mobile")
Values = dict[str, Any]


def of_contact(contact: Contact, account: Account | None) -> Values:
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "organization": account.name if account else "",
        "title": contact.title,
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
    }


def new_card(uid: str, values: Values, version: str) -> str:
    from sfa_desktop.interchange.vcard_export import VCardVersion

    return card_text(VCardContact(uid=uid, **values), VCardVersion(version))


def _types(line: Any) -> set[str]:
    found: set[str] = set()
    for value in line.params.get("TYPE", []):
        found |= {part.strip().upper() for part in str(value).split(",")}
    return found


def _number(line: Any) -> str:
    return str(line.value).removeprefix("tel:").strip()


def of_card(data: str) -> tuple[str, Values]:
    """(UID, values) of a card; ValueError when it is no vCard."""
    card = vobject.readOne(data)
    name = getattr(card, "n", None)
    org = getattr(card, "org", None)
    title = getattr(card, "title", None)
    emails = card.contents.get("email", [])
    phones = card.contents.get("tel", [])
    mobile = next((p for p in phones if "CELL" in _types(p)), None)
    office = next((p for p in phones if p is not mobile), None)
    org_value = org.value if org is not None else ""
    values = {
        "first_name": str(name.value.given) if name is not None else "",
        "last_name": str(name.value.family) if name is not None else "",
        "organization": str(org_value[0] if isinstance(org_value, list) else org_value),
        "title": str(title.value) if title is not None else "",
        "email": str(emails[0].value).strip().lower() if emails else None,
        "phone": _number(office) if office is not None else None,
        "mobile": _number(mobile) if mobile is not None else None,
    }
    uid = getattr(card, "uid", None)
    return (str(uid.value) if uid is not None else ""), values


def patch_card(data: str, values: Values, version: str) -> str:
    """The card `data` with the shown values set (other lines kept)."""
    card = vobject.readOne(data)
    v4 = str(card.version.value) == "4.0" if hasattr(card, "version") else False
    _replace(card, "n", vobject.vcard.Name(family=values["last_name"], given=values["first_name"]))
    full = f"{values['first_name']} {values['last_name']}".strip() or values["organization"] or "?"
    _replace(card, "fn", full)
    _replace(card, "org", [values["organization"]] if values["organization"] else None)
    _replace(card, "title", values["title"] or None)
    emails = card.contents.get("email", [])
    if emails and values["email"]:
        emails[0].value = values["email"]
    elif values["email"]:
        card.add("email").value = values["email"]
    elif emails:
        card.contents["email"] = emails[1:]
    phones = card.contents.get("tel", [])
    mobile = next((p for p in phones if "CELL" in _types(p)), None)
    office = next((p for p in phones if p is not mobile), None)
    for line, number, kind in (
        (office, values["phone"], "WORK"),
        (mobile, values["mobile"], "CELL"),
    ):
        if line is not None and number:
            line.value = f"tel:{number}" if v4 else number
        elif number:
            added = card.add("tel")
            added.value = f"tel:{number}" if v4 else number
            added.params["TYPE"] = [kind.lower() if v4 else kind]
        elif line is not None:
            card.contents["tel"] = [p for p in card.contents["tel"] if p is not line]
    return str(card.serialize())


def _replace(card: Any, name: str, value: Any) -> None:
    card.contents.pop(name, None)
    if value is not None:
        card.add(name).value = value
