"""The visit planner page: pick a week, see the proposed days on a list and a map, the
accounts left out and why, accept the week into the calendar (one undoable change), and
re-plan around a cancelled visit or a new meeting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.enums import EntityKind, EventStatus, LocationSource
from sfa_desktop.core.rules.geo import Point, format_point, parse_point
from sfa_desktop.core.rules.visits import duration_text
from sfa_desktop.operations.locate import country_outlines, map_cities
from sfa_desktop.operations.records import update_record
from sfa_desktop.operations.visit_accept import accept_week, pending_visits
from sfa_desktop.operations.visit_plan import DayRoute, WeekFrame, WeekInput, WeekPlan
from sfa_desktop.store import Changes
from sfa_desktop.ui.calendar.event_dialog import EventDialog, local_zone
from sfa_desktop.ui.common.format import money
from sfa_desktop.ui.common.location_dialog import LocationDialog
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption, heading
from sfa_desktop.ui.planner.not_located_dialog import NotLocatedDialog
from sfa_desktop.ui.planner.plan_runner import PlanRunner
from sfa_desktop.ui.planner.route_map import DAY_COLOURS, DayLine, Pin, RouteMap
from sfa_desktop.ui.planner.week_view import WeekView

RECORDS = {EntityKind.ACCOUNT, EntityKind.ACCOUNT_PLAN, EntityKind.OPPORTUNITY}
PLANNER_SETTINGS = ("planner_", "cost_per_km")


def first_week(today: date) -> date:
    """The Monday the page opens on: this week, or next week from Friday on."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7) if today.weekday() >= 4 else monday


class PlannerPage(QWidget):
    open_account = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        seconds: tuple[float, float] = (1.0, 0.2),
        zone: ZoneInfo | None = None,
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self.zone = zone or ZoneInfo(local_zone())
        self.monday = first_week(today())
        self.week: WeekInput | None = None
        self.plan: WeekPlan | None = None
        self.loaded = False
        self._outline_box: tuple[float, float, float, float] | None = None
        self.runner = PlanRunner(ctx, now, seconds, self)
        self.runner.busy.connect(self._busy)
        self.runner.planned.connect(self._planned)
        self.runner.failed.connect(self._failed)
        self._replan_soon = QTimer(self, singleShot=True, interval=250)
        self._replan_soon.timeout.connect(self.replan)
        self._build()
        ctx.signals.changes_applied.connect(self._changes_applied)
        ctx.settings.changed.connect(self._setting_changed)

    def _build(self) -> None:
        self.week_label = QLabel()
        self.week_label.setStyleSheet("font-weight: 600;")
        earlier, later = QPushButton("◀"), QPushButton("▶")
        for button, step, tip in ((earlier, -7, "Week before"), (later, 7, "Week after")):
            button.setFixedWidth(34)
            button.setToolTip(tip)
            button.clicked.connect(
                lambda _=False, d=step: self.show_week(self.monday + timedelta(days=d))
            )
        self.plan_button = QPushButton("Plan again")
        self.plan_button.clicked.connect(self.replan_fresh)
        self.accept_button = QPushButton("Accept week")
        self.accept_button.setToolTip("Write the visits into the calendar (Ctrl+Z undoes)")
        self.accept_button.clicked.connect(self.accept_plan)
        self.accept_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(heading("Visit planner"))
        top.addSpacing(12)
        top.addWidget(earlier)
        top.addWidget(self.week_label)
        top.addWidget(later)
        top.addStretch()
        top.addWidget(self.plan_button)
        top.addWidget(self.accept_button)
        self.summary = caption("")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel visit")
        self.cancel_button.setToolTip("Leave the chosen visit out and re-plan the rest")
        self.cancel_button.clicked.connect(self.cancel_visit)
        self.cancel_button.setEnabled(False)
        meeting = QPushButton("Add meeting…")
        meeting.setToolTip("Book a fixed meeting; the week is re-planned around it")
        meeting.clicked.connect(self.add_meeting)
        self.unlocated_button = QPushButton("Not located…")
        self.unlocated_button.clicked.connect(self.show_not_located)
        base = QPushButton("Home base…")
        base.clicked.connect(self.edit_base)
        second = QHBoxLayout()
        second.addWidget(self.summary, 1)
        second.addWidget(self.progress)
        for button in (self.cancel_button, meeting, self.unlocated_button, base):
            second.addWidget(button)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.view = WeekView()
        self.view.day_chosen.connect(self._day_chosen)
        self.view.reason_chosen.connect(self._reason_chosen)
        self.why = caption("Choose a stop or an account left out to read why.")
        self.why.setMinimumHeight(40)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.view, 1)
        side.addWidget(self.why)
        self.map = RouteMap()
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.map)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        self._label_week()

    # -- weeks and plans -------------------------------------------------------------------

    @property
    def frame(self) -> WeekFrame:
        return WeekFrame(self.monday, self.zone)

    def activate(self) -> None:
        if not self.loaded:
            self.show_week(self.monday)

    def show_week(self, monday: date) -> None:
        """Plan the week starting `monday` afresh."""
        self.loaded = True
        self.monday = monday - timedelta(days=monday.weekday())
        self._label_week()
        self.week, self.plan = None, None
        self.view.show_plan(None)
        self.accept_button.setEnabled(False)
        self.runner.plan(self.frame)

    def replan_fresh(self) -> None:
        self.show_week(self.monday)

    def replan(self) -> None:
        """The calendar changed: re-plan what is left, keeping accepted visits' days."""
        if self.week is None:
            if self.loaded and not self.runner.running:
                self.show_week(self.monday)
            return
        self.runner.replan(self.frame, self.week)

    def _label_week(self) -> None:
        _year, week, _ = self.monday.isocalendar()
        end = self.monday + timedelta(days=6)
        self.week_label.setText(f"Week {week} · {self.monday:%d %b} – {end:%d %b %Y}")

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.plan_button.setEnabled(not busy)
        if busy:
            self.accept_button.setEnabled(False)
            self.cancel_button.setEnabled(False)
            self.summary.setText("Planning the week…")

    def _failed(self, text: str) -> None:
        self.summary.setText("")
        self._say(f"No plan: {text}.", error=True)

    def _planned(self, week: WeekInput, plan: WeekPlan) -> None:
        self.week, self.plan = week, plan
        self.notice.hide()
        self.view.show_plan(plan)
        pending = pending_visits(week, plan)
        self.accept_button.setEnabled(pending > 0)
        self.accept_button.setText(f"Accept {pending} visits" if pending else "Accept week")
        unlocated = sum(1 for p in week.places if p.point is None)
        self.unlocated_button.setText(f"Not located ({unlocated})…")
        visits, nights = len(plan.visits), len(plan.nights)
        drive = sum(d.drive_minutes for d in plan.days)
        parts = [
            f"{visits} visit{'s' * (visits != 1)}",
            f"{plan.total_km:,.0f} km",
            f"{duration_text(drive)} driving",
            f"travel {money(plan.travel_cost, cents=True)}",  # the tab counts the rest
        ]
        if nights:
            parts.insert(3, f"{nights} night{'s' * (nights != 1)} away")
        self.summary.setText(" · ".join(parts))
        if plan.warnings:
            self._say(" ".join(plan.warnings), error=True)
        self._draw(week, plan)

    def _draw(self, week: WeekInput, plan: WeekPlan) -> None:
        on_route = {s.account_id for s in plan.visits}
        pins = [
            Pin(p.point, p.state.grade, p.state.name, p.state.account_id in on_route)
            for p in week.places
            if p.point is not None
        ]
        base = week.rules.base
        lines = [
            DayLine(
                DAY_COLOURS[day.day % len(DAY_COLOURS)],
                (
                    day.start or base,
                    *(s.point for s in day.stops),
                    day.night.point if day.night else base,
                ),
                f"{day.date:%a} · {day.km:.0f} km",
            )
            for day in _drawn(plan)
        ]
        rules = week.rules  # a day's reach: half the drive limit each way, in straight km
        reach = rules.max_drive / 2 / 60 * rules.drive.speed_kmh / rules.drive.road_factor
        hotels = [night.point for night in plan.nights]
        self.map.show_week(base, pins, lines, reach * 1.5, hotels)
        self._load_outlines()

    def _load_outlines(self) -> None:
        box = self.map.shown_box()
        if box is None or _inside(box, self._outline_box):
            return
        west, south, east, north = box
        pad_x, pad_y = (east - west) / 2, (north - south) / 2
        wide = (west - pad_x, south - pad_y, east + pad_x, north + pad_y)
        tolerance = max(east - west, north - south) / 1500
        self._outline_box = wide
        self._ctx.tasks.run_network(
            lambda: (country_outlines(wide, tolerance), map_cities(wide)),
            self._outlines_loaded,
            self._no_outlines,
        )

    def _outlines_loaded(self, found: tuple[list[Any], list[tuple[str, Point]]]) -> None:
        rings, cities = found
        self.map.set_outlines(rings)
        self.map.set_cities(cities)

    def _no_outlines(self, error: BaseException) -> None:
        self._outline_box = None
        self._ctx.signals.message.emit(f"No country outlines on the map: {error}")

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.plan is not None:
            self._load_outlines()

    def _day_chosen(self, day: int | None) -> None:
        with_stops = [d.day for d in _drawn(self.plan)] if self.plan else []
        self.map.set_highlight(with_stops.index(day) if day in with_stops else None)
        stop = self.view.chosen_stop()
        self.cancel_button.setEnabled(stop is not None and not stop.fixed)

    def _reason_chosen(self, text: str) -> None:
        self.why.setText(text)

    # -- actions ---------------------------------------------------------------------------

    def accept_plan(self) -> None:
        plan, frame = self.plan, self.frame
        if plan is None:
            return
        self.accept_button.setEnabled(False)
        self._ctx.run_op(lambda s: accept_week(s, plan, frame), self._accepted)

    def _accepted(self, made: list[str]) -> None:
        self._ctx.signals.message.emit(
            f"{len(made)} visits written into the calendar (Ctrl+Z undoes)"
            if made
            else "Planned visits moved in the calendar (Ctrl+Z undoes)"
        )

    def cancel_visit(self) -> None:
        """Cancel the chosen visit (an accepted one in the calendar too) and re-plan."""
        stop = self.view.chosen_stop()
        if stop is None or stop.fixed or self.week is None:
            return
        if stop.event_id is not None:
            event_id = stop.event_id
            self._ctx.run_op(
                lambda s: update_record(
                    s, CalendarEvent, event_id, {"status": EventStatus.CANCELLED}
                )
            )
            return  # the calendar change re-plans
        if stop.account_id:
            week = replace(self.week, skip_accounts=self.week.skip_accounts | {stop.account_id})
            self.runner.solve(replace(week, time_limit_s=0.2))

    def add_meeting(self) -> EventDialog:
        """A fixed meeting in the shown week (at the chosen day, 09:00)."""
        stop_day = self.view.tree.currentItem()
        day = int(stop_day.data(0, Qt.ItemDataRole.UserRole)) if stop_day is not None else 0
        start = datetime.combine(self.monday + timedelta(days=day), time(9)).replace(
            tzinfo=self.zone
        )
        dialog = EventDialog(self._ctx, None, start, False, self)
        dialog.show()
        dialog.title.setFocus()
        return dialog

    def show_not_located(self) -> NotLocatedDialog:
        dialog = NotLocatedDialog(self._ctx, self.monday.year, self)
        dialog.open_account.connect(self.open_account)
        dialog.show()
        return dialog

    def edit_base(self) -> LocationDialog:
        base = parse_point(str(self._ctx.settings["planner_base"]))
        dialog = LocationDialog(self._ctx, "Home base", base, parent=self)
        dialog.located.connect(self._base_chosen)
        dialog.show()
        return dialog

    def _base_chosen(self, point: Point | None, _source: LocationSource | None) -> None:
        if point is not None:
            self._ctx.settings.set("planner_base", format_point(point))

    # -- changes ---------------------------------------------------------------------------

    def _changes_applied(self, changes: Changes) -> None:
        if not self.loaded:
            return
        if changes.kinds & RECORDS:
            self.week = None  # the accounts' needs or places changed: plan afresh
            self._replan_soon.start()
        elif EntityKind.EVENT in changes.kinds:
            self._replan_soon.start()

    def _setting_changed(self, name: str, _value: object) -> None:
        if self.loaded and name.startswith(PLANNER_SETTINGS):
            self.week = None
            self._replan_soon.start()

    def _say(self, text: str, error: bool = False) -> None:
        self.notice.setStyleSheet(ERROR_STYLE if error else "color: #188038;")
        self.notice.setText(text)
        self.notice.show()


def _inside(
    box: tuple[float, float, float, float], outer: tuple[float, float, float, float] | None
) -> bool:
    if outer is None:
        return False
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


def _drawn(plan: WeekPlan) -> list[DayRoute]:
    """The days with a route on the map: with stops, or a drive to or from a hotel."""
    return [day for day in plan.days if day.stops or day.start or day.night]
