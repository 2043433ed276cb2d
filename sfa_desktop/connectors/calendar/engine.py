"""Two-way sync of one CalDAV calendar with the CRM calendar.

Each run lists what changed on the server (sync-collection, or every ETag), fetches those
objects, and settles every object changed on either side against the values both sides
agreed on last time (the link's base): a change on one side goes to the other, a field
changed on both sides keeps the CRM's value and files the calendar's in the review inbox,
deletes follow unless the other side changed the record meanwhile. Records are written
through the Store (outbox, so they sync and audit like any edit), together with the new
bases, ETags and sync token, in one transaction at the end. An object that changed on the
server while it was being written (412) is left for the next run, and the sync token is
then not advanced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sfa_desktop.connectors.calendar.event_ics import (
    Instance,
    Remote,
    components,
    parse,
    read_object,
    write_object,
)
from sfa_desktop.connectors.calendar.event_values import SHARED, Values, iso, of_event
from sfa_desktop.connectors.calendar.remote import CalendarRemote
from sfa_desktop.connectors.dav.session import path_of
from sfa_desktop.connectors.merge import (
    clash_conflicts,
    deleted_here,
    deleted_there,
    three_way,
)
from sfa_desktop.core.entities import CalendarEvent, Contact, new_id, utcnow
from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.store_dav import DavAccount, DavBatch, DavLink, DavObject

KIND = "calendar"
ENTITY = "event"


@dataclass
class Report:
    """What one run did, for the status bar and the commands."""

    name: str
    sent: int = 0  # objects written to or deleted on the server
    received: int = 0  # records created, changed or deleted here
    conflicts: int = 0
    warnings: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def summary(self) -> str:
        text = f"{self.name}: {self.sent} sent, {self.received} received"
        return text + (f", {self.conflicts} conflicts" if self.conflicts else "")


def _shared(base: dict[str, Any]) -> Values:
    return {name: base.get(name) for name in SHARED}


class CalendarSync:
    """One run for one connected calendar."""

    def __init__(self, store: Store, account: DavAccount, remote: CalendarRemote) -> None:
        self.store = store
        self.account = account
        self.remote = remote
        self.where = f"the calendar {account.name or account.collection_url}"
        self.report = Report(account.name or account.collection_url)
        self.batch = DavBatch()
        self.events: dict[str, CalendarEvent] = {}
        # unlinked records by (UID, replaced start or ""): linked when the server has them
        self.adoptable: dict[tuple[str, str], str] = {}
        self.replaced: dict[str, dict[str, str]] = defaultdict(dict)

    def run(self) -> Report:
        account, store = self.account, self.store
        objects = store.dav_objects(account.id)
        links = store.dav_links(account.id)
        listing = self.remote.listing(account.sync_token)
        removed = set(listing.removed)
        if listing.full:
            removed |= set(objects) - set(listing.etags)
        changed = {
            href
            for href, etag in listing.etags.items()
            if not etag or href not in objects or objects[href].etag != etag
        }
        bodies = self.remote.fetch(changed) if changed else {}
        removed |= changed - set(bodies)
        self.events = {event.id: event for event in store.records(CalendarEvent)}
        unlinked = set(self.events) - store.linked_record_ids(KIND)
        self.adoptable = {
            (self.events[i].external_uid or i, _key(self.events[i])): i for i in unlinked
        }
        uids = {obj.uid: href for href, obj in objects.items()}
        for (uid, key), record_id in self.adoptable.items():
            if key and uid in uids:  # an occurrence replaced here of a series linked here
                self.replaced[uids[uid]][key] = record_id
        members: dict[str, dict[str, DavLink]] = defaultdict(dict)
        for link in links.values():
            members[link.href][link.recurrence_id] = link
        edited_here = {
            link.href
            for link in links.values()
            if link.record_id not in self.events
            or of_event(self.events[link.record_id]) != _shared(link.base)
        }
        settled = True
        for href in sorted(set(bodies) | removed | edited_here | set(self.replaced)):
            found = members.get(href, {})
            part = self._object(href, found, objects.get(href), bodies.get(href), href in removed)
            if part is None:
                settled = False
            else:
                self._take(part)
        if account.options.get("push_crm"):
            self._push_new()
        self.batch.account = {"last_sync_at": utcnow(), "last_error": ""}
        if settled:
            self.batch.account["sync_token"] = listing.token
        changes, refused = store.dav_apply(account.id, self.batch)
        for record_id in refused:
            title = self.events[record_id].title if record_id in self.events else record_id
            self.report.warnings.append(
                f"“{title}” was deleted in {self.where} but is kept here: other records use it"
            )
        self.report.changes = changes
        return self.report

    # -- one object -------------------------------------------------------------------------

    def _object(
        self,
        href: str,
        members: dict[str, DavLink],
        seen: DavObject | None,
        body: tuple[str, str] | None,
        gone: bool,
    ) -> DavBatch | None:
        """What settling `href` writes; None when it must wait for the next run."""
        part = DavBatch()
        if gone:
            return self._gone(part, href, members)
        if body is None:
            if seen is None:  # links without the object they name: read it again next run
                return None
            return self._edited_here(part, href, members, seen)
        etag, data = body
        zone = _shared(members[""].base)["timezone"] if "" in members else "UTC"
        try:
            theirs = read_object(data, zone)
            uid = str(next(iter(components(parse(data)).values())).get("uid", ""))
        except (ValueError, StopIteration) as error:
            self.report.warnings.append(f"{self.where}: {href} cannot be read ({error})")
            part.put_objects.append(DavObject(href, "", etag, data))
            return part
        return self._settle(part, href, members, uid, etag, data, theirs)

    def _gone(self, part: DavBatch, href: str, members: dict[str, DavLink]) -> DavBatch:
        """Deleted on the server: delete here what was not changed here meanwhile."""
        for link in members.values():
            part.drop_links.append(link.record_id)
            record = self.events.get(link.record_id)
            if record is None:
                continue
            if of_event(record) == _shared(link.base):
                part.deletes.append((CalendarEvent, record.id))
            else:
                part.conflicts.append(deleted_there(ENTITY, record.id, self.where))
        part.drop_objects.append(href)
        return part

    def _edited_here(
        self, part: DavBatch, href: str, members: dict[str, DavLink], seen: DavObject
    ) -> DavBatch | None:
        """Unchanged on the server since the last run, changed here."""
        master = members.get("")
        if master is not None and master.record_id not in self.events:  # series deleted here
            if not self.remote.delete(href, seen.etag):
                return None
            self.report.sent += 1
            for link in members.values():
                part.drop_links.append(link.record_id)
                record = self.events.get(link.record_id)
                if record is not None and of_event(record) == _shared(link.base):
                    part.deletes.append((CalendarEvent, record.id))
            part.drop_objects.append(href)
            return part
        theirs = {key: Remote(_shared(link.base), "") for key, link in members.items()}
        return self._settle(part, href, members, seen.uid, seen.etag, seen.data, theirs)

    def _settle(
        self,
        part: DavBatch,
        href: str,
        members: dict[str, DavLink],
        uid: str,
        etag: str,
        data: str,
        theirs: dict[str, Remote],
    ) -> DavBatch | None:
        """Merge every instance of the object; write it back if the CRM side differs."""
        members = dict(members)
        for key in set(theirs) | set(self.replaced.get(href, {})):
            record_id = self.adoptable.pop((uid, key), None)
            if key not in members and record_id is not None:
                # an event here with this UID (an earlier run wrote it without noting it,
                # an imported file, an occurrence replaced here): linked, not duplicated
                base = theirs[key].values if key in theirs else {}
                members[key] = DavLink(record_id, href, key, base)
        out: list[Instance] = []
        write = False
        for key in sorted(set(members) | set(theirs)):
            link, remote = members.get(key), theirs.get(key)
            if link is None:
                assert remote is not None
                out.append(self._create(part, href, uid, key, remote))
                continue
            record = self.events.get(link.record_id)
            base = _shared(link.base)
            if record is None:  # deleted here
                if remote is not None and remote.values != base:
                    out.append(self._create(part, href, uid, key, remote, brought_back=True))
                part.drop_links.append(link.record_id)
                write = write or remote is None or remote.values == base
                continue
            if remote is None and link.base:  # this instance is gone from the server
                part.drop_links.append(link.record_id)
                if of_event(record) == base:
                    part.deletes.append((CalendarEvent, record.id))
                else:
                    part.conflicts.append(deleted_there(ENTITY, record.id, self.where))
                continue
            theirs_now = remote.values if remote is not None else of_event(record)
            merged = three_way(base, of_event(record), theirs_now)
            if merged.take:
                part.updates.append((CalendarEvent, record.id, merged.take))
                self.report.received += 1
            clashes = clash_conflicts(ENTITY, record.id, self.where, merged.clashes)
            part.conflicts.extend(clashes)
            self.report.conflicts += len(clashes)
            write = write or remote is None or merged.values != remote.values
            part.put_links.append(DavLink(record.id, href, key, merged.values))
            out.append(Instance(key, merged.values, channel=record.channel.value))
        if not write:
            part.put_objects.append(DavObject(href, uid, etag, data))
            return part
        if not any(not instance.key for instance in out):  # no series left: delete it all
            if not self.remote.delete(href, etag):
                return None
            part.drop_objects.append(href)
            self.report.sent += 1
            return part
        new_data = write_object(data, uid, out)
        new_etag = self.remote.put(href, new_data, etag)
        if new_etag is None:
            return None
        part.put_objects.append(DavObject(href, uid, new_etag, new_data))
        self.report.sent += 1
        return part

    def _create(
        self,
        part: DavBatch,
        href: str,
        uid: str,
        key: str,
        remote: Remote,
        brought_back: bool = False,
    ) -> Instance:
        """A new record for an instance found on the server (linked to it by its UID and,
        for a replaced occurrence, the start it replaces)."""
        record_id = new_id()
        fields = {
            **remote.values,
            "channel": remote.channel or "event",
            "external_uid": uid[:2_000],
            "recurrence_id": key or None,
        }
        try:
            CalendarEvent.parse(fields)
        except DomainError as error:
            self.report.warnings.append(f"{self.where}: {href} not kept here ({error})")
            return Instance(key, remote.values)
        part.creates.append((CalendarEvent, {**fields, "id": record_id}))
        part.put_links.append(DavLink(record_id, href, key, remote.values))
        self.report.received += 1
        if brought_back:
            part.conflicts.append(deleted_here(ENTITY, record_id, self.where))
            self.report.conflicts += 1
        return Instance(key, remote.values, channel=fields["channel"])

    # -- CRM events not yet in any calendar ---------------------------------------------------

    def _push_new(self) -> None:
        me = self.store.current_user_id()
        new = [
            self.events[record_id]
            for (_uid, key), record_id in self.adoptable.items()
            if not key and self.events[record_id].owner_id in (me, None)
        ]
        wanted = sorted({cid for event in new for cid in event.attendee_ids})
        emails = {c.id: c.email for c in self.store.get_many(Contact, wanted) if c.email}
        folder = path_of(self.account.collection_url).rstrip("/") + "/"
        for event in new:
            href = f"{folder}{event.id}.ics"
            values = of_event(event)
            attendees = [emails[cid] for cid in event.attendee_ids if cid in emails]
            instance = Instance("", values, channel=event.channel.value, attendees=attendees)
            data = write_object(None, event.id, [instance])
            etag = self.remote.put(href, data, None)
            # None: already there (a run stopped before noting it); the next run reads it
            self.batch.put_objects.append(DavObject(href, event.id, etag or "", data))
            self.batch.put_links.append(DavLink(event.id, href, "", values))
            self.report.sent += 1

    def _take(self, part: DavBatch) -> None:
        batch = self.batch
        batch.creates += part.creates
        batch.updates += part.updates
        batch.deletes += part.deletes
        batch.conflicts += part.conflicts
        batch.put_objects += part.put_objects
        batch.drop_objects += part.drop_objects
        batch.put_links += part.put_links
        batch.drop_links += part.drop_links
        self.report.received += len(part.deletes)


def _key(event: CalendarEvent) -> str:
    """The instance key of a record: the start it replaces, or "" for a series or event."""
    return iso(event.recurrence_id) if event.recurrence_id is not None else ""
