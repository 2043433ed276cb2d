"""Create or edit a calendar event: times, repeat rule, account, attendees, reminder."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import CalendarEvent, Contact
from sfa_desktop.core.enums import Channel, EntityKind, EventStatus
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.calendar import (
    EventContext,
    Scope,
    edit_occurrence,
    load_context,
    save_event,
)
from sfa_desktop.ui.common.custom_widgets import CustomSection, add_section_later
from sfa_desktop.ui.common.format import label, local_moment
from sfa_desktop.ui.common.history_panel import HistorySection
from sfa_desktop.ui.common.record_picker import RecordPicker
from sfa_desktop.ui.common.widgets import ERROR_STYLE

REPEATS = (
    ("Does not repeat", ""),
    ("Daily", "FREQ=DAILY"),
    ("Weekly", "FREQ=WEEKLY"),
    ("Every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("Monthly", "FREQ=MONTHLY"),
    ("Yearly", "FREQ=YEARLY"),
    ("Custom rule", None),
)
REMINDERS = (
    (None, "None"),
    (0, "At start"),
    (5, "5 min before"),
    (10, "10 min before"),
    (15, "15 min before"),
    (30, "30 min before"),
    (60, "1 hour before"),
    (1440, "1 day before"),
)


def local_zone() -> str:
    """The system's IANA time zone name (UTC when unknown)."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _qt(moment: datetime) -> QDateTime:
    local = moment.astimezone()
    return QDateTime(local.year, local.month, local.day, local.hour, local.minute, local.second)


class EventDialog(QDialog):
    """Saves through the calendar operations; a recurring event asks: this one or the series."""

    complete_requested = Signal(object)  # Occurrence
    delete_requested = Signal(object)  # Occurrence

    def __init__(
        self,
        ctx: AppContext,
        occurrence: Occurrence | None = None,
        start: datetime | None = None,
        all_day: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.occurrence = occurrence
        event = occurrence.event if occurrence else None
        self.setWindowTitle("Edit event" if event else "New event")
        self.setMinimumWidth(600)
        begin = occurrence.starts_at if occurrence else (start or datetime.now().astimezone())
        finish = occurrence.ends_at if occurrence else begin + timedelta(hours=1)
        self._zone = event.timezone if event else local_zone()
        self.title = QLineEdit(event.title if event else "")
        self.title.setPlaceholderText("Visit, call, meeting…")
        self.all_day = QCheckBox("All day")
        self.all_day.setChecked(event.all_day if event else all_day)
        self.starts = QDateTimeEdit(_qt(begin))
        self.ends = QDateTimeEdit(_qt(finish))
        for edit in (self.starts, self.ends):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.starts.dateTimeChanged.connect(self._start_moved)
        self._length = finish - begin
        self.channel = self._combo(
            [(label(c), c.value) for c in Channel], event.channel if event else Channel.VISIT
        )
        self.status = self._combo(
            [(label(s), s.value) for s in EventStatus],
            event.status if event else EventStatus.CONFIRMED,
        )
        self.location = QLineEdit(event.location if event else "")
        self.account = RecordPicker(ctx, EntityKind.ACCOUNT)
        self.account.picked.connect(lambda account_id: self._load(account_id, ()))
        self.attendees = QListWidget()
        self.attendees.setFixedHeight(92)
        self.add_attendee = RecordPicker(ctx, EntityKind.CONTACT)
        self.add_attendee.setPlaceholderText("Add another contact…")
        self.add_attendee.picked.connect(self._add_contact)
        self.opportunity = QComboBox()
        self.opportunity.addItem("—", None)
        self.repeat = QComboBox()
        for text, rule in REPEATS:
            self.repeat.addItem(text, rule)
        self.rule = QLineEdit(event.recurrence if event else "")
        self.rule.setPlaceholderText("RRULE, e.g. FREQ=WEEKLY;COUNT=10")
        self.repeat.currentIndexChanged.connect(self._repeat_chosen)
        self._show_rule(self.rule.text())
        self.reminder = QComboBox()
        for minutes, text in REMINDERS:
            self.reminder.addItem(text, minutes)
        self.reminder.setCurrentIndex(
            max(0, self.reminder.findData(event.reminder_minutes if event else 15))
        )
        self.notes = QPlainTextEdit(event.notes if event else "")
        self.notes.setFixedHeight(64)
        self.notes.setTabChangesFocus(True)
        self.errors: dict[str, QLabel] = {}
        self._build(event)
        self._selected_attendees = set(event.attendee_ids if event else ())
        self._selected_opportunity = event.opportunity_id if event else None
        if event and (event.account_id or event.attendee_ids):
            self._load(event.account_id, event.attendee_ids)

    # -- building ------------------------------------------------------------------------------

    def _combo(self, items: list[tuple[str, str]], current: object) -> QComboBox:
        combo = QComboBox()
        for text, value in items:
            combo.addItem(text, value)
        combo.setCurrentIndex(max(0, combo.findData(str(current))))
        return combo

    def _build(self, event: CalendarEvent | None) -> None:
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        when = QHBoxLayout()
        when.addWidget(self.starts)
        when.addWidget(QLabel("to"))
        when.addWidget(self.ends)
        when.addWidget(self.all_day)
        kind = QHBoxLayout()
        kind.addWidget(self.channel)
        kind.addSpacing(16)
        kind.addWidget(QLabel("Status"))
        kind.addWidget(self.status)
        kind.addStretch()
        repeat = QHBoxLayout()
        repeat.addWidget(self.repeat)
        repeat.addWidget(self.rule, 1)
        people = QVBoxLayout()
        people.setSpacing(4)
        people.addWidget(self.attendees)
        people.addWidget(self.add_attendee)
        rows: list[tuple[str, str, object]] = [
            ("title", "Title", self.title),
            ("starts_at", "When", when),
            ("channel", "Channel", kind),
            ("location", "Location", self.location),
            ("account_id", "Account", self.account),
            ("attendee_ids", "Attendees", people),
            ("opportunity_id", "Opportunity", self.opportunity),
            ("recurrence", "Repeat", repeat),
            ("reminder_minutes", "Reminder", self.reminder),
            ("notes", "Notes", self.notes),
        ]
        for name, text, item in rows:
            form.addRow(text, self._with_error(name, item))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(form)
        self.custom: CustomSection | None = None  # the admins' fields, once read
        stored = event.custom_values() if event is not None else {}
        add_section_later(
            self._ctx, layout, layout.count(), EntityKind.EVENT, stored,
            new=event is None, added=self._add_custom,
        )  # fmt: skip
        self.scope_box = QWidget()
        scope = QHBoxLayout(self.scope_box)
        scope.setContentsMargins(0, 0, 0, 0)
        scope.addWidget(QLabel("Apply changes to"))
        self.only_this = QRadioButton("This occurrence")
        self.whole_series = QRadioButton("All events in the series")
        self.only_this.setChecked(True)
        scope.addWidget(self.only_this)
        scope.addWidget(self.whole_series)
        scope.addStretch()
        self.scope_box.setVisible(bool(event and event.recurrence))
        layout.addWidget(self.scope_box)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        layout.addWidget(self.general_error)
        self.history: HistorySection | None = None
        if event is not None:
            self.history = HistorySection(self._ctx, EntityKind.EVENT, event.id)
            layout.addWidget(self.history)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        if event is not None:
            self.complete = QPushButton("Complete visit")
            self.complete.setEnabled(event.status is not EventStatus.COMPLETED)
            self.complete.clicked.connect(lambda: self._hand_over(self.complete_requested))
            self.delete = QPushButton("Delete")
            self.delete.clicked.connect(lambda: self._hand_over(self.delete_requested))
            self.buttons.addButton(self.complete, QDialogButtonBox.ButtonRole.ActionRole)
            self.buttons.addButton(self.delete, QDialogButtonBox.ButtonRole.DestructiveRole)
        layout.addWidget(self.buttons)

    def _with_error(self, name: str, item: object) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if isinstance(item, QWidget):
            column.addWidget(item)
        else:
            column.addLayout(item)  # type: ignore[arg-type]
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.hide()
        column.addWidget(error)
        self.errors[name] = error
        return box

    # -- reacting --------------------------------------------------------------------------------

    def _hand_over(self, signal: Any) -> None:
        if self.occurrence is not None:
            signal.emit(self.occurrence)
        self.accept()

    def _start_moved(self, value: QDateTime) -> None:
        self.ends.setDateTime(value.addSecs(int(self._length.total_seconds())))

    def _repeat_chosen(self, index: int) -> None:
        rule = self.repeat.itemData(index)
        if rule is not None:
            self.rule.setText(rule)
        self.rule.setVisible(rule is None or bool(rule))

    def _show_rule(self, rule: str) -> None:
        index = self.repeat.findData(rule)
        self.repeat.setCurrentIndex(index if index >= 0 else self.repeat.count() - 1)
        self.rule.setText(rule)
        self.rule.setVisible(bool(rule))

    def _load(self, account_id: str | None, attendee_ids: tuple[str, ...]) -> None:
        self._ctx.query(lambda store: load_context(store, account_id, attendee_ids), self._loaded)

    def _loaded(self, found: EventContext) -> None:
        if found.account_name and not self.account.text():
            event = self.occurrence.event if self.occurrence else None
            self.account.set_record(event.account_id if event else None, found.account_name)
        self._selected_attendees |= set(self.attendee_ids())
        self.attendees.clear()
        for contact in found.contacts:
            self._contact_item(contact, contact.id in self._selected_attendees)
        self.opportunity.clear()
        self.opportunity.addItem("—", None)
        for opportunity in found.opportunities:
            self.opportunity.addItem(opportunity.name, opportunity.id)
        self.opportunity.setCurrentIndex(
            max(0, self.opportunity.findData(self._selected_opportunity))
        )

    def _contact_item(self, contact: Contact, checked: bool) -> None:
        text = f"{contact.full_name}  ·  {contact.title}".rstrip(" ·")
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, contact.id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.attendees.addItem(item)

    def _add_contact(self, contact_id: str) -> None:
        self._selected_attendees.add(contact_id)
        self.add_attendee.set_record(None)
        if contact_id not in self._listed():
            self._ctx.query(
                lambda store: store.get(Contact, contact_id), lambda c: self._contact_item(c, True)
            )

    def _listed(self) -> list[str]:
        return [
            str(self.attendees.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.attendees.count())
        ]

    def attendee_ids(self) -> list[str]:
        return [
            str(self.attendees.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(self.attendees.count())
            if self.attendees.item(r).checkState() == Qt.CheckState.Checked
        ]

    # -- saving ----------------------------------------------------------------------------------

    def fields(self) -> dict[str, Any]:
        starts, ends = local_moment(self.starts.dateTime()), local_moment(self.ends.dateTime())
        if self.all_day.isChecked():
            starts = datetime.combine(starts.astimezone().date(), time()).astimezone()
            ends = max(starts, datetime.combine(ends.astimezone().date(), time()).astimezone())
        return {
            "title": self.title.text(),
            "starts_at": starts,
            "ends_at": ends,
            "all_day": self.all_day.isChecked(),
            "timezone": self._zone,
            "channel": self.channel.currentData(),
            "status": self.status.currentData(),
            "location": self.location.text(),
            "account_id": self.account.record_id(),
            "attendee_ids": tuple(self.attendee_ids()),
            "opportunity_id": self.opportunity.currentData(),
            "recurrence": self.rule.text().strip(),
            "reminder_minutes": self.reminder.currentData(),
            "notes": self.notes.toPlainText(),
        }

    def scope(self) -> Scope:
        return Scope.SERIES if self.whole_series.isChecked() else Scope.OCCURRENCE

    def _add_custom(self, section: CustomSection) -> None:
        self.custom = section
        self.errors.update(section.errors())
        self.adjustSize()

    def save(self) -> None:
        for error in [*self.errors.values(), self.general_error]:
            error.hide()
        if self.custom is not None and not self.custom.check_all():
            return  # each bad value is named under its field
        self.buttons.setEnabled(False)
        fields, occurrence, scope = self.fields(), self.occurrence, self.scope()
        if self.custom is not None:
            fields.update(self.custom.changed())
        if occurrence is None:
            self._ctx.run_op(lambda s: save_event(s, None, fields), self._saved, self._failed)
        else:
            self._ctx.run_op(
                lambda s: edit_occurrence(s, occurrence, fields, scope), self._saved, self._failed
            )

    def _saved(self, _event: CalendarEvent) -> None:
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        messages = error.errors if isinstance(error, InvalidRecord) else {"": str(error)}
        for field, message in messages.items():
            target = self.errors.get(
                "starts_at" if field == "ends_at" else field, self.general_error
            )
            target.setText(message[:1].upper() + message[1:])
            target.show()
