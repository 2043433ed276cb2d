"""Completing a planned visit records its drive; the month exports; travel is in cost to serve."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from planner_geographies import BASE, at
from store_keys import open_store

from sfa_desktop.core.entities import Account, AccountPlan, CalendarEvent, CoverageLine
from sfa_desktop.core.enums import DEFAULT_CHANNEL_COST, Channel
from sfa_desktop.core.rules.geo import DriveModel
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.calendar import complete_visit
from sfa_desktop.operations.mileage import export_month, month_drives
from sfa_desktop.operations.plans import TravelRate, plan_detail


def test_drives_are_logged_exported_and_counted(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    where = at(30, 0)  # 30 km: 39 road km at the default 1.3
    account = store.create(
        Account,
        {"name": "North GmbH", "latitude": where.latitude, "longitude": where.longitude},
    ).value
    lines = tuple(CoverageLine(channel=Channel.VISIT, quarter=q, planned=1) for q in range(1, 5))
    store.create(AccountPlan, {"account_id": account.id, "fiscal_year": 2026, "coverage": lines})
    events = []
    for day, km in ((3, 39.0), (10, 39.0)):
        start = datetime(2026, 12, day, 9, tzinfo=UTC)
        events.append(
            store.create(
                CalendarEvent,
                {
                    "title": "Visit: North GmbH",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=1),
                    "account_id": account.id,
                    "planned": True,
                    "travel_km": km,
                    "travel_minutes": 39,
                },
            ).value
        )
    first = complete_visit(store, Occurrence(events[0], events[0].starts_at, events[0].ends_at))
    assert first.value.travel_km == 39.0
    edited = complete_visit(
        store, Occurrence(events[1], events[1].starts_at, events[1].ends_at), travel_km=12.5
    )
    assert edited.value.travel_km == 12.5
    drives = month_drives(store, 2026, 12, cents_per_km=30)
    assert [(d.day, d.km, d.amount) for d in drives] == [
        (date(2026, 12, 3), 39.0, 1170),
        (date(2026, 12, 10), 12.5, 375),
    ]
    export_month(drives, tmp_path / "m.csv")
    rows = list(csv.reader((tmp_path / "m.csv").open(encoding="utf-8")))
    assert rows[-1] == ["Total", "", "", "51.5", "", "15.45"]
    export_month(drives, tmp_path / "m.xlsx")
    sheet = load_workbook(tmp_path / "m.xlsx").active
    assert sheet is not None
    assert [c.value for c in sheet[4]] == ["Total", None, None, 51.5, None, 15.45]
    assert sheet["B2"].value == "North GmbH"
    travel = TravelRate(30, BASE, DriveModel())
    detail = plan_detail(store, account.id, 2026, date(2026, 12, 11), DEFAULT_CHANNEL_COST, travel)
    assert detail.travel_actual == 1170 + 375
    assert abs(detail.travel_planned - 4 * 2 * 39.0 * 30) <= 2  # 4 round trips of 78 km
    visit_cost = DEFAULT_CHANNEL_COST[Channel.VISIT]
    assert detail.actual_cost == 2 * visit_cost + 1545
    assert detail.planned_cost == 4 * visit_cost + detail.travel_planned
    store.close()


def test_nights_away_are_in_the_mileage_log_and_cost_to_serve(tmp_path: Path) -> None:
    # Two accepted nights away near the account (the planner's all-day notes on their
    # evening, Berlin midnight), one cancelled, one next month: December has two hotels.
    store = open_store(tmp_path / "s.db")
    account = store.create(Account, {"name": "Far GmbH"}).value
    lines = tuple(CoverageLine(channel=Channel.VISIT, quarter=q, planned=1) for q in range(1, 5))
    store.create(AccountPlan, {"account_id": account.id, "fiscal_year": 2026, "coverage": lines})
    berlin = ZoneInfo("Europe/Berlin")
    for day, status in ((1, "confirmed"), (8, "confirmed"), (9, "cancelled"), (31, "confirmed")):
        evening = datetime(2026, 12, day, tzinfo=berlin)
        store.create(
            CalendarEvent,
            {
                "title": "Night away near Munich",
                "starts_at": evening,
                "ends_at": evening,
                "all_day": True,
                "timezone": "Europe/Berlin",
                "channel": Channel.NOTE,
                "account_id": account.id,
                "planned": True,
                "status": status,
            },
        )
    drives = month_drives(store, 2026, 12, 30, hotel_cents=11_000, until=date(2026, 12, 31))
    assert [(d.day, d.account, d.km, d.amount) for d in drives] == [
        (date(2026, 12, 1), "Far GmbH", 0.0, 11_000),
        (date(2026, 12, 8), "Far GmbH", 0.0, 11_000),
    ]
    assert month_drives(store, 2026, 12, 30) == []  # no hotel rate: drives only
    export_month(drives, tmp_path / "m.csv")
    rows = list(csv.reader((tmp_path / "m.csv").open(encoding="utf-8")))
    assert rows[1] == ["2026-12-01", "Far GmbH", "Night away near Munich", "0.0", "", "110.0"]
    assert rows[-1] == ["Total", "", "", "0.0", "", "220.0"]
    travel = TravelRate(30, BASE, DriveModel(), hotel_cents=11_000)
    detail = plan_detail(store, account.id, 2026, date(2026, 12, 11), DEFAULT_CHANNEL_COST, travel)
    assert detail.travel_actual == 2 * 11_000
    later = plan_detail(store, account.id, 2026, date(2026, 12, 31), DEFAULT_CHANNEL_COST, travel)
    assert later.travel_actual == 3 * 11_000
    store.close()
