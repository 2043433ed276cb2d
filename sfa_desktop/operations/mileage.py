"""The mileage log: the drives recorded with visits, the nights away accepted from the
visit planner (a hotel each), their cost, and a month's export."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sfa_desktop.core.entities import Account, Activity, CalendarEvent
from sfa_desktop.core.enums import EventStatus
from sfa_desktop.core.rules.coverage import travel_cost
from sfa_desktop.core.rules.visits import is_night_note
from sfa_desktop.store import Store

HEADER = ("Date", "Account", "Visit", "Km", "Rate per km", "Amount")


@dataclass(frozen=True)
class Drive:
    day: date
    account: str
    subject: str
    km: float
    cents_per_km: int
    hotel: int = 0  # a night away's hotel (minor units); its km are 0

    @property
    def amount(self) -> int:
        """Minor units."""
        return travel_cost(self.km, self.cents_per_km) + self.hotel


def nights_away(store: Store, since: datetime, until: datetime) -> list[CalendarEvent]:
    """The nights away accepted (the planner's notes, not cancelled) from `since` to before
    `until`, by their evening."""
    return [
        event
        for event in store.events_between(since, until)
        if is_night_note(event)
        and event.status is not EventStatus.CANCELLED
        and since <= event.starts_at < until
    ]


def month_drives(
    store: Store,
    year: int,
    month: int,
    cents_per_km: int,
    hotel_cents: int = 0,
    until: date | None = None,
) -> list[Drive]:
    """The month's recorded drives and the nights away with an evening before `until`
    (default: the whole month) at `hotel_cents` each, oldest first."""
    activities = [
        a
        for a in store.records(Activity)
        if a.travel_km is not None and (a.occurred_at.year, a.occurred_at.month) == (year, month)
    ]
    first = datetime(year, month, 1, tzinfo=UTC) - timedelta(days=1)
    last = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC) + timedelta(days=1)
    nights = [
        (evening, night)
        for night in (nights_away(store, first, last) if hotel_cents else ())
        if ((evening := _evening(night)).year, evening.month) == (year, month)
        and (until is None or evening < until)
    ]
    linked = {a.account_id for a in activities} | {n.account_id for _, n in nights}
    names = {a.id: a.name for a in store.get_many(Account, sorted(i for i in linked if i))}
    drives = [
        Drive(
            a.occurred_at.date(),
            names.get(a.account_id or "", ""),
            a.subject,
            a.travel_km or 0.0,
            cents_per_km,
        )
        for a in activities
    ]
    drives += [
        Drive(evening, names.get(night.account_id or "", ""), night.title, 0.0, 0, hotel_cents)
        for evening, night in nights
    ]
    return sorted(drives, key=lambda d: d.day)


def _evening(night: CalendarEvent) -> date:
    """The local date of an all-day note (stored as its zone's midnight)."""
    try:
        return night.starts_at.astimezone(ZoneInfo(night.timezone)).date()
    except (ValueError, KeyError):
        return night.starts_at.date()


def travel_cost_by_account(store: Store, since: datetime, cents_per_km: int) -> dict[str, int]:
    """What the recorded drives to each account cost since `since` (minor units)."""
    costs: dict[str, int] = {}
    for activity in store.records(Activity):
        if activity.travel_km and activity.account_id and activity.occurred_at >= since:
            cost = travel_cost(activity.travel_km, cents_per_km)
            costs[activity.account_id] = costs.get(activity.account_id, 0) + cost
    return costs


def export_month(drives: list[Drive], path: Path) -> None:
    """CSV or XLSX by the file's suffix: a row per drive and a total row."""
    rows: list[tuple[object, ...]] = [
        (
            d.day.isoformat(),
            d.account,
            d.subject,
            d.km,
            "" if d.hotel else d.cents_per_km / 100,
            d.amount / 100,
        )
        for d in drives
    ]
    total = (
        "Total",
        "",
        "",
        round(sum(d.km for d in drives), 1),
        "",
        sum(d.amount for d in drives) / 100,
    )
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Mileage"
        for row in (HEADER, *rows, total):
            sheet.append(list(row))
        book.save(path)
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerows((HEADER, *rows, total))
