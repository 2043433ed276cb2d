"""Log an activity: Ctrl+L from anywhere, focus in the subject, account and contact pre-filled.

Given a logged activity, the same dialog edits it and shows its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
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
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Activity, Contact, Opportunity
from sfa_desktop.core.enums import Channel, EntityKind
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.operations.records import log_activity, update_record
from sfa_desktop.store import Changes, Store
from sfa_desktop.ui.common.custom_widgets import CustomSection, add_section_later
from sfa_desktop.ui.common.format import email_line, label, local_moment
from sfa_desktop.ui.common.history_panel import HistorySection
from sfa_desktop.ui.common.record_picker import RecordPicker
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption

CHANNEL_STYLE = (
    "QPushButton { padding: 5px 12px; }"
    "QPushButton:checked { background: #d2e3fc; border: 1px solid #1a73e8; color: #174ea6;"
    " font-weight: 600; border-radius: 3px; }"
)


@dataclass(frozen=True)
class Focus:
    """The record the user is looking at, used to pre-fill new activities and tasks."""

    account_id: str | None = None
    account_name: str = ""
    contact_id: str | None = None
    opportunity_id: str | None = None


class ActivityDialog(QDialog):
    """Channel buttons (Ctrl+1…6), subject, account, contacts, opportunity, time and notes."""

    def __init__(
        self,
        ctx: AppContext,
        focus: Focus,
        parent: QWidget | None = None,
        activity: Activity | None = None,
    ) -> None:
        """`activity` edits that activity (`focus` names its account) instead of logging one."""
        super().__init__(parent)
        self.setWindowTitle("Edit activity" if activity else "Log activity")
        self.setMinimumWidth(560)
        self._ctx = ctx
        self._focus = focus
        self.activity = activity
        self._chosen: set[str | None] = set(activity.contact_ids if activity else ())
        self._chosen.add(focus.contact_id)
        self._blocked: dict[str, frozenset[Channel]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(self._channel_row())
        layout.addWidget(caption("Ctrl+1 … Ctrl+6 switch the channel · Ctrl+Enter saves"))
        self.subject = QLineEdit()
        self.subject.setPlaceholderText("What happened?")
        self.account = RecordPicker(ctx, EntityKind.ACCOUNT)
        self.account.set_record(focus.account_id, focus.account_name)
        self.account.picked.connect(self._load_account)
        self.contacts = QListWidget()
        self.contacts.setFixedHeight(96)
        self.contacts.itemChanged.connect(self._check_channel)
        self.opportunity = QComboBox()
        self.opportunity.addItem("—", None)
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSuffix(" min")
        self.duration.setValue(int(ctx.settings["default_duration"]))
        self.outcome = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(80)
        self.notes.setTabChangesFocus(True)
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, text, widget in (
            ("subject", "Subject", self.subject),
            ("account_id", "Account", self.account),
            ("contact_ids", "Contacts", self.contacts),
            ("opportunity_id", "Opportunity", self.opportunity),
            ("occurred_at", "When", self.when),
            ("duration_minutes", "Duration", self.duration),
            ("outcome", "Outcome", self.outcome),
            ("notes", "Notes", self.notes),
        ):
            form.addRow(text, self._with_error(name, widget))
        layout.addLayout(form)
        self.custom: CustomSection | None = None  # the admins' fields, once read
        stored = activity.custom_values() if activity is not None else {}
        add_section_later(
            ctx, layout, layout.count(), EntityKind.ACTIVITY, stored,
            new=activity is None, added=self._add_custom,
        )  # fmt: skip
        self.warning = QLabel()
        self.warning.setStyleSheet(ERROR_STYLE + "font-weight: 600;")
        self.warning.hide()
        layout.addWidget(self.warning)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.hide()
        layout.addWidget(self.general_error)
        self.history: HistorySection | None = None
        if activity is not None and activity.message_id:
            layout.addWidget(caption(email_line(activity)))
        if activity is not None:
            self._fill(activity)
            self.history = HistorySection(ctx, EntityKind.ACTIVITY, activity.id)
            layout.addWidget(self.history)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        if activity is not None and activity.message_id:
            drop = self.buttons.addButton(
                "Don't log this email", QDialogButtonBox.ButtonRole.DestructiveRole
            )
            drop.setToolTip("Removes it from every account and never logs it again")
            drop.clicked.connect(self.dont_log)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        self.subject.setFocus()
        if focus.account_id:
            self._load_account(focus.account_id)

    def _add_custom(self, section: CustomSection) -> None:
        """The "More fields" section, under the activity's own fields."""
        self.custom = section
        self.errors.update(section.errors())
        self.adjustSize()

    def _fill(self, activity: Activity) -> None:
        self.channels.button(list(Channel).index(activity.channel) + 1).setChecked(True)
        self.subject.setText(activity.subject)
        local = activity.occurred_at.astimezone()
        self.when.setDateTime(
            QDateTime(local.year, local.month, local.day, local.hour, local.minute, local.second)
        )
        self.duration.setValue(activity.duration_minutes)
        self.outcome.setText(activity.outcome)
        self.notes.setPlainText(activity.notes)
        self._shown_when = self.when.dateTime()  # the editor keeps milliseconds only

    def _channel_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.channels = QButtonGroup(self)
        default = Channel(self._ctx.settings["default_channel"])
        for number, channel in enumerate(Channel, start=1):
            button = QPushButton(label(channel))
            button.setCheckable(True)
            button.setChecked(channel is default)
            button.setToolTip(f"Ctrl+{number}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet(CHANNEL_STYLE)
            self.channels.addButton(button, number)
            row.addWidget(button)
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, button.click)
        self.channels.idToggled.connect(lambda *_: self._check_channel())
        row.addStretch()
        return row

    def _with_error(self, name: str, widget: QWidget) -> QWidget:
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(2)
        box_layout.addWidget(widget)
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.hide()
        box_layout.addWidget(error)
        self.errors[name] = error
        return box

    def channel(self) -> Channel:
        return list(Channel)[self.channels.checkedId() - 1]

    def _load_account(self, account_id: str) -> None:
        def load(store: Store) -> tuple[list[Contact], list[Opportunity]]:
            contacts = store.get_many(Contact, store.contact_ids(account_id=account_id))
            ids = store.ids(Opportunity, where={"account_id": account_id}, sort="close_date")
            deals = store.get_many(Opportunity, ids)
            return contacts, [o for o in deals if o.is_open or o.id == keep]

        keep = self._focus.opportunity_id  # an edited activity's deal, even when closed

        self._ctx.query(load, lambda found: self._show_account(*found))

    def _show_account(self, contacts: list[Contact], opportunities: list[Opportunity]) -> None:
        self.contacts.clear()
        self._blocked = {c.id: c.blocked_channels() for c in contacts}
        for contact in contacts:
            item = QListWidgetItem(f"{contact.full_name}  ·  {contact.title}".rstrip(" ·"))
            item.setData(Qt.ItemDataRole.UserRole, contact.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            chosen = contact.id in self._chosen
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.contacts.addItem(item)
        self.opportunity.clear()
        self.opportunity.addItem("—", None)
        for opportunity in opportunities:
            self.opportunity.addItem(opportunity.name, opportunity.id)
        self.opportunity.setCurrentIndex(
            max(0, self.opportunity.findData(self._focus.opportunity_id))
        )
        self._check_channel()

    def contact_ids(self) -> list[str]:
        items = (self.contacts.item(row) for row in range(self.contacts.count()))
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _check_channel(self, *_: object) -> None:
        channel = self.channel()
        blocked = [cid for cid in self.contact_ids() if channel in self._blocked.get(cid, ())]
        self.warning.setText(
            f"Do not contact: a chosen contact asked not to be reached by {channel}"
        )
        self.warning.setVisible(bool(blocked))

    def fields(self) -> dict[str, object]:
        when = local_moment(self.when.dateTime())
        contact_ids = self.contact_ids()
        if self.activity is not None:
            if self.when.dateTime() == self._shown_when:
                when = self.activity.occurred_at
            listed = {
                self.contacts.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.contacts.count())
            }
            contact_ids += [c for c in self.activity.contact_ids if c not in listed]
        return {
            "channel": self.channel(),
            "subject": self.subject.text(),
            "account_id": self.account.record_id(),
            "contact_ids": tuple(contact_ids),
            "opportunity_id": self.opportunity.currentData(),
            "occurred_at": when,
            "duration_minutes": self.duration.value(),
            "outcome": self.outcome.text(),
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> None:
        for error in [*self.errors.values(), self.general_error]:
            error.hide()
        if self.custom is not None and not self.custom.check_all():
            return  # each bad value is named under its field
        self.buttons.setEnabled(False)
        fields = self.fields()
        if self.custom is not None:
            fields.update(self.custom.changed())
        if self.activity is not None:
            activity_id = self.activity.id
            self._ctx.run_op(
                lambda store: update_record(store, Activity, activity_id, fields),
                self._saved,
                self._failed,
            )
            return
        self._ctx.run_op(lambda store: log_activity(store, fields), self._saved, self._failed)

    def _saved(self, _activity: Activity) -> None:
        self.accept()

    def dont_log(self) -> None:
        """Remove this captured email (every account's copy); it is never logged again."""
        from sfa_desktop.app import mail_capture  # the mail stack loads only when asked

        assert self.activity is not None
        activity_id = self.activity.id
        self.buttons.setEnabled(False)
        self._ctx.query(
            lambda store: mail_capture.dont_log(store, activity_id),
            self._dropped,
            self._failed,
        )

    def _dropped(self, changes: Changes) -> None:
        self._ctx.announce(changes)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        messages = error.errors if isinstance(error, InvalidRecord) else {"": str(error)}
        for field, message in messages.items():
            target = self.errors.get(field, self.general_error)
            target.setText(message[:1].upper() + message[1:])
            target.show()
