"""The mileage log: the drives recorded with visits, their cost, and a month's export."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sfa_desktop.core.entities import Account, Activity
from sfa_desktop.core.rules.coverage import travel_cost
from sfa_desktop.store import Store

HEADER = ("Date", "Account", "Visit", "Km", "Rate per km", "Amount")


@dataclass(frozen=True)
class Drive:
    day: date
    account: str
    subject: str
    km: float
    cents_per_km: int

    @property
    def amount(self) -> int:
        """Minor units."""
        return travel_cost(self.km, self.cents_per_km)


def month_drives(store: Store, year: int, month: int, cents_per_km: int) -> list[Drive]:
    """The month's recorded drives, oldest first."""
    activities = [
        a
        for a in store.records(Activity)
        if a.travel_km is not None and (a.occurred_at.year, a.occurred_at.month) == (year, month)
    ]
    names = {
        a.id: a.name
        for a in store.get_many(Account, sorted({a.account_id for a in activities if a.account_id}))
    }
    drives = [
        Drive(
            a.occurred_at.date(),
            names.get(a.account_id or "", ""),
            a.subject,
            a.travel_km or 0.0,
            cents_per_km,
        )
        for a in sorted(activities, key=lambda a: a.occurred_at)
    ]
    return drives


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
        (d.day.isoformat(), d.account, d.subject, d.km, d.cents_per_km / 100, d.amount / 100)
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
