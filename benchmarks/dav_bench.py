"""CalDAV/CardDAV sync against a real Radicale (started here on a free loopback port):
first sync of N events and M contacts to an empty server, then incremental syncs with 10
changes on each side; prints medians (target: incremental < 1 s).

    python benchmarks/dav_bench.py [--events 2000] [--contacts 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from radicale_kit import PASSWORD, USER, Radicale, make_calendar
from store_keys import open_store

from sfa_desktop.connectors.calendar.connect import connect_calendars, sync_calendar
from sfa_desktop.connectors.contacts.connect import connect_address_books, sync_contacts
from sfa_desktop.core.entities import CalendarEvent, Contact, User
from sfa_desktop.sync.credentials import Credentials

MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" '
    'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype>'
    "<D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    server = Radicale(folder / "radicale")
    try:
        phone_calendar = make_calendar(server)
        phone = server.phone()
        book = f"{server.url}{USER}/book/"
        phone.request(book, "MKCOL", MKCOL, {"Content-Type": "application/xml"})
        store = open_store(folder / "store.db")
        store.sign_in_as(User(id="rep", name="Rep", email="rep@example.com"))
        start = datetime(2026, 1, 5, 8, tzinfo=UTC)
        for i in range(args.events):
            when = start + timedelta(hours=3 * i)
            store.create(
                CalendarEvent,
                {
                    "title": f"Visit {i}",
                    "starts_at": when,
                    "ends_at": when + timedelta(hours=1),
                    "timezone": "Europe/Berlin",
                },
            )
        for i in range(args.contacts):
            store.create(
                Contact,
                {
                    "first_name": f"Ann{i}",
                    "last_name": "Lee",
                    "email": f"ann{i}@x.example",
                    "phone": f"+49 30 {i:06d}",
                },
            )
        credentials = Credentials(persistent=False, vault=store)
        [calendar] = connect_calendars(store, credentials, server.url, USER, PASSWORD)
        [address_book] = connect_address_books(store, credentials, server.url, USER, PASSWORD)
        began = time.perf_counter()
        sync_calendar(store, credentials, store.dav_account(calendar.id))
        first_events = time.perf_counter() - began
        began = time.perf_counter()
        sync_contacts(store, credentials, store.dav_account(address_book.id))
        first_contacts = time.perf_counter() - began
        print(
            f"first sync: {args.events:,} events {first_events:.1f} s, {args.contacts:,} contacts {first_contacts:.1f} s"  # noqa: E501
        )
        timings: list[float] = []
        event_ids = store.ids(CalendarEvent)
        for round_ in range(args.rounds):
            for n in range(10):  # 10 changes here
                store.update(
                    CalendarEvent, event_ids[round_ * 20 + n], {"title": f"Changed {round_}-{n}"}
                )
            for item in phone_calendar.get_objects_by_sync_token(load_objects=False).objects[
                round_ * 20 + 10 : round_ * 20 + 20
            ]:
                item.load()
                item.icalendar_component["summary"] = f"Phone {round_}"
                item.save()  # 10 changes on the phone
            began = time.perf_counter()
            sync_calendar(store, credentials, store.dav_account(calendar.id))
            sync_contacts(store, credentials, store.dav_account(address_book.id))
            timings.append(time.perf_counter() - began)
        print(
            f"incremental (10 changes each side, calendar + address book): median {statistics.median(timings):.2f} s over {args.rounds} rounds (target < 1 s)"  # noqa: E501
        )
        store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
