"""An imported event's link to another calendar (external UID of any length, the start a
moved occurrence replaces) and its extra dates travel through the server to a second
device unchanged, like every other field of the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync_fixtures import Device

from sfa_desktop.core.entities import CalendarEvent

UID = "040000008200E00074C5B7101A82E008" + "0" * 80 + "@outlook.example"  # 128 characters
START = datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_event_links_and_extra_dates_reach_a_second_device(device: Device) -> None:
    laptop, desktop = device("rob", "laptop"), device("rob", "desktop")
    series = laptop.store.create(
        CalendarEvent,
        {
            "title": "Weekly",
            "starts_at": START,
            "ends_at": START + timedelta(hours=1),
            "timezone": "Europe/Berlin",
            "recurrence": "FREQ=WEEKLY;COUNT=4",
            "exceptions": (START + timedelta(weeks=1),),
            "extra_dates": (START + timedelta(days=3),),
            "external_uid": UID,
        },
    ).value
    moved = laptop.store.create(
        CalendarEvent,
        {
            "title": "Weekly (moved)",
            "starts_at": START + timedelta(weeks=1, hours=5),
            "ends_at": START + timedelta(weeks=1, hours=6),
            "external_uid": UID,
            "recurrence_id": START + timedelta(weeks=1),
        },
    ).value
    assert laptop.engine().run_once().pushed == 2
    desktop.engine().run_once()
    there = desktop.store.get(CalendarEvent, series.id)
    assert (there.external_uid, there.extra_dates) == (UID, (START + timedelta(days=3),))
    copy = desktop.store.get(CalendarEvent, moved.id)
    assert (copy.external_uid, copy.recurrence_id) == (UID, START + timedelta(weeks=1))
