"""A line on Today when the signed-in user's forecast call for the current quarter is due,
with a button to the Forecast page (self-contained: it loads and refreshes itself)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.operations.forecast_team import CallReminder, call_reminder
from sfa_desktop.store import Changes
from sfa_desktop.ui.common.format import day

CARD_STYLE = (
    "#callReminder { background: #fef7e0; border: 1px solid #f9e1a8; border-radius: 6px; }"
    " #callReminder QLabel { color: #7a4d00; }"
)
WATCHED = {EntityKind.FORECAST_SUBMISSION, EntityKind.USER}


def reminder_text(reminder: CallReminder) -> str:
    last = reminder.last_call
    when = (
        "none submitted yet"
        if last is None
        else f"the last was on {day(last.astimezone().date())}, a week ago or more"
    )
    return f"Your forecast call for {reminder.period} is due: {when}."


class CallReminderCard(QFrame):
    """Hidden unless a call is due; `open_forecast` when the rep clicks the button."""

    open_forecast = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.reminder: CallReminder | None = None
        self._loaded = False
        self.setObjectName("callReminder")
        self.setStyleSheet(CARD_STYLE)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton("Submit your call…")
        self.button.clicked.connect(self.open_forecast.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()
        ctx.signals.changes_applied.connect(self._changes_applied)
        self.refresh()

    def refresh(self, now: datetime | None = None) -> None:
        moment = now or utcnow()
        self._ctx.query(lambda store: call_reminder(store, moment), self._show)

    def _show(self, reminder: CallReminder | None) -> None:
        self._loaded = True
        self.reminder = reminder
        if reminder is not None:
            self.text.setText(reminder_text(reminder))
        self.setVisible(reminder is not None)

    def _changes_applied(self, changes: Changes) -> None:
        if self._loaded and changes.kinds & WATCHED:
            self.refresh()
