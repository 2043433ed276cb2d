"""Two-way sync of one CardDAV address book with the rep's CRM contacts.

The chosen contacts (all, or those of some accounts or grades) are kept as cards; the
phone's edits to title, email and numbers come back as CRM edits through the outbox (a
field changed on both sides keeps the CRM's value and files the phone's in the review
inbox); names and company are the CRM's. A card deleted on the phone stops the contact
being sent again (the CRM contact stays); a card made on the phone is offered for import,
never added by itself. Bookkeeping and edits land in one transaction per run.
"""

from __future__ import annotations

from typing import Any

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
PUSH_CHUNK = 200  # new cards sent (and noted here) per transaction


class Choice:
    """Which contacts a connection keeps on the phone (options "accounts": ids, "grades";
    neither: all), decided from two light columns, without loading the contacts."""

    def __init__(self, store: Store, options: dict[str, Any]) -> None:
        self.accounts = set(options.get("accounts") or [])
        self.grades = set(options.get("grades") or [])
        self.account_of: dict[str, str | None] = {}
        self.grade_of: dict[str, str | None] = {}
        if self.accounts or self.grades:
            self.account_of = dict(store.column_rows(Contact, ["account_id"]))
            self.grade_of = dict(store.column_rows(Account, ["grade"]))

    def key(self) -> list[list[str]]:
        """What the choice is, to notice when it changes."""
        return [sorted(self.accounts), sorted(self.grades)]

    def takes(self, contact_id: str) -> bool:
        if not self.accounts and not self.grades:
            return True
        account = self.account_of.get(contact_id)
        return account is not None and (
            account in self.accounts or self.grade_of.get(account) in self.grades
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
        self.marks: dict[str, str] = {}

    def run(self) -> Report:
        account, store = self.account, self.store
        etags = store.dav_etags(account.id)
        seen = store.dav_seen(account.id)
        self.marks = store.dav_marks(Contact)
        choice = Choice(store, account.options)
        listing = self.remote.listing(account.sync_token)
        removed = set(listing.removed)
        if listing.full:
            removed |= set(etags) - set(listing.etags)
        changed = {
            h for h, e in listing.etags.items() if not e or h not in etags or etags[h][1] != e
        }
        bodies = self.remote.fetch(changed) if changed else {}
        removed |= changed - set(bodies)
        # a linked card needs a look when the phone changed it or its contact's mark moved
        # (every one when the choice of contacts changed)
        every = account.options.get("settled_choice") != choice.key()
        record_of = {href: rid for rid, (href, _mark) in seen.items()}
        due = {rid for rid, (_h, mark) in seen.items() if every or self.marks.get(rid) != mark}
        due |= {record_of[h] for h in set(bodies) | removed if h in record_of}
        links = store.dav_links(account.id, {seen[rid][0] for rid in due}) if due else {}
        dropped = set(account.options.get("dropped_on_phone") or [])
        new = sorted(
            rid
            for rid in self.marks
            if rid not in seen and rid not in dropped and choice.takes(rid)
        )
        wanted = sorted((due & set(self.marks)) | set(new))
        contacts = {c.id: c for c in store.get_many(Contact, wanted)}
        account_ids = sorted({c.account_id for c in contacts.values() if c.account_id})
        accounts = {a.id: a for a in store.get_many(Account, account_ids)}
        objects = store.dav_objects(
            account.id, {link.href for link in links.values()} - set(bodies)
        )
        settled = True
        for record_id, link in links.items():
            contact = contacts.get(record_id)
            local = of_contact(contact, accounts.get(contact.account_id or "")) if contact else None
            keep = contact is not None and choice.takes(record_id)
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
        for href in removed - set(record_of):
            self.batch.drop_objects.append(href)
        for href, (etag, data) in bodies.items():
            if href not in record_of:  # made on the phone (or not ours): offered, kept apart
                uid = self._uid(data)
                self.batch.put_objects.append(DavObject(href, uid, etag, data))
        options = {
            **account.options,
            "dropped_on_phone": sorted(dropped),
            "settled_choice": choice.key(),
        }
        self.batch.account = {"last_sync_at": utcnow(), "last_error": "", "options": options}
        if settled:
            self.batch.account["sync_token"] = listing.token
        self.report.changes, _refused = store.dav_apply(account.id, self.batch)
        self._push_new([contacts[rid] for rid in new if rid in contacts], accounts)
        store.dav_apply(account.id, DavBatch(account={"last_summary": self.report.summary()}))
        return self.report

    def _push_new(self, new: list[Contact], accounts: dict[str, Account]) -> None:
        """Send the chosen contacts no card holds yet, committing every PUSH_CHUNK."""
        folder = path_of(self.account.collection_url).rstrip("/") + "/"
        for start in range(0, len(new), PUSH_CHUNK):
            chunk = new[start : start + PUSH_CHUNK]
            values = [of_contact(c, accounts.get(c.account_id or "")) for c in chunk]
            writes = [
                (f"{folder}{c.id}.vcf", new_card(c.id, v, self.version), None)
                for c, v in zip(chunk, values, strict=True)
            ]
            batch = DavBatch()
            etags = self.remote.put_many(writes)
            for contact, shown, (href, data, _), etag in zip(
                chunk, values, writes, etags, strict=True
            ):
                # None: already there (a run stopped before noting it); the next run reads it
                batch.put_objects.append(DavObject(href, contact.id, etag or "", data))
                batch.put_links.append(
                    DavLink(contact.id, href, "", shown, self.marks.get(contact.id, ""))
                )
                self.report.sent += 1
            changes, _refused = self.store.dav_apply(self.account.id, batch)
            self.report.changes |= changes

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
        mark = self.marks.get(link.record_id, "")
        batch.put_links.append(DavLink(link.record_id, link.href, "", values, mark))
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
