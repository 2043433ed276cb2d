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
PUSH_CHUNK = 200  # new events sent (and noted here) per transaction


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
        self.marks: dict[str, str] = {}
        self.changes = Changes()

    def run(self) -> Report:
        account, store = self.account, self.store
        etags = store.dav_etags(account.id)
        seen = store.dav_seen(account.id)
        self.marks = store.dav_marks(CalendarEvent)
        listing = self.remote.listing(account.sync_token)
        removed = set(listing.removed)
        if listing.full:
            removed |= set(etags) - set(listing.etags)
        changed = {
            href
            for href, etag in listing.etags.items()
            if not etag or href not in etags or etags[href][1] != etag
        }
        bodies = self.remote.fetch(changed) if changed else {}
        removed |= changed - set(bodies)
        # only records whose mark moved since they were settled can differ from their base
        moved = {rid for rid, (_href, mark) in seen.items() if self.marks.get(rid) != mark}
        unlinked = set(self.marks) - store.linked_record_ids(KIND)
        touched = set(bodies) | removed | {seen[rid][0] for rid in moved}
        links = store.dav_links(account.id, touched) if touched else {}
        wanted = unlinked | {rid for rid in links if rid in self.marks}
        self.events = {event.id: event for event in store.get_many(CalendarEvent, sorted(wanted))}
        self.adoptable = {
            (self.events[i].external_uid or i, _key(self.events[i])): i
            for i in unlinked
            if i in self.events
        }
        uids = {uid: href for href, (uid, _etag) in etags.items()}
        for (uid, key), record_id in self.adoptable.items():
            if key and uid in uids:  # an occurrence replaced here of a series linked here
                self.replaced[uids[uid]][key] = record_id
        members: dict[str, dict[str, DavLink]] = defaultdict(dict)
        for link in links.values():
            members[link.href][link.recurrence_id] = link
        edited_here = set()
        for rid in moved:
            link = links[rid]
            if rid not in self.events or of_event(self.events[rid]) != _shared(link.base):
                edited_here.add(link.href)
            else:  # written (here or by the server) without changing what a calendar shows
                self.batch.seen[rid] = self.marks[rid]
        hrefs = sorted(set(bodies) | removed | edited_here | set(self.replaced))
        objects = store.dav_objects(account.id, [h for h in hrefs if h not in bodies])
        settled = True
        for href in hrefs:
            found = members.get(href, {})
            part = self._object(href, found, objects.get(href), bodies.get(href), href in removed)
            if part is None:
                settled = False
            else:
                self._take(part)
        self.batch.account = {"last_sync_at": utcnow(), "last_error": ""}
        if settled:
            self.batch.account["sync_token"] = listing.token
        self._apply(self.batch)
        if account.options.get("push_crm"):
            self._push_new()
        self.report.changes = self.changes
        store.dav_apply(account.id, DavBatch(account={"last_summary": self.report.summary()}))
        return self.report

    def _apply(self, batch: DavBatch) -> None:
        changes, refused = self.store.dav_apply(self.account.id, batch)
        self.changes |= changes
        for record_id in refused:
            title = self.events[record_id].title if record_id in self.events else record_id
            self.report.warnings.append(
                f"“{title}” was deleted in {self.where} but is kept here: other records use it"
            )

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
            part.put_links.append(
                DavLink(record.id, href, key, merged.values, self.marks.get(record.id, ""))
            )
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
        """Send the rep's CRM events no calendar has yet, committing every PUSH_CHUNK (a
        first sync of thousands keeps what it sent if it stops half-way)."""
        me = self.store.current_user_id()
        new = [
            self.events[record_id]
            for (_uid, key), record_id in self.adoptable.items()
            if not key and self.events[record_id].owner_id in (me, None)
        ]
        new.sort(key=lambda event: event.id)
        wanted = sorted({cid for event in new for cid in event.attendee_ids})
        emails = {c.id: c.email for c in self.store.get_many(Contact, wanted) if c.email}
        folder = path_of(self.account.collection_url).rstrip("/") + "/"
        for start in range(0, len(new), PUSH_CHUNK):
            chunk = new[start : start + PUSH_CHUNK]
            writes = []
            for event in chunk:
                attendees = [emails[cid] for cid in event.attendee_ids if cid in emails]
                instance = Instance(
                    "", of_event(event), channel=event.channel.value, attendees=attendees
                )
                writes.append(
                    (f"{folder}{event.id}.ics", write_object(None, event.id, [instance]), None)
                )
            batch = DavBatch()
            for event, (href, data, _), etag in zip(
                chunk, writes, self.remote.put_many(writes), strict=True
            ):
                # None: already there (a run stopped before noting it); the next run reads it
                batch.put_objects.append(DavObject(href, event.id, etag or "", data))
                batch.put_links.append(
                    DavLink(event.id, href, "", of_event(event), self.marks.get(event.id, ""))
                )
                self.report.sent += 1
            self._apply(batch)

    def _take(self, part: DavBatch) -> None:
        self.batch.extend(part)
        self.report.received += len(part.deletes)


def _key(event: CalendarEvent) -> str:
    """The instance key of a record: the start it replaces, or "" for a series or event."""
    return iso(event.recurrence_id) if event.recurrence_id is not None else ""
