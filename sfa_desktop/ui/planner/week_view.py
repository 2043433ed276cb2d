"""The proposed week as lists: days with their stops (time, drive, km, why), and the
accounts the week cannot reach with why and the call or email to make instead."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QHeaderView, QTabWidget, QTreeWidget, QTreeWidgetItem, QWidget

from sfa_desktop.core.rules.visits import duration_text
from sfa_desktop.operations.visit_plan import DayRoute, Night, PlannedStop, Skipped, WeekPlan
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import label
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import fit_columns, table
from sfa_desktop.ui.planner.route_map import DAY_COLOURS

DAY_MINUTES = 24 * 60
STOP_COLUMNS = ("When", "Account", "Grade", "Drive", "Km", "Why")
SKIPPED: list[Column[Skipped]] = [
    Column("Account", lambda s: s.name),
    Column("Grade", lambda s: s.grade),
    Column("Instead", lambda s: label(s.suggestion) if s.suggestion else "—"),
    Column("Why", lambda s: s.reason),
]


def clock(minutes: int) -> str:
    rest = minutes % DAY_MINUTES
    return f"{rest // 60:02d}:{rest % 60:02d}"


def day_text(day: DayRoute) -> str:
    if not day.stops and not day.start and not day.night:
        return f"{day.date:%a %d %b}: no visits"
    visits = sum(1 for s in day.stops if not s.fixed)
    meetings = len(day.stops) - visits
    parts = [f"{visits} visit{'s' * (visits != 1)}"]
    if meetings:
        parts.append(f"{meetings} meeting{'s' * (meetings != 1)}")
    leave = "leave the hotel" if day.start else "leave"
    back = "at the hotel" if day.night else "back"
    return (
        f"{day.date:%a %d %b}: {', '.join(parts)} · {leave} {clock(day.leaves)}, {back} "
        f"{clock(day.returns)} · {day.km:.0f} km, {duration_text(day.drive_minutes)} driving"
    )


def night_text(night: Night) -> str:
    """'Night away near Munich: saves 3 h 20 of driving, hotel 110.00'."""
    reason = night.reason.removeprefix("overnight ")
    return f"Night away {reason}"


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class WeekView(QTabWidget):
    """Tabs 'Week' and 'Not this week'; says which day and which stop or skip is chosen."""

    day_chosen = Signal(object)  # day number or None
    reason_chosen = Signal(str)  # the whole reason of the chosen stop or skip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: WeekPlan | None = None
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(STOP_COLUMNS))
        self.tree.setHeaderLabels(list(STOP_COLUMNS))
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(STOP_COLUMNS) - 1, QHeaderView.ResizeMode.Interactive)
        self.tree.currentItemChanged.connect(self._current)
        self.skipped: RecordListModel[Skipped] = RecordListModel(SKIPPED, self)
        self.skipped_table = table(self.skipped)
        fit_columns(self.skipped_table, 3)
        self.skipped_table.selectionModel().selectionChanged.connect(self._skip_selected)
        self.addTab(self.tree, "Week")
        self.addTab(self.skipped_table, "Not this week")

    def show_plan(self, plan: WeekPlan | None) -> None:
        self.plan = plan
        self.tree.clear()
        days = plan.days if plan else ()
        for day in days:
            item = QTreeWidgetItem([day_text(day)])
            item.setIcon(0, _swatch(DAY_COLOURS[day.day % len(DAY_COLOURS)]))
            item.setData(0, Qt.ItemDataRole.UserRole, day.day)
            item.setToolTip(0, day_text(day))
            self.tree.addTopLevelItem(item)
            item.setFirstColumnSpanned(True)
            for stop in day.stops:
                item.addChild(self._stop_item(day, stop))
            if day.night is not None:
                text = f"{clock(day.returns)} · {night_text(day.night)}"
                night = QTreeWidgetItem([text])
                night.setData(0, Qt.ItemDataRole.UserRole, day.day)
                night.setData(1, Qt.ItemDataRole.UserRole, "night")
                night.setToolTip(0, text)
                item.addChild(night)
                night.setFirstColumnSpanned(True)
            item.setExpanded(True)
        skipped = plan.skipped if plan else ()
        self.skipped.set_records(skipped)
        self.setTabText(1, f"Not this week ({len(skipped)})" if plan else "Not this week")

    @staticmethod
    def _stop_item(day: DayRoute, stop: PlannedStop) -> QTreeWidgetItem:
        name = stop.name + (" (booked)" if stop.fixed else "")
        item = QTreeWidgetItem(
            [
                f"{clock(stop.starts)}–{clock(stop.ends)}",
                name,
                stop.grade or "—",
                duration_text(stop.travel_minutes),
                f"{stop.travel_km:.0f}",
                stop.reason,
            ]
        )
        for column in (3, 4):
            item.setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        item.setToolTip(5, stop.reason)
        item.setData(0, Qt.ItemDataRole.UserRole, day.day)
        return item

    def stops_shown(self) -> list[tuple[str, str]]:
        """(day line, account) of every stop in the tree, in order (for tests)."""
        found = []
        for row in range(self.tree.topLevelItemCount()):
            day = self.tree.topLevelItem(row)
            assert day is not None
            for child in range(day.childCount()):
                stop = day.child(child)
                assert stop is not None
                if not _is_night(stop):
                    found.append((day.text(0), stop.text(1)))
        return found

    def _current(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is None:
            self.day_chosen.emit(None)
            return
        self.day_chosen.emit(item.data(0, Qt.ItemDataRole.UserRole))
        if item.parent() is None:
            self.reason_chosen.emit(item.text(0))
        else:
            night = _is_night(item)
            self.reason_chosen.emit(item.text(0) if night else f"{item.text(1)}: {item.text(5)}")

    def _skip_selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        skip = self.skipped.record_at(rows[0].row()) if rows else None
        if skip is not None:
            self.reason_chosen.emit(f"{skip.name}: {skip.reason}")

    def chosen_stop(self) -> PlannedStop | None:
        """The stop selected in the tree, if any."""
        item = self.tree.currentItem()
        if item is None or item.parent() is None or self.plan is None:
            return None
        day = self.plan.days[int(item.data(0, Qt.ItemDataRole.UserRole))]
        parent = item.parent()
        assert parent is not None
        index = parent.indexOfChild(item)
        return day.stops[index] if 0 <= index < len(day.stops) else None


def _is_night(item: QTreeWidgetItem) -> bool:
    return bool(item.data(1, Qt.ItemDataRole.UserRole) == "night")
