"""The calendar page: toolbar (navigate, day/week/month, new, complete, .ics) over the view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import CalendarEvent
from sfa_desktop.core.enums import Channel, EntityKind
from sfa_desktop.core.rules.recurrence import Occurrence, expand_all, next_occurrence_after
from sfa_desktop.operations.calendar import Scope, complete_visit, reschedule
from sfa_desktop.operations.ics import ImportResult, export_events, export_range, import_ics
from sfa_desktop.operations.records import delete_record, update_record
from sfa_desktop.store import Changes, Store
from sfa_desktop.ui.calendar.calendar_layout import Mode, local_start, step
from sfa_desktop.ui.calendar.calendar_view import CalendarView
from sfa_desktop.ui.calendar.complete_dialog import CompleteVisitDialog
from sfa_desktop.ui.calendar.event_dialog import EventDialog, local_zone
from sfa_desktop.ui.common.activity_dialog import Focus
from sfa_desktop.ui.common.widgets import ERROR_STYLE, TOGGLE_STYLE, heading

ScopeChooser = Callable[[Occurrence], Scope | None]


def ask_scope(parent: QWidget) -> ScopeChooser:
    """Ask whether a change to a recurring event is for this occurrence or the series."""

    def choose(occurrence: Occurrence) -> Scope | None:
        box = QMessageBox(parent)
        box.setWindowTitle("Recurring event")
        box.setText(f"“{occurrence.event.title}” repeats. Change only this occurrence?")
        this = box.addButton("This occurrence", QMessageBox.ButtonRole.AcceptRole)
        series = box.addButton("All events", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return Scope.OCCURRENCE if clicked is this else Scope.SERIES if clicked is series else None

    return choose


class CalendarPage(QWidget):
    def __init__(self, ctx: AppContext, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self._ctx = ctx
        self._today = today
        self._generation = 0
        self.loaded = False
        self.view = CalendarView(today)
        self.view.create_requested.connect(self.new_event)
        self.view.open_requested.connect(self.open_occurrence)
        self.view.reschedule_requested.connect(self.reschedule)
        self.view.selection_changed.connect(self._selection_changed)
        self.view.day_requested.connect(lambda day: self.show_range(Mode.DAY, day))
        self.choose_scope: ScopeChooser = ask_scope(self)
        self.title = heading("", 14)
        self.title.setWordWrap(False)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.modes = QButtonGroup(self)
        # Two rows, so the toolbar fits a 1024-pixel window: the range and what to add or
        # move in or out; then moving through time, the view mode and the selected event.
        top, bar = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        for text, slot in (
            ("‹", lambda: self._step(-1)),
            ("Today", self.go_today),
            ("›", lambda: self._step(1)),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            if len(text) == 1:
                button.setFixedWidth(34)
            bar.addWidget(button)
        bar.addSpacing(12)
        for mode in Mode:
            button = QPushButton(mode.value.capitalize())
            button.setCheckable(True)
            button.setStyleSheet(TOGGLE_STYLE)
            button.setMinimumWidth(70)
            button.setChecked(mode is Mode.WEEK)
            button.clicked.connect(lambda _=False, m=mode: self.show_range(m, self.view.anchor))
            self.modes.addButton(button)
            bar.addWidget(button)
        bar.addStretch(1)
        self.complete = QPushButton("Complete visit")
        self.complete.setEnabled(False)
        self.complete.clicked.connect(self.complete_selected)
        bar.addWidget(self.complete)
        new = QPushButton("New event")
        new.clicked.connect(
            lambda: self.new_event(local_start(self.view.anchor) + timedelta(hours=9), False)
        )
        export = QPushButton("Export .ics")
        export.clicked.connect(self._export_clicked)
        load = QPushButton("Import .ics")
        load.clicked.connect(self._import_clicked)
        for button in (new, export, load):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        ctx.signals.changes_applied.connect(self._changes_applied)
        self.show_range(Mode.WEEK, today(), load=False)

    # -- navigation and loading -----------------------------------------------------------------

    def activate(self) -> None:
        if not self.loaded:
            self.reload()

    def focus(self) -> Focus:
        selected = self.view.selected
        if selected is None or selected.event.account_id is None:
            return Focus()
        return Focus(selected.event.account_id, "", None, selected.event.opportunity_id)

    def show_event(self, event_id: str) -> None:
        """Open one event (from search): its next occurrence (else its first) shown, selected
        and opened."""
        now = datetime.now(UTC)

        def find(store: Store) -> Occurrence:
            event = store.get(CalendarEvent, event_id)
            start = next_occurrence_after(event, now) or event.starts_at
            return Occurrence(event, start, start + (event.ends_at - event.starts_at))

        def show(occurrence: Occurrence) -> None:
            self.view.select(occurrence)
            self.show_range(self.view.mode, occurrence.starts_at.astimezone().date())
            self.open_occurrence(occurrence)

        self._ctx.query(find, show)

    def go_today(self) -> None:
        self.show_range(self.view.mode, self._today())

    def _step(self, direction: int) -> None:
        self.show_range(self.view.mode, step(self.view.mode, self.view.anchor, direction))

    def show_range(self, mode: Mode, anchor: date, load: bool = True) -> None:
        self.view.set_view(mode, anchor)
        for button in self.modes.buttons():
            button.setChecked(button.text().lower() == mode.value)
        days = self.view.days()
        locale = QLocale()
        if mode is Mode.MONTH:
            text = f"{locale.standaloneMonthName(anchor.month)} {anchor.year}"
        elif mode is Mode.WEEK:
            text = f"{days[0].day} – {days[-1]:%d %b %Y}"
            if days[0].month != days[-1].month:
                text = f"{days[0]:%d %b} – {days[-1]:%d %b %Y}"
        else:
            text = f"{locale.dayName(anchor.isoweekday(), QLocale.FormatType.ShortFormat)}"
            text += f", {anchor.day} {anchor:%b %Y}"
        self.title.setText(text)
        if load:
            self.reload()

    def window_range(self) -> tuple[datetime, datetime]:
        days = self.view.days()
        return local_start(days[0]), local_start(days[-1] + timedelta(days=1))

    def reload(self) -> None:
        self.loaded = True
        self._generation += 1
        generation = self._generation
        start, end = self.window_range()

        def load(store: Store) -> list[Occurrence]:
            return expand_all(store.events_between(start, end), start, end)

        self._ctx.query(load, lambda found: self._show(generation, found))

    def _show(self, generation: int, occurrences: list[Occurrence]) -> None:
        if generation == self._generation:
            self.view.set_occurrences(occurrences)
            self._selection_changed(self.view.selected)

    def _changes_applied(self, changes: Changes) -> None:
        if self.loaded and EntityKind.EVENT in changes:
            self.reload()

    def _selection_changed(self, occurrence: Occurrence | None) -> None:
        self.complete.setEnabled(
            occurrence is not None and occurrence.event.status.value != "completed"
        )

    # -- actions ---------------------------------------------------------------------------------

    def new_event(self, start: datetime, all_day: bool) -> EventDialog:
        dialog = EventDialog(self._ctx, None, start, all_day, self)
        dialog.show()
        dialog.title.setFocus()
        return dialog

    def open_occurrence(self, occurrence: Occurrence) -> EventDialog:
        dialog = EventDialog(self._ctx, occurrence, parent=self)
        dialog.complete_requested.connect(self.complete_occurrence)
        dialog.delete_requested.connect(self.delete_occurrence)
        dialog.show()
        return dialog

    def reschedule(self, occurrence: Occurrence, start: datetime, end: datetime) -> None:
        scope: Scope | None = Scope.SERIES
        if occurrence.is_recurring:
            scope = self.choose_scope(occurrence)
        if scope is None:
            self.view.update()
            return
        chosen = scope
        self._ctx.run_op(lambda s: reschedule(s, occurrence, start, end, chosen))

    def complete_selected(self) -> None:
        if self.view.selected is not None:
            self.complete_occurrence(self.view.selected)

    def complete_occurrence(self, occurrence: Occurrence) -> CompleteVisitDialog | None:
        """A visit asks for the km driven to it (the planner's estimate first); any other
        event is logged at once."""
        if occurrence.event.channel is Channel.VISIT:
            dialog = CompleteVisitDialog(occurrence, self)
            dialog.completed.connect(self._log_completed)
            dialog.show()
            return dialog
        self._log_completed(occurrence, None, "")
        return None

    def _log_completed(self, occurrence: Occurrence, km: float | None, outcome: str) -> None:
        self._ctx.run_op(
            lambda s: complete_visit(s, occurrence, outcome, travel_km=km),
            lambda _: self._say(
                f"Logged “{occurrence.event.title}” as an activity (Ctrl+Z undoes)."
            ),
        )

    def delete_occurrence(self, occurrence: Occurrence) -> None:
        event = occurrence.event
        if occurrence.is_recurring and self.choose_scope(occurrence) is Scope.OCCURRENCE:
            exceptions = (*event.exceptions, occurrence.starts_at)
            self._ctx.run_op(
                lambda s: update_record(s, CalendarEvent, event.id, {"exceptions": exceptions})
            )
            return
        self._ctx.run_op(lambda s: delete_record(s, CalendarEvent, event.id))

    # -- iCalendar -------------------------------------------------------------------------------

    def _export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export calendar", "calendar.ics", "iCalendar (*.ics)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """The selected event, or every event in the shown range, to an .ics file."""
        selected = self.view.selected
        start, end = self.window_range()
        if selected is not None:
            ids = [selected.event.id]
            self._ctx.query(lambda s: export_events(s, ids), lambda data: self._write(path, data))
        else:
            self._ctx.query(
                lambda s: export_range(s, start, end), lambda data: self._write(path, data)
            )

    def _write(self, path: Path, data: bytes) -> None:
        path.write_bytes(data)
        self._say(f"Exported {data.count(b'BEGIN:VEVENT')} event(s) to {path.name}.")

    def _import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import calendar", "", "iCalendar (*.ics)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            self._say(f"Cannot read {path.name}: {error.strerror}", error=True)
            return
        zone = local_zone()
        self._ctx.run_op(
            lambda s: import_ics(s, data, zone),
            self._imported,
            lambda error: self._say(f"Could not import {path.name}. {error}", error=True),
        )

    def _imported(self, result: ImportResult) -> None:
        details = "; ".join(result.skipped[:3])
        self._say(f"{result.summary()}." + (f" Skipped: {details}" if details else ""))

    def _say(self, text: str, error: bool = False) -> None:
        self.notice.setStyleSheet(ERROR_STYLE if error else "color: #188038;")
        self.notice.setText(text)
        self.notice.show()
