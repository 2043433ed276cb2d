"""Completing a visit: its outcome and the km driven to it, for the mileage log (the
planner's estimate to start from, editable)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.ui.common.widgets import caption, heading

MAX_KM = 5_000


class CompleteVisitDialog(QDialog):
    """`completed(occurrence, km or None, outcome)` on Log visit."""

    completed = Signal(object, object, str)

    def __init__(self, occurrence: Occurrence, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.occurrence = occurrence
        event = occurrence.event
        self.estimate = event.travel_km if event.travel_km > 0 else None
        self.setWindowTitle("Complete visit")
        self.setMinimumWidth(460)
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("What came of it (optional)")
        self.km = QDoubleSpinBox()
        self.km.setRange(0, MAX_KM)
        self.km.setDecimals(1)
        self.km.setSuffix(" km")
        self.km.setMinimumWidth(140)
        self.km.setValue(self.estimate or 0)
        hint = (
            f"The planner estimated {self.estimate:.1f} km; change it to what you drove."
            if self.estimate
            else "Type the km you drove to it (0 if you did not drive)."
        )
        form = QFormLayout()
        form.addRow("Outcome", self.outcome)
        form.addRow("Drive to the visit", self.km)
        form.addRow("", caption(hint))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log visit")
        buttons.accepted.connect(self.log)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(event.title, 13))
        layout.addLayout(form)
        layout.addWidget(buttons)

    def driven(self) -> float | None:
        """The km to record: the typed figure; None when nothing was driven nor estimated."""
        value = round(self.km.value(), 1)
        return None if value == 0 and self.estimate is None else value

    def log(self) -> None:
        self.completed.emit(self.occurrence, self.driven(), self.outcome.text().strip())
        self.accept()
