"""Two-way sync of one CardDAV address book with the rep's CRM contacts.

The chosen contacts (all, or those of some accounts or grades) are kept as cards; the
phone's edits to title, email and numbers come back as CRM edits through the outbox (a
field changed on both sides keeps the CRM's value and files the phone's in the review
inbox); names and company are the CRM's. A card deleted on the phone stops the contact
being sent again (the CRM contact stays); a card made on the phone is offered for import,
never added by itself. Bookkeeping and edits land in one transaction per run.
"""

from __future__ import annotations

from sfa_desktop.connectors.calendar.engine import Report
from sfa_desktop.connectors.contacts.cards import (
    PHONE_EDITS,
    Values,
    new_card,
    of_card,
    of_contact,
    patch_card,
)
from sfa_desktop.connectors.contacts.remote import AddressBookRemote
from sfa_desktop.connectors.dav.session import path_of
from sfa_desktop.connectors.merge import clash_conflicts, three_way
from sfa_desktop.core.entities import Account, Contact, utcnow
from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import Store
from sfa_desktop.store.store_dav import DavAccount, DavBatch, DavLink, DavObject

KIND = "contacts"


def chosen(contact: Contact, accounts: dict[str, Account], options: dict[str, object]) -> bool:
    """Whether the connection's choice (account ids, grades; none: all) takes `contact`."""
    wanted_accounts = set(options.get("accounts") or [])  # type: ignore[call-overload]
    wanted_grades = set(options.get("grades") or [])  # type: ignore[call-overload]
    if not wanted_accounts and not wanted_grades:
        return True
    account = accounts.get(contact.account_id or "")
    return contact.account_id in wanted_accounts or (
        account is not None and account.grade in wanted_grades
    )


class ContactsSync:
    """One run for one connected address book."""

    def __init__(self, store: Store, account: DavAccount, remote: AddressBookRemote) -> None:
        self.store = store
        self.account = account
        self.remote = remote
        self.where = f"the address book {account.name}"
        self.report = Report(account.name)
        self.batch = DavBatch()
        self.version = str(account.options.get("version") or "3.0")

    def run(self) -> Report:
        account, store = self.account, self.store
        objects = store.dav_objects(account.id)
        links = store.dav_links(account.id)
        listing = self.remote.listing(account.sync_token)
        removed = set(listing.removed)
        if listing.full:
            removed |= set(objects) - set(listing.etags)
        changed = {
            h for h, e in listing.etags.items() if not e or h not in objects or objects[h].etag != e
        }
        bodies = self.remote.fetch(changed) if changed else {}
        removed |= changed - set(bodies)
        accounts = {a.id: a for a in store.records(Account)}
        contacts = {c.id: c for c in store.records(Contact)}
        dropped = set(account.options.get("dropped_on_phone") or [])
        settled = True
        linked_hrefs = {link.href for link in links.values()}
        for record_id, link in links.items():
            contact = contacts.get(record_id)
            local = of_contact(contact, accounts.get(contact.account_id or "")) if contact else None
            keep = contact is not None and chosen(contact, accounts, account.options)
            if not self._settle(
                link,
                local if keep else None,
                objects.get(link.href),
                bodies.get(link.href),
                link.href in removed,
            ):
                settled = False
            if link.href in removed and contact is not None:
                dropped.add(record_id)
        for href in removed - linked_hrefs:
            self.batch.drop_objects.append(href)
        for href, (etag, data) in bodies.items():
            if href not in linked_hrefs:  # made on the phone (or not ours): offered, kept apart
                uid = self._uid(data)
                self.batch.put_objects.append(DavObject(href, uid, etag, data))
        folder = path_of(account.collection_url).rstrip("/") + "/"
        for contact in contacts.values():
            if contact.id in links or contact.id in dropped:
                continue
            if not chosen(contact, accounts, account.options):
                continue
            values = of_contact(contact, accounts.get(contact.account_id or ""))
            href = f"{folder}{contact.id}.vcf"
            data = new_card(contact.id, values, self.version)
            put = self.remote.put(href, data, None)
            self.batch.put_objects.append(DavObject(href, contact.id, put or "", data))
            self.batch.put_links.append(DavLink(contact.id, href, "", values))
            self.report.sent += 1
        options = {**account.options, "dropped_on_phone": sorted(dropped)}
        self.batch.account = {"last_sync_at": utcnow(), "last_error": "", "options": options}
        if settled:
            self.batch.account["sync_token"] = listing.token
        self.report.changes, _refused = store.dav_apply(account.id, self.batch)
        return self.report

    def _uid(self, data: str) -> str:
        try:
            return of_card(data)[0]
        except Exception:  # vobject raises many kinds on a broken card
            return ""

    def _settle(
        self,
        link: DavLink,
        local: Values | None,
        seen: DavObject | None,
        body: tuple[str, str] | None,
        gone: bool,
    ) -> bool:
        """Settle one linked card; False when it must wait for the next run."""
        batch = self.batch
        if gone:
            batch.drop_links.append(link.record_id)
            batch.drop_objects.append(link.href)
            return True
        if body is None and seen is None:
            return False
        if body is not None:
            etag, data = body
        else:
            assert seen is not None
            etag, data = seen.etag, seen.data
        if local is None:  # deleted here or no longer chosen: off the phone
            if not self.remote.delete(link.href, etag):
                return False
            batch.drop_links.append(link.record_id)
            batch.drop_objects.append(link.href)
            self.report.sent += 1
            return True
        theirs = link.base
        if body is not None:
            try:
                theirs = of_card(data)[1]
            except Exception as error:  # vobject raises many kinds on a broken card
                self.report.warnings.append(f"{self.where}: {link.href} cannot be read ({error})")
        # names and company are the CRM's: the phone's changes to them are written over
        theirs_editable = {k: (theirs.get(k) if k in PHONE_EDITS else local[k]) for k in local}
        merged = three_way(link.base, local, theirs_editable)
        take = self._valid(link.record_id, merged.take)
        if take:
            batch.updates.append((Contact, link.record_id, take))
            self.report.received += 1
        clashes = clash_conflicts("contact", link.record_id, self.where, merged.clashes)
        batch.conflicts.extend(clashes)
        self.report.conflicts += len(clashes)
        values = {**merged.values, **{k: link.base.get(k) for k in merged.take if k not in take}}
        batch.put_links.append(DavLink(link.record_id, link.href, "", values))
        if values != theirs:
            new_data = patch_card(data, values, self.version)
            new_etag = self.remote.put(link.href, new_data, etag)
            if new_etag is None:
                return False
            batch.put_objects.append(DavObject(link.href, link.record_id, new_etag, new_data))
            self.report.sent += 1
        elif body is not None:
            batch.put_objects.append(DavObject(link.href, link.record_id, etag, data))
        return True

    def _valid(self, record_id: str, take: Values) -> Values:
        """The phone's values the CRM accepts (each refused one is a warning)."""
        contact = self.store.get(Contact, record_id)
        good: Values = {}
        for name, value in take.items():
            try:
                contact.with_changes({**good, name: value})
            except DomainError as error:
                self.report.warnings.append(
                    f"{self.where}: {contact.first_name} {contact.last_name}: {error}"
                )
                continue
            good[name] = value
        return good
