"""The visit planner page: a hand-made week planned off the main thread and shown as days,
stops and skips; Accept writes the visits as events and one undo removes them; the map
paints the routes in their day colours over land; the location dialog refuses bad input."""

from __future__ import annotations

import csv
import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from planner_geographies import BASE, MONDAY, at
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.settings import Settings
from sfa_desktop.core.entities import Account, AccountPlan, CalendarEvent, CoverageLine
from sfa_desktop.core.enums import Channel, LocationSource
from sfa_desktop.core.rules.geo import Point
from sfa_desktop.ui.accounts.account_view import AccountView
from sfa_desktop.ui.common.format import money
from sfa_desktop.ui.common.location_dialog import LocationDialog
from sfa_desktop.ui.planner.mileage_dialog import MileageDialog
from sfa_desktop.ui.planner.not_located_dialog import NotLocatedDialog
from sfa_desktop.ui.planner.planner_page import PlannerPage
from sfa_desktop.ui.planner.route_map import DAY_COLOURS, GRADE_COLOURS, LAND
from sfa_desktop.ui.shell.settings_dialog import SettingsDialog

BERLIN = ZoneInfo("Europe/Berlin")
# The star: four customers 30 km from base. One loop through them is 30 + 3 x 42.43 + 30
# = 187.3 km at a road factor of 1 (one minute a km at 60 km/h), 4 h of visits: one day.
STAR = {"North": (30, 0), "East": (0, 30), "South": (-30, 0), "West": (0, -30)}
STAR_KM = 60 + 3 * 30 * math.sqrt(2)
FAR = (0, 200)  # 400 minutes there and back: over the 240-minute drive limit


def _seed(ctx: AppContext) -> dict[str, str]:
    settings = ctx.settings
    for name, value in (
        ("planner_base", f"{BASE.latitude}, {BASE.longitude}"),
        ("planner_days", 1),
        ("planner_road_factor", 100),
        ("planner_speed", 60),
        ("planner_max_drive", 240),
        ("planner_visit_b", 60),
    ):
        settings.set(name, value)
    ids = {}
    for name, (north, east) in {**STAR, "Far": FAR}.items():
        point = at(north, east)
        account = ctx.store.create(
            Account,
            {
                "name": name,
                "grade": "B",
                "city": "Town",
                "latitude": point.latitude,
                "longitude": point.longitude,
            },
        ).value
        lines = tuple(
            CoverageLine(channel=Channel.VISIT, quarter=q, planned=4) for q in (1, 2, 3, 4)
        )
        ctx.store.create(
            AccountPlan,
            {"account_id": account.id, "fiscal_year": 2026, "grade": "B", "coverage": lines},
        )
        ids[name] = account.id
    return ids


def _page(ctx: AppContext, qtbot: QtBot) -> PlannerPage:
    page = PlannerPage(
        ctx,
        today=lambda: date(2026, 12, 1),
        now=lambda: datetime(2026, 12, 1, 12, tzinfo=UTC),
        seconds=(0.5, 0.2),
        zone=BERLIN,
    )
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.show_week(MONDAY)
    _wait_for_plan(page, qtbot, ctx)
    return page


def _wait_for_plan(page: PlannerPage, qtbot: QtBot, ctx: AppContext) -> None:
    qtbot.waitUntil(lambda: page.plan is not None and not page.runner.running, timeout=15_000)
    settle(qtbot, ctx, 15_000)


def test_the_page_plans_a_hand_made_week(plain_ctx: AppContext, qtbot: QtBot) -> None:
    _seed(plain_ctx)
    page = PlannerPage(
        plain_ctx,
        now=lambda: datetime(2026, 12, 1, 12, tzinfo=UTC),
        seconds=(0.5, 0.2),
        zone=BERLIN,
    )
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.runner.busy, timeout=5_000) as busy:
        page.show_week(MONDAY)
    assert busy.args == [True]
    assert page.progress.isVisible()  # the busy state while the solver runs elsewhere
    assert not page.plan_button.isEnabled()
    _wait_for_plan(page, qtbot, plain_ctx)
    assert not page.progress.isVisible()
    stops = page.view.stops_shown()
    assert sorted(name for _, name in stops) == sorted(STAR)
    day_line = stops[0][0]
    assert day_line.startswith("Mon 07 Dec: 4 visits")
    assert f"{STAR_KM:.0f} km" in day_line  # 187 km
    order = [name for _, name in stops]
    ring = ["North", "East", "South", "West"]
    start = ring.index(order[0])
    rotations = [ring[start:] + ring[:start], list(reversed(ring[: start + 1] + ring[start + 1 :]))]
    assert order in (rotations[0], [order[0], *reversed(rotations[0][1:])])  # a loop, no crossing
    skipped = page.view.skipped.records()
    assert [s.name for s in skipped] == ["Far"]
    assert "drive limit" in skipped[0].reason
    assert skipped[0].suggestion is Channel.CALL
    assert page.view.tabText(1) == "Not this week (1)"
    assert page.accept_button.isEnabled()
    assert page.accept_button.text() == "Accept 4 visits"


def test_accept_writes_events_and_undo_removes_them(plain_ctx: AppContext, qtbot: QtBot) -> None:
    ids = _seed(plain_ctx)
    page = _page(plain_ctx, qtbot)
    assert page.plan is not None
    proposed = {s.account_id: s for s in page.plan.visits}
    with qtbot.waitSignal(page.runner.planned, timeout=15_000):  # re-planned after it
        page.accept_button.click()
    events = [e for e in plain_ctx.store.records(CalendarEvent) if e.planned]
    assert {e.account_id for e in events} == {ids[n] for n in STAR}
    for event in events:
        stop = proposed[event.account_id]
        assert event.starts_at.astimezone(BERLIN).date() == MONDAY
        midnight = datetime.combine(MONDAY, time(0), BERLIN)
        assert event.starts_at == midnight + timedelta(minutes=stop.starts)
        assert event.channel is Channel.VISIT
    # The page re-planned around its own visits: they are kept, nothing is left to accept.
    assert page.plan is not None
    assert {s.event_id for s in page.plan.visits} == {e.id for e in events}
    assert not page.accept_button.isEnabled()
    assert plain_ctx.last_undo is not None
    with qtbot.waitSignal(page.runner.planned, timeout=15_000):
        plain_ctx.undo()
    assert [e for e in plain_ctx.store.records(CalendarEvent) if e.planned] == []
    assert page.accept_button.isEnabled()


def _shown(view: AccountView, key: str, section: str = "details") -> str:
    """The text the overview's details (or plan) show beside `key`."""
    form = getattr(view.overview, section).form
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        value = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is not None and label.widget().text() == key and value is not None:
            widget = value.widget()
            assert isinstance(widget, QLabel)
            return widget.text()
    return ""


def _pixels(image: QImage, colour: str) -> int:
    wanted = QColor(colour).rgb()
    return sum(
        1
        for y in range(0, image.height())
        for x in range(0, image.width())
        if image.pixel(x, y) == wanted
    )


def test_the_map_paints_routes_pins_and_land(
    plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    _seed(plain_ctx)
    page = _page(plain_ctx, qtbot)
    qtbot.waitUntil(lambda: bool(page.map.rings), timeout=15_000)
    image = page.map.grab().toImage()
    assert _pixels(image, DAY_COLOURS[0]) > 200  # Monday's loop of 187 km
    assert _pixels(image, DAY_COLOURS[1]) == 0  # no Tuesday
    assert _pixels(image, GRADE_COLOURS["B"]) > 20  # the accounts' pins
    # Around 50 N 10 E everything is Germany: the map's empty corner is land, not sea.
    corner = image.pixel(image.width() - 6, image.height() - 6)
    assert corner == LAND.rgb()
    screenshot(qtbot, plain_ctx, page, tmp_path / "planner.png")


@pytest.mark.parametrize(
    ("latitude", "longitude", "lat_error", "lon_error"),
    [
        ("95", "10", "between -90 and 90", ""),
        ("48.1", "abc", "", "must be a number"),
        ("", "200", "Enter the latitude", "between -180 and 180"),
    ],
)
def test_the_location_dialog_refuses_bad_coordinates(
    plain_ctx: AppContext,
    qtbot: QtBot,
    latitude: str,
    longitude: str,
    lat_error: str,
    lon_error: str,
) -> None:
    dialog = LocationDialog(plain_ctx, "Home base")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.latitude.setText(latitude)
    dialog.longitude.setText(longitude)
    with qtbot.assertNotEmitted(dialog.located):
        dialog.save()
    for label, expected in ((dialog.lat_error, lat_error), (dialog.lon_error, lon_error)):
        assert label.isVisible() == bool(expected)
        assert expected in label.text()
    assert dialog.isVisible()


def test_the_location_dialog_takes_a_pin_or_a_city(plain_ctx: AppContext, qtbot: QtBot) -> None:
    dialog = LocationDialog(plain_ctx, "Home base")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.latitude.setText("48,137")  # a decimal comma, as a German keyboard types it
    dialog.longitude.setText("11.575")
    with qtbot.waitSignal(dialog.located) as saved:
        dialog.save()
    assert saved.args == [Point(48.137, 11.575), LocationSource.PIN]
    finder = LocationDialog(plain_ctx, "Home base")
    qtbot.addWidget(finder)
    finder.show()
    finder.city.setText("Nowhereville")
    finder.country.setText("DE")
    finder.look_up()
    qtbot.waitUntil(lambda: finder.city_error.isVisible(), timeout=30_000)
    assert "No town called 'Nowhereville' in DE" in finder.city_error.text()
    finder.city.setText("München")
    finder.look_up()
    qtbot.waitUntil(lambda: finder.latitude.text() != "", timeout=30_000)
    assert not finder.city_error.isVisible()
    # Munich's centre (Marienplatz) is at 48.137 N, 11.575 E.
    assert abs(float(finder.latitude.text()) - 48.137) < 0.05
    assert abs(float(finder.longitude.text()) - 11.575) < 0.05
    with qtbot.waitSignal(finder.located) as found:
        finder.save()
    assert found.args[1] is LocationSource.CITY
    settle(qtbot, plain_ctx)


def test_not_located_accounts_are_placed_by_city_or_pinned_in_the_account_view(
    plain_ctx: AppContext, qtbot: QtBot
) -> None:
    store = plain_ctx.store
    names = {}
    for name, city in (("Kassel GmbH", "Kassel"), ("Lost KG", "Atlantis"), ("Pinned AG", "")):
        fields = {"name": name, "city": city, "country": "Germany" if city else ""}
        names[name] = store.create(Account, fields).value.id
    listing = NotLocatedDialog(plain_ctx, 2026)
    qtbot.addWidget(listing)
    listing.show()
    qtbot.waitUntil(lambda: listing.model.rowCount() == 3)
    listing.locate_all()
    qtbot.waitUntil(lambda: "Placed" in listing.outcome.text(), timeout=30_000)
    assert "Placed 1 " in listing.outcome.text()
    assert "No town found for 2: Lost KG, Pinned AG" in listing.outcome.text()
    kassel = store.get(Account, names["Kassel GmbH"])
    # Kassel's centre is at 51.31 N, 9.48 E.
    assert abs((kassel.latitude or 0) - 51.31) < 0.05
    assert abs((kassel.longitude or 0) - 9.48) < 0.05
    assert kassel.located_by is LocationSource.CITY
    qtbot.waitUntil(lambda: listing.model.rowCount() == 2)

    view = AccountView(plain_ctx)
    qtbot.addWidget(view)
    view.show()
    view.show_account(names["Pinned AG"])
    settle(qtbot, plain_ctx)
    assert _shown(view, "Location").startswith("Not located")
    dialog = view.edit_location()
    assert dialog is not None
    dialog.latitude.setText("52.52")
    dialog.longitude.setText("13.405")
    dialog.save()
    settle(qtbot, plain_ctx)
    pinned = store.get(Account, names["Pinned AG"])
    assert (pinned.latitude, pinned.longitude) == (52.52, 13.405)
    assert pinned.located_by is LocationSource.PIN
    qtbot.waitUntil(lambda: _shown(view, "Location").endswith("(pinned)"))
    qtbot.waitUntil(lambda: [a.name for a in listing.model.records()] == ["Lost KG"])
    plain_ctx.undo()
    settle(qtbot, plain_ctx)
    assert store.get(Account, names["Pinned AG"]).latitude is None


def test_the_mileage_export_writes_the_months_drives(
    plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    store = plain_ctx.store
    plain_ctx.settings.set("cost_per_km", 30)
    account = store.create(Account, {"name": "North GmbH"}).value
    for day, km in ((3, 39.0), (10, 12.5), (31, None)):  # the 31st drove nothing
        store.log_activity(
            {
                "channel": Channel.VISIT,
                "subject": "Visit: North GmbH",
                "occurred_at": datetime(2026, 12, day, 9, tzinfo=UTC),
                "account_id": account.id,
                "travel_km": km,
            }
        )
    store.log_activity(  # another month
        {
            "channel": Channel.VISIT,
            "subject": "Visit: North GmbH",
            "occurred_at": datetime(2026, 11, 30, 9, tzinfo=UTC),
            "account_id": account.id,
            "travel_km": 80.0,
        }
    )
    dialog = MileageDialog(plain_ctx, today=date(2026, 12, 15))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert "2 drives · 51.5 km" in dialog.total.text()
    assert "15.45" in dialog.total.text()  # 51.5 km at 30 cents
    dialog.path.setText(str(tmp_path / "claim.txt"))
    dialog.export()
    assert dialog.error.text() == "Choose a file ending in .csv."
    target = tmp_path / "claim.csv"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.export()
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[1][:4] == ["2026-12-03", "North GmbH", "Visit: North GmbH", "39.0"]
    assert rows[-1] == ["Total", "", "", "51.5", "", "15.45"]


def test_planner_settings_show_and_say_what_does_not_fit(tmp_path: Path, qtbot: QtBot) -> None:
    settings = Settings(tmp_path / "settings.json")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    widgets = dialog.widgets
    for name in ("planner_base", "planner_day_start", "planner_day_end", "cost_per_km"):
        assert widgets[name].isVisible()
    assert isinstance(widgets["planner_max_drive"], QSpinBox)
    assert widgets["planner_max_drive"].minimum() == 30  # half an hour a day at least
    base, start, end = (
        widgets[n] for n in ("planner_base", "planner_day_start", "planner_day_end")
    )
    assert isinstance(base, QLineEdit)
    assert isinstance(start, QLineEdit)
    assert isinstance(end, QLineEdit)
    base.setText("Kassel")
    start.setText("08:00")
    end.setText("07:30")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.errors["planner_base"].isVisible()
    assert "latitude, longitude" in dialog.errors["planner_base"].text()
    assert dialog.errors["planner_day_end"].text() == (
        "This must be after the working day starts (08:00)."
    )
    assert (settings["planner_base"], settings["planner_day_end"]) == ("", "18:00")
    base.setText("51.3127, 9.4797")
    end.setText("17:30")
    dialog.accept()
    assert not dialog.isVisible()
    assert (settings["planner_base"], settings["planner_day_end"]) == ("51.3127, 9.4797", "17:30")


def test_the_account_overview_counts_travel_in_cost_to_serve(
    plain_ctx: AppContext, qtbot: QtBot
) -> None:
    store, settings = plain_ctx.store, plain_ctx.settings
    settings.set("planner_base", f"{BASE.latitude}, {BASE.longitude}")
    settings.set("planner_road_factor", 100)
    settings.set("cost_per_km", 30)
    year = date.today().year
    where = at(30, 0)  # 30 km north: a 60 km round trip
    account = store.create(
        Account, {"name": "North GmbH", "latitude": where.latitude, "longitude": where.longitude}
    ).value
    lines = tuple(CoverageLine(channel=Channel.VISIT, quarter=q, planned=4) for q in (1, 2, 3, 4))
    store.create(AccountPlan, {"account_id": account.id, "fiscal_year": year, "coverage": lines})
    for month, km in ((1, 39.0), (2, 12.5)):
        store.log_activity(
            {
                "channel": Channel.VISIT,
                "subject": "Visit",
                "occurred_at": datetime(year, month, 15, 9, tzinfo=UTC),
                "account_id": account.id,
                "travel_km": km,
            }
        )
    visit = int(settings["cost_visit"]) * 100
    planned_travel = 16 * 60 * 30  # 16 visits x 60 km x 30 cents = 28,800
    driven = round(51.5 * 30)  # 1,545
    view = AccountView(plain_ctx)
    qtbot.addWidget(view)
    view.show()
    view.show_account(account.id)
    settle(qtbot, plain_ctx)
    assert _shown(view, "Cost to serve", "plan") == (
        f"{money(2 * visit + driven)} of {money(16 * visit + planned_travel)}"
    )
    assert _shown(view, "Travel in it", "plan").startswith(
        f"{money(driven)} driven of {money(planned_travel)} planned"
    )


def test_a_night_away_shows_in_the_week_and_on_the_map(
    plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    # Ten A accounts 1 km apart, 200 km north, with nights away allowed: two days and a
    # night near the last stop of the first (tests/planner/test_overnight.py has the km).
    settings = plain_ctx.settings
    for name, value in (
        ("planner_base", f"{BASE.latitude}, {BASE.longitude}"),
        ("planner_road_factor", 100),
        ("planner_speed", 60),
        ("planner_max_drive", 420),
        ("planner_visit_a", 60),
        ("planner_hotel_nights", True),
        ("planner_hotel_cost", 110),
        ("cost_per_km", 30),
    ):
        settings.set(name, value)
    for i in range(10):
        point = at(200, i)
        account = plain_ctx.store.create(
            Account,
            {
                "name": f"Far {i}",
                "grade": "A",
                "latitude": point.latitude,
                "longitude": point.longitude,
            },
        ).value
        lines = tuple(
            CoverageLine(channel=Channel.VISIT, quarter=q, planned=6) for q in (1, 2, 3, 4)
        )
        plain_ctx.store.create(
            AccountPlan,
            {"account_id": account.id, "fiscal_year": 2026, "grade": "A", "coverage": lines},
        )
    page = _page(plain_ctx, qtbot)
    plan = page.plan
    assert plan is not None
    [night] = plan.nights
    assert len(page.view.stops_shown()) == 10
    days = [page.view.tree.topLevelItem(n) for n in range(5)]
    first, second = days[night.day], days[night.day + 1]
    assert first is not None
    assert second is not None
    assert "at the hotel" in first.text(0)
    assert "leave the hotel" in second.text(0)
    row = first.child(first.childCount() - 1)
    assert row is not None
    arrives = plan.days[night.day].returns % (24 * 60)
    at_hotel = f"{arrives // 60:02d}:{arrives % 60:02d}"
    assert row.text(0).startswith(f"{at_hotel} · Night away near {night.near}: saves ")
    assert row.text(0).endswith("of driving, hotel 110.00")
    summary = page.summary.text()
    assert "1 night away" in summary
    assert f"travel {money(round(plan.total_km * 30) + 11_000, cents=True)}" in summary
    assert page.map.hotels == [night.point]
    qtbot.waitUntil(lambda: bool(page.map.cities), timeout=15_000)
    assert "Kassel" in [name for name, _ in page.map.cities]
    image = page.map.grab().toImage()
    assert _pixels(image, "#70757a") > 20  # city names and their dots
    projection = page.map.projection()
    assert projection is not None
    spot = projection.point(night.point)  # the hotel's dark square, beside its white H
    near = [image.pixel(int(spot.x()) + dx, int(spot.y()) + 4) for dx in range(-5, 6)]
    assert near.count(QColor("#3c4043").rgb()) >= 3
    assert _pixels(image, DAY_COLOURS[night.day]) > 100
    assert _pixels(image, DAY_COLOURS[night.day + 1]) > 100
    for width, height in ((1280, 800), (1024, 768)):
        page.resize(width, height)
        screenshot(qtbot, plain_ctx, page, tmp_path / f"planner-night-{width}.png")
