"""CalDAV/CardDAV sync against a real Radicale (started here on a free loopback port):
first sync of N events and M contacts (at 1 in 10 accounts) to an empty server, then
incremental syncs with 10 changes on each side of the calendar and of the address book;
prints the first syncs and the incremental medians (target: incremental < 1 s), with the
machine's load average (the server runs on the same cores).

    python benchmarks/dav_bench.py [--events 2000] [--contacts 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import vobject
from radicale_kit import PASSWORD, USER, Radicale, make_calendar
from store_keys import open_store

from sfa_desktop.connectors.calendar.connect import connect_calendars, sync_calendar
from sfa_desktop.connectors.contacts.connect import connect_address_books, sync_contacts
from sfa_desktop.core.entities import Account, CalendarEvent, Contact, User
from sfa_desktop.store import Store
from sfa_desktop.store.batch import Create
from sfa_desktop.sync.credentials import Credentials

MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" '
    'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype>'
    "<D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>"
)


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def _fill(store: Store, events: int, contacts: int) -> None:
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    accounts = [f"acc-{i}" for i in range(max(1, contacts // 10))]
    rows: list[Create] = [
        Create(Account, {"id": a, "name": f"Company {i}", "grade": "ABC"[i % 3]})
        for i, a in enumerate(accounts)
    ]
    for i in range(events):
        when = start + timedelta(hours=3 * i)
        fields = {"title": f"Visit {i}", "starts_at": when, "ends_at": when + timedelta(hours=1)}
        rows.append(Create(CalendarEvent, {**fields, "timezone": "Europe/Berlin"}))
    for i in range(contacts):
        fields = {"first_name": f"Ann{i}", "last_name": "Lee", "email": f"ann{i}@x.example"}
        fields |= {"phone": f"+49 30 {i:06d}", "account_id": accounts[i % len(accounts)]}
        rows.append(Create(Contact, fields))
    store.write_batch(rows)


def _phone_edits(phone: object, book: str, calendar: object, round_: int) -> None:
    """10 events and 10 cards changed on the phone (the caldav library)."""
    listed = calendar.get_objects_by_sync_token(load_objects=False).objects  # type: ignore[attr-defined]
    for item in sorted(listed, key=lambda i: str(i.url))[round_ * 20 + 10 : round_ * 20 + 20]:
        item.load()
        item.icalendar_component["summary"] = f"Phone {round_}"
        item.save()
    found = phone.propfind(book, "", 1).expand_simple_props([])  # type: ignore[attr-defined]
    hrefs = sorted(h for h in found if h.endswith(".vcf"))[round_ * 20 + 10 : round_ * 20 + 20]
    base = book.split(f"/{USER}/")[0]
    for href in hrefs:
        card = vobject.readOne(phone.request(base + href, "GET").raw)  # type: ignore[attr-defined]
        card.add("title").value = f"Phone title {round_}"
        phone.put(base + href, card.serialize(), {"Content-Type": "text/vcard"})  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logging.getLogger("caldav").setLevel(logging.ERROR)  # the phone's GETs of plain vCards
    folder = Path(tempfile.mkdtemp())
    server = Radicale(folder / "radicale")
    try:
        phone_calendar = make_calendar(server)
        phone = server.phone()
        book = f"{server.url}{USER}/book/"
        phone.request(book, "MKCOL", MKCOL, {"Content-Type": "application/xml"})
        store = open_store(folder / "store.db")
        store.sign_in_as(User(id="rep", name="Rep", email="rep@example.com"))
        _fill(store, args.events, args.contacts)
        credentials = Credentials(persistent=False, vault=store)
        [calendar] = connect_calendars(store, credentials, server.url, USER, PASSWORD)
        [address_book] = connect_address_books(store, credentials, server.url, USER, PASSWORD)
        print(f"load average before: {_load()}", flush=True)
        began = time.perf_counter()
        sync_calendar(store, credentials, store.dav_account(calendar.id))
        first_events = time.perf_counter() - began
        print(f"first sync: {args.events:,} events {first_events:.1f} s", flush=True)
        began = time.perf_counter()
        sync_contacts(store, credentials, store.dav_account(address_book.id))
        first_contacts = time.perf_counter() - began
        print(
            f"first sync: {args.contacts:,} contacts {first_contacts:.1f} s (load {_load()})",
            flush=True,
        )
        both: list[float] = []
        calendar_times: list[float] = []
        contact_times: list[float] = []
        cpu: list[float] = []
        event_ids = store.ids(CalendarEvent)
        contact_ids = store.ids(Contact)
        for round_ in range(args.rounds):
            for n in range(10):  # 10 changes here, to events and to contacts
                store.update(CalendarEvent, event_ids[round_ * 20 + n], {"title": f"Desk {n}"})
                store.update(Contact, contact_ids[round_ * 20 + n], {"title": f"Desk {round_}"})
            _phone_edits(phone, book, phone_calendar, round_)
            began, began_cpu = time.perf_counter(), time.process_time()
            sync_calendar(store, credentials, store.dav_account(calendar.id))
            middle = time.perf_counter()
            sync_contacts(store, credentials, store.dav_account(address_book.id))
            done = time.perf_counter()
            cpu.append(time.process_time() - began_cpu)
            calendar_times.append(middle - began)
            contact_times.append(done - middle)
            both.append(done - began)
        print(
            f"incremental, 10 changes on each side of each: median {statistics.median(both):.2f} s"
            f" (calendar {statistics.median(calendar_times):.2f} s, address book "
            f"{statistics.median(contact_times):.2f} s; this process's CPU "
            f"{statistics.median(cpu):.2f} s) over {args.rounds} rounds; "
            f"load average {_load()} (target < 1 s)"
        )
        store.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
