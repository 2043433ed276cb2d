"""Quotas the way sales organisations count them (issue 22, points 1 and 5), through the
HTTP API and the desktop's view model, on SQLite and PostgreSQL.

1. A manager's quota is the one set for them (the team's number); the reports' quotas add
   up beside it as the rolled-up quota and are never added to it. Attainment is against
   the manager's own quota, or the rolled-up one (and it says so) when they have none.
5. A quarter without a quota adds up its months, a year its quarters (each set or from its
   months); parts with none count as 0 and are named.

Every expected figure is written out, with the arithmetic beside it (amounts in cents).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from forecast_scenario import devices
from server_kit import PASSWORD, Org

from sfa_desktop.core.entities import Account, Opportunity, Quota, User
from sfa_desktop.core.periods import Period
from sfa_desktop.demo import DemoSize, generate
from sfa_desktop.operations.forecast import rep_forecast
from sfa_desktop.operations.forecast_export import HEADERS, table_rows
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.forecast_client import ForecastRemote
from sync_server.services import admin
from sync_server.services.demo import seed_demo

NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)


def _quotas(org: Org, *quotas: tuple[str, str, int]) -> None:
    with org.session() as session:
        for username, period, amount in quotas:
            admin.set_quota(session, username, period, amount, "EUR", NOW)


def _report(org: Org, viewer: str, period: str) -> dict[str, Any]:
    response = org.client.get(f"/api/v1/forecast/{period}", headers=org.headers(viewer))
    assert response.status_code == 200, response.text
    root: dict[str, Any] = response.json()["root"]
    return root


def _by_name(root: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {root["name"]: root}
    for report in root["reports"]:
        found.update(_by_name(report))
    return found


def _quota_figures(node: dict[str, Any]) -> tuple[Any, ...]:
    return (
        node["quota"],
        node["quota_source"],
        node["quota_missing"],
        node["rolled_up_quota"],
        node["attainment_basis"],
    )


def _rows(device: SyncAccount, period: str) -> dict[str, dict[str, Any]]:
    """The manager's tree as the desktop fetches and exports it (the Qt-free table behind
    the tree, the CSV, the workbook and the PDF), by name and column header."""
    report = ForecastRemote(device).fetch(period).report
    return {row[0]: dict(zip(HEADERS, row, strict=True)) for row in table_rows(report)}


@pytest.fixture
def desk(org: Org, tmp_path: Path) -> Iterator[Any]:
    """Desktop devices signed in to this test's server (SQLite or PostgreSQL)."""
    with devices(org.client._transport, tmp_path) as sign_in:
        yield sign_in


def _sell(rob: SyncAccount, ria: SyncAccount) -> None:
    """Rob wins 300,000 (2026-11-10), Ria 450,000 (2026-12-01); both sync up."""
    for device, amount, day in ((rob, 300_000, "2026-11-10"), (ria, 450_000, "2026-12-01")):
        account = device.store.create(Account, {"name": "Customer"}).value.id
        fields = {"account_id": account, "name": "Won", "amount": amount, "close_date": day}
        deal = device.store.create(Opportunity, {**fields, "stage": "negotiation"}).value.id
        device.store.update(Opportunity, deal, {"stage": "closed_won"})
        device.engine().run_once()
        assert device.store.outbox_count() == 0


# -- point 1: a manager's quota is the team's number, not added to the reports' ------------


def test_a_managers_quota_stands_beside_the_reports_rolled_up(org: Org, desk: Any) -> None:
    rob, ria, mia = desk("rob"), desk("ria"), desk("mia")
    _sell(rob, ria)
    # Mia's team number is a stretch above the reps' 1,000,000 + 500,000; Boss has none.
    _quotas(org, ("rob", "2026-Q4", 1_000_000), ("ria", "2026-Q4", 500_000))
    _quotas(org, ("mia", "2026-Q4", 1_800_000))

    nodes = _by_name(_report(org, "boss", "2026-Q4"))
    # quota and attainment first (the figures the API had before this rule)
    assert nodes["Mia"]["quota"] == 1_800_000  # before: 1,800,000 + 1,000,000 + 500,000
    assert nodes["Boss"]["quota"] == 0  # before: Mia's 3,300,000 counted again
    assert _quota_figures(nodes["Rob"]) == (1_000_000, "set", [], 0, "own")
    assert nodes["Rob"]["attainment"] == pytest.approx(0.3)  # 300,000 / 1,000,000
    assert _quota_figures(nodes["Ria"]) == (500_000, "set", [], 0, "own")
    assert nodes["Ria"]["attainment"] == pytest.approx(0.9)  # 450,000 / 500,000
    # Mia: her own 1,800,000 (before: 1,800,000 + 1,000,000 + 500,000 = 3,300,000).
    assert _quota_figures(nodes["Mia"]) == (1_800_000, "set", [], 1_500_000, "own")
    assert nodes["Mia"]["totals"]["closed"] == 750_000  # 300,000 + 450,000
    assert nodes["Mia"]["attainment"] == pytest.approx(0.416667, abs=1e-6)  # 750,000 / 1,800,000
    # Boss has no quota: attainment against Mia's 1,800,000 rolled up (before: 3,300,000).
    assert _quota_figures(nodes["Boss"]) == (0, "none", [], 1_800_000, "rolled up")
    assert nodes["Boss"]["attainment"] == pytest.approx(0.416667, abs=1e-6)  # 750,000 / 1,800,000

    # Mia's desktop: the team tree as fetched and exported (euros).
    rows = _rows(mia, "2026-Q4")
    mine = rows["Mia"]
    assert (mine["Quota"], mine["Rolled-up quota"]) == (18_000.0, 15_000.0)  # euros
    assert mine["Attainment"] == 0.4167  # 750,000 / 1,800,000, to 4 places
    assert (mine["Attainment against"], mine["Quota source"]) == ("own quota", "set")
    assert (rows["Rob"]["Quota"], rows["Rob"]["Rolled-up quota"]) == (10_000.0, None)
    assert rows["Rob"]["Attainment"] == 0.3  # 300,000 / 1,000,000

    # The manager's boss without a quota of his own: the rolled-up quota, and it says so.
    _quotas(org, ("mia", "2026-Q4", 1_500_000))  # now the team's number equals the sum
    top = _rows(desk("boss"), "2026-Q4")
    assert (top["Boss"]["Quota"], top["Boss"]["Rolled-up quota"]) == (0.0, 15_000.0)
    assert top["Boss"]["Attainment"] == 0.5  # 750,000 / 1,500,000
    assert top["Boss"]["Attainment against"] == "rolled-up quota"
    assert top["Boss"]["Quota source"] == "none"
    assert top["Mia"]["Attainment"] == 0.5  # 750,000 / 1,500,000 (before: / 3,000,000)


# -- point 5: quotas roll up from months to quarters to the year --------------------------


@pytest.fixture
def yearly(org: Org) -> Org:
    """Rob: months Oct-Dec, Q3 set (July's month quota under it is not used), April and May
    but not June, nothing in Q1. Ria: a year and a Q4 quota set. Mia: none."""
    _quotas(
        org,
        ("rob", "2026-10", 300_000),
        ("rob", "2026-11", 400_000),
        ("rob", "2026-12", 500_000),
        ("rob", "2026-Q3", 900_000),
        ("rob", "2026-07", 100_000),
        ("rob", "2026-04", 200_000),
        ("rob", "2026-05", 200_000),
        ("ria", "2026", 2_000_000),
        ("ria", "2026-Q4", 600_000),
    )
    return org


def test_a_quarter_adds_up_its_months(yearly: Org, desk: Any) -> None:
    rob, ria = desk("rob"), desk("ria")
    _sell(rob, ria)
    nodes = _by_name(_report(yearly, "mia", "2026-Q4"))
    assert nodes["Rob"]["quota"] == 1_200_000  # 300,000 + 400,000 + 500,000 (before: 0)
    # 300,000 + 400,000 + 500,000 (before: no quota, attainment none)
    assert _quota_figures(nodes["Rob"]) == (1_200_000, "from months", [], 0, "own")
    assert nodes["Rob"]["attainment"] == pytest.approx(0.25)  # 300,000 / 1,200,000
    assert _quota_figures(nodes["Ria"]) == (600_000, "set", [], 0, "own")
    assert nodes["Ria"]["attainment"] == pytest.approx(0.75)  # 450,000 / 600,000
    # Mia has none: 1,200,000 + 600,000 rolled up
    assert _quota_figures(nodes["Mia"]) == (0, "none", [], 1_800_000, "rolled up")
    assert nodes["Mia"]["attainment"] == pytest.approx(0.416667, abs=1e-6)  # 750,000 / 1,800,000

    q2 = _by_name(_report(yearly, "rob", "2026-Q2"))["Rob"]
    # 200,000 + 200,000, June has none: counted as 0 and named
    assert _quota_figures(q2) == (400_000, "from months", ["2026-06"], 0, "own")
    q3 = _by_name(_report(yearly, "rob", "2026-Q3"))["Rob"]
    assert _quota_figures(q3) == (900_000, "set", [], 0, "own")  # set wins over July's
    month = _by_name(_report(yearly, "rob", "2026-11"))["Rob"]
    assert _quota_figures(month) == (400_000, "set", [], 0, "own")
    assert month["attainment"] == pytest.approx(0.75)  # 300,000 / 400,000
    september = _by_name(_report(yearly, "rob", "2026-09"))["Rob"]  # never split down from Q3
    assert _quota_figures(september) == (0, "none", [], 0, "none")
    assert september["attainment"] is None

    # Rob's desktop: his own forecast from the quotas that came down by sync.
    rob.engine().run_once()
    mine = rep_forecast(rob.store, Period.parse("2026-Q4"), NOW)
    assert mine.quota == 1_200_000  # 300,000 + 400,000 + 500,000
    assert mine.quota_note == "from months"
    assert mine.attainment == pytest.approx(0.25)  # 300,000 / 1,200,000
    spring = rep_forecast(rob.store, Period.parse("2026-Q2"), NOW)
    assert (spring.quota, spring.quota_note) == (400_000, "from months; none set for 2026-06")


def test_a_year_adds_up_its_quarters(yearly: Org, desk: Any) -> None:
    rob, ria = desk("rob"), desk("ria")
    _sell(rob, ria)
    nodes = _by_name(_report(yearly, "mia", "2026"))
    assert nodes["Rob"]["quota"] == 2_500_000  # worked out below (before: 0)
    # Q1 none + Q2 400,000 (April + May) + Q3 900,000 (set) + Q4 1,200,000 (months)
    # = 2,500,000; Q1 and June have none (before: €0 and no attainment)
    assert _quota_figures(nodes["Rob"]) == (
        2_500_000,
        "from quarters",
        ["2026-Q1", "2026-06"],
        0,
        "own",
    )
    assert nodes["Rob"]["attainment"] == pytest.approx(0.12)  # 300,000 / 2,500,000
    assert _quota_figures(nodes["Ria"]) == (2_000_000, "set", [], 0, "own")  # the year's own
    assert nodes["Ria"]["attainment"] == pytest.approx(0.225)  # 450,000 / 2,000,000
    # Mia has none: 2,500,000 + 2,000,000 rolled up
    assert _quota_figures(nodes["Mia"]) == (0, "none", [], 4_500_000, "rolled up")
    assert nodes["Mia"]["attainment"] == pytest.approx(0.166667, abs=1e-6)  # 750,000 / 4,500,000

    text = yearly.client.get("/api/v1/forecast/2026/export.csv", headers=yearly.headers("mia")).text
    csv_rows = {row["name"]: row for row in csv.DictReader(io.StringIO(text))}
    quota_columns = ("rolled_up_quota", "attainment_basis", "quota_source", "quota_missing")
    assert [csv_rows["Mia"][c] for c in quota_columns] == ["4500000", "rolled up", "none", ""]
    assert [csv_rows["Rob"][c] for c in quota_columns] == [
        "0",
        "own",
        "from quarters",
        "2026-Q1 2026-06",
    ]

    # Mia's desktop: the tree's table as exported.
    rows = _rows(desk("mia"), "2026")
    assert rows["Rob"]["Quota"] == 25_000.0  # 2,500,000 cents
    assert rows["Rob"]["Quota source"] == "from quarters; none set for 2026-Q1, 2026-06"
    assert rows["Mia"]["Rolled-up quota"] == 45_000.0  # 25,000 + 20,000 euros
    assert rows["Mia"]["Attainment against"] == "rolled-up quota"
    # Rob's desktop
    rob.engine().run_once()
    year = rep_forecast(rob.store, Period.parse("2026"), NOW)
    assert year.quota == 2_500_000  # 400,000 + 900,000 + 1,200,000
    assert year.quota_detail.missing == ("2026-Q1", "2026-06")
    assert year.attainment == pytest.approx(0.12)  # 300,000 / 2,500,000


def test_a_year_of_monthly_quotas_says_from_months(org: Org) -> None:
    # Every month of 2026 at 100,000 and no quarter or year set: 12 x 100,000.
    _quotas(org, *(("rob", f"2026-{month:02d}", 100_000) for month in range(1, 13)))
    rob = _by_name(_report(org, "rob", "2026"))["Rob"]
    assert rob["quota"] == 1_200_000  # before: 0
    assert _quota_figures(rob) == (1_200_000, "from months", [], 0, "own")
    quarter = _by_name(_report(org, "rob", "2026-Q1"))["Rob"]
    assert _quota_figures(quarter) == (300_000, "from months", [], 0, "own")  # 3 x 100,000


# -- the demo's first manager screen adds up ----------------------------------------------


def test_the_demos_first_manager_screen_adds_up(client: Any) -> None:
    """The director's Q4 row of a seeded demo, against the generator's own records: the
    quota set for him (the team's total) beside the managers' quotas rolled up, and
    attainment against it (before: director + managers + reps, three times the total)."""
    size, today = DemoSize.scaled(300), date(2026, 12, 4)
    with client.app.state.sessions() as session:
        logins = seed_demo(
            session,
            size,
            password=PASSWORD,
            today=today,
            now=NOW,
            settings=client.app.state.settings,
        )
    records = list(generate(size, seed=7, today=today))
    users = [r for r in records if isinstance(r, User)]
    director = next(u for u in users if u.manager_id is None and u.role == "manager")
    managers = [u for u in users if u.manager_id == director.id]
    quota = {
        q.owner_id: q.amount for q in records if isinstance(q, Quota) and q.period == "2026-Q4"
    }
    q4 = Period.parse("2026-Q4")
    closed = sum(
        o.amount
        for o in records
        if isinstance(o, Opportunity) and o.stage == "closed_won" and o.close_date in q4
    )
    reps = [u for u in users if u.role == "rep"]
    assert (
        quota[director.id] == sum(quota[m.id] for m in managers) == sum(quota[r.id] for r in reps)
    )

    login = next(x for x in logins if x.name == director.name)
    response = client.post(
        "/api/v1/auth/login",
        json={"username": login.username, "password": PASSWORD, "device_name": "screen"},
    )
    token = response.json()["access_token"]
    root = client.get(
        "/api/v1/forecast/2026-Q4", headers={"Authorization": f"Bearer {token}"}
    ).json()["root"]
    assert root["totals"]["closed"] == closed
    assert root["quota"] == quota[director.id]  # once, not three times
    assert root["rolled_up_quota"] == sum(quota[m.id] for m in managers)
    assert root["attainment_basis"] == "own"
    assert root["attainment"] == pytest.approx(closed / quota[director.id])
    for node in root["reports"]:  # each first-line manager: own quota, reps rolled up
        team = [r for r in reps if r.manager_id == node["user_id"]]
        assert node["quota"] == quota[node["user_id"]]
        assert node["rolled_up_quota"] == sum(quota[r.id] for r in team)
