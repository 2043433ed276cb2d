"""The manager's team call: commit, best case and why for the whole team, prefilled with the
team's adjusted forecast, beside the reports' calls added up; saved as the manager's
ForecastSubmission (it syncs, and the server reads a manager's call as the team call)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import ForecastSubmission, utcnow
from sfa_desktop.core.forecast_wire import ForecastNode
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.operations.forecast import submit_forecast
from sfa_desktop.operations.forecast_team import Call, reports_call, team_call_prefill
from sfa_desktop.ui.common.format import moment, money
from sfa_desktop.ui.common.widgets import ERROR_STYLE, KeyValues, MoneyBox, caption


def _money_box() -> MoneyBox:
    box = MoneyBox(cents=True)
    box.setMinimumWidth(150)
    box.setMaximumWidth(220)
    return box


def _pair(call: Call, currency: str) -> str:
    return f"{money(call.commit, currency)} commit · {money(call.best_case, currency)} best case"


class TeamCallPanel(QWidget):
    """Submit the team call for the period; shows the last one and the reports' calls."""

    submitted = Signal(object)  # ForecastSubmission

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.root: ForecastNode | None = None
        self.period: Period | None = None
        self.currency = DEFAULT_CORPORATE_CURRENCY
        self.title = caption("")
        self.commit = _money_box()
        self.best_case = _money_box()
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("What the call rests on")
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.button = QPushButton("Submit team call")
        self.button.clicked.connect(lambda: self.submit())
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Commit", self.commit)
        form.addRow("Best case", self.best_case)
        form.addRow("Why", self.comment)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        entry = QVBoxLayout()
        entry.addLayout(form)
        entry.addWidget(self.error)
        entry.addLayout(buttons)
        entry.addStretch(1)
        self.facts = KeyValues()
        left = QWidget()
        left.setLayout(entry)
        left.setMaximumWidth(380)
        entry.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(left, 2)
        row.addSpacing(16)
        row.addWidget(self.facts, 3, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addLayout(row, 1)

    def show_team(self, root: ForecastNode | None, period: Period, currency: str) -> None:
        """Prefill with the team's adjusted forecast; list the reports' calls beside it."""
        self.root, self.period, self.currency = root, period, currency
        for box in (self.commit, self.best_case):
            box.set_currency(currency)
        self.error.hide()
        self.button.setEnabled(root is not None)
        if root is None:
            self.title.setText("No team forecast to call yet.")
            self.facts.set_rows([])
            return
        self.title.setText(
            f"Team call for {period}: your forecast for the whole team (it rolls up to your"
            " manager). Prefilled with the team's adjusted forecast."
        )
        prefill = team_call_prefill(root)
        self.commit.setValue(prefill.commit / 100)
        self.best_case.setValue(prefill.best_case / 100)
        self.comment.clear()
        self.facts.set_rows(self._facts(root, prefill))

    def _facts(self, root: ForecastNode, prefill: Call) -> list[tuple[str, str | QWidget]]:
        currency = self.currency
        calls = reports_call(root) or Call(0, 0)
        missing = root.reports_without_call
        reports = len(root.reports)
        last = root.submission
        if last is None:
            called = "None yet: due"
        else:
            called = f"{_pair(Call(last.commit, last.best_case), last.currency)}"
            called += f", {moment(last.submitted_at)}" + (": due again" if root.call_due else "")
        return [
            ("Reports' calls added up", _pair(calls, currency)),
            ("Reports without a call", f"{missing} of {reports}" if missing else "none"),
            ("Team's adjusted forecast", _pair(prefill, currency)),
            ("Last team call", called),
        ]

    def submit(self, now: datetime | None = None) -> None:
        period = self.period
        if self.root is None or period is None:
            return
        fields = {
            "commit": round(self.commit.value() * 100),
            "best_case": round(self.best_case.value() * 100),
            "comment": self.comment.text().strip(),
            "currency": self.currency,
        }
        moment_ = now or utcnow()
        self.error.hide()
        self._ctx.run_op(
            lambda store: submit_forecast(store, period, fields, moment_),
            self._submitted,
            self._failed,
        )

    def _submitted(self, submission: ForecastSubmission) -> None:
        self._ctx.signals.message.emit(
            f"Team call for {submission.period} saved: "
            f"{_pair(Call(submission.commit, submission.best_case), submission.currency)}"
            " (it reaches the server with the next sync)"
        )
        self.submitted.emit(submission)

    def _failed(self, error: BaseException) -> None:
        text = str(error)
        self.error.setText(text[:1].upper() + text[1:])
        self.error.show()
