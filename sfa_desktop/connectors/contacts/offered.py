"""Cards made on the phone: listed for the rep, and imported as CRM contacts only when the
rep says so (the app's Connections dialog, `sfa-desktop phone-contacts --import`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sfa_desktop.connectors.contacts.cards import Values, of_card, of_contact
from sfa_desktop.core.entities import Account, Contact, new_id
from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.store_dav import DavBatch, DavLink


@dataclass(frozen=True)
class Offered:
    """A card made on the phone: the CRM has no contact for it yet."""

    href: str
    name: str
    email: str | None
    phone: str | None
    company: str = ""


@dataclass
class Imported:
    """What an import did: a line per card, what changed here."""

    lines: list[str] = field(default_factory=list)
    added: int = 0
    changes: Changes = field(default_factory=Changes)


def _cards(store: Store, connection_id: str, hrefs: Collection[str] | None) -> dict[str, Values]:
    linked = {href for href, _mark in store.dav_seen(connection_id).values()}
    found = {}
    for href, obj in sorted(store.dav_objects(connection_id, hrefs).items()):
        if href in linked:
            continue
        try:
            _uid, values = of_card(obj.data)
        except Exception:  # vobject raises many kinds on a broken card
            continue
        found[href] = values
    return found


def _name(values: Values) -> str:
    return f"{values['first_name']} {values['last_name']}".strip() or values["organization"]


def offered_contacts(store: Store, connection_id: str) -> list[Offered]:
    """Cards of the address book no CRM contact is linked to, to offer for import."""
    return [
        Offered(
            href,
            _name(values) or "(no name)",
            values["email"],
            values["phone"] or values["mobile"],
            values["organization"],
        )
        for href, values in _cards(store, connection_id, None).items()
    ]


def import_offered(
    store: Store, connection_id: str, hrefs: Collection[str] | None = None
) -> Imported:
    """Make CRM contacts of the offered cards (`hrefs`, or all) and link them, so later
    syncs keep them in step. The company is matched to an account by its exact name; with
    none (or several) of that name the contact has no account and the company goes into
    its notes. A card whose email a CRM contact has already, or that the CRM cannot hold,
    is left offered and said why."""
    result = Imported()
    accounts: dict[str, list[Account]] = {}
    for known in store.records(Account):
        accounts.setdefault(known.name.casefold(), []).append(known)
    emails = {email.casefold() for _id, email in store.column_rows(Contact, ["email"]) if email}
    batch = DavBatch()
    for href, values in _cards(store, connection_id, hrefs).items():
        name = _name(values) or "(no name)"
        if values["email"] and values["email"].casefold() in emails:
            result.lines.append(f"{name}: not imported, a contact has {values['email']} already")
            continue
        company = values["organization"]
        matches = accounts.get(company.casefold(), []) if company else []
        account = matches[0] if len(matches) == 1 else None
        fields = {
            "id": new_id(),
            "first_name": values["first_name"],
            "last_name": values["last_name"] or values["first_name"] or company or "(no name)",
            "title": values["title"],
            "email": values["email"],
            "phone": values["phone"],
            "mobile": values["mobile"],
            "account_id": account.id if account else None,
            "notes": "" if account or not company else f"Company on the phone: {company}",
        }
        try:
            contact = Contact.parse({k: v for k, v in fields.items() if k != "id"})
        except DomainError as error:
            result.lines.append(f"{name}: not imported ({error})")
            continue
        batch.creates.append((Contact, fields))
        batch.put_links.append(DavLink(fields["id"], href, "", of_contact(contact, account)))
        result.added += 1
        if account is None and company:
            result.lines.append(
                f"{name}: imported without an account (no single one named {company!r})"
            )
        else:
            result.lines.append(f"{name}: imported" + (f" at {account.name}" if account else ""))
        if values["email"]:
            emails.add(values["email"].casefold())
    if batch:
        result.changes, _refused = store.dav_apply(connection_id, batch)
    return result
