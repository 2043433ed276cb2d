"""The background sync (the scheduler the app runs) also runs the connected calendars, even
when the SFA server cannot be reached; their failures reach the status."""

from __future__ import annotations

from radicale_kit import PASSWORD, USER, Radicale, make_calendar

from sfa_desktop.app.sync_service import sync_with_connections
from sfa_desktop.connectors.calendar.connect import connect_calendars
from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.scheduler import SyncScheduler
from sfa_desktop.sync.status import SyncStatus


def test_the_scheduler_runs_the_calendar_without_a_server(
    signed_in: Store, radicale: Radicale
) -> None:
    phone = make_calendar(radicale, "Work")
    phone.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:p1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T070000Z\r\n"
        "DTEND:20260601T080000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    account = SyncAccount(signed_in, Credentials(vault=signed_in))
    connect_calendars(signed_in, account.credentials, radicale.url, USER, PASSWORD)
    shown: list[SyncStatus] = []
    scheduler = SyncScheduler(
        sync=lambda: sync_with_connections(account),
        pending=signed_in.outbox_count,
        publish=shown.append,
    )
    scheduler.run()
    assert [e.title for e in signed_in.records(CalendarEvent)] == ["Dentist"]
    assert "Sign in" in shown[-1].error  # the server part still says why it did not run
