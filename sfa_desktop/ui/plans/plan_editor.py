"""The account plan editor: grade and targets, objectives, people and actions, coverage."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.core.enums import PlanStatus
from sfa_desktop.core.rules.coverage import expense_to_revenue
from sfa_desktop.operations.plans import GradeSuggestion, PlanDetail
from sfa_desktop.ui.common.format import label, money
from sfa_desktop.ui.common.widgets import MoneyBox, badge, caption, heading
from sfa_desktop.ui.plans.plan_tables import ActionsTable, CoverageGrid, KeyContactsTable


def grade_reason(s: GradeSuggestion, currency: str) -> str:
    share = round(s.historical_weight * 100)
    return (
        f"Suggested {s.grade}: score {money(s.score, currency)} = {share}% of average yearly "
        f"revenue {money(s.historical, currency)} + {100 - share}% of potential "
        f"{money(s.potential, currency)}; {s.grade} starts at {money(s.threshold, currency)}."
    )


def _buttons(*pairs: tuple[str, Any]) -> QHBoxLayout:
    row = QHBoxLayout()
    for text, slot in pairs:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch()
    return row


class PlanEditor(QWidget):
    """Shows one PlanDetail; `save_requested(fields)` when the rep saves."""

    save_requested = Signal(dict)

    def __init__(self) -> None:
        super().__init__()
        self.detail: PlanDetail | None = None
        self.title = heading("", 15)
        self.subtitle = caption("")
        self.overridden = badge("Grade overridden", "#b06000")
        self.grade = QComboBox()
        for grade in "ABCDE":
            self.grade.addItem(grade, grade)
        self.grade.currentIndexChanged.connect(self._grade_changed)
        self.reason = caption("")
        self.use_suggestion = QPushButton("Use suggestion")
        self.use_suggestion.clicked.connect(self._take_suggestion)
        self.target = MoneyBox()
        self.target.setMinimumWidth(160)
        self.target.valueChanged.connect(self._update_costs)
        self.wallet = QSpinBox()
        self.wallet.setRange(0, 100)
        self.wallet.setSuffix(" %")
        self.status = QComboBox()
        for status in PlanStatus:
            self.status.addItem(label(status), status.value)
        self.revenue = QLabel()
        self.objectives = QListWidget()
        self.objectives.setMaximumHeight(180)
        self.key_contacts = KeyContactsTable()
        self.action_table = ActionsTable()
        self.coverage = CoverageGrid()
        self.coverage.changed.connect(self._update_costs)
        self.costs = QLabel()
        self.costs.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._overview(), "Grade && targets")
        self.tabs.addTab(self._people(), "Contacts && actions")
        self.tabs.addTab(self._coverage_tab(), "Coverage")
        self.save = QPushButton("Save plan")
        self.save.setDefault(True)
        self.save.clicked.connect(lambda: self.save_requested.emit(self.values()))
        self.revert = QPushButton("Revert")
        self.revert.clicked.connect(lambda: self.detail and self.show_detail(self.detail))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.overridden)
        bottom = QHBoxLayout()
        bottom.addStretch()
        bottom.addWidget(self.revert)
        bottom.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

    def _overview(self) -> QWidget:
        """Rows at their natural height, top-aligned; the spare height stays below them."""
        page = QWidget()
        column = QVBoxLayout(page)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(10)
        grade_row = QHBoxLayout()
        grade_row.addWidget(self.grade)
        grade_row.addWidget(self.use_suggestion)
        grade_row.addStretch()
        grade_box = QVBoxLayout()
        grade_box.setSpacing(4)
        grade_box.addLayout(grade_row)
        grade_box.addWidget(self.reason)
        for text in (self.reason, self.revenue):
            text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        form.addRow("Grade", grade_box)
        form.addRow("Revenue target", self.target)
        form.addRow("Share of wallet target", self.wallet)
        form.addRow("Revenue", self.revenue)
        form.addRow("Status", self.status)
        box = QVBoxLayout()
        box.addWidget(self.objectives)
        box.addLayout(
            _buttons(("Add objective", self.add_objective), ("Remove", self._remove_objective))
        )
        form.addRow("Objectives", box)
        column.addLayout(form)
        column.addStretch(1)
        return page

    def _people(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(
            caption("Key contacts: their stance toward us and their influence on the decision")
        )
        column.addWidget(self.key_contacts, 1)
        column.addLayout(
            _buttons(
                ("Add key contact", lambda: self.key_contacts.add_row()),
                ("Remove", lambda: _drop(self.key_contacts)),
            )
        )
        column.addWidget(caption("Actions"))
        column.addWidget(self.action_table, 1)
        column.addLayout(
            _buttons(
                ("Add action", lambda: self.action_table.add_row()),
                ("Remove", lambda: _drop(self.action_table)),
            )
        )
        return page

    def _coverage_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(
            caption(
                "Touches planned per channel and quarter; ✓ counts the activities logged "
                "in that quarter."
            )
        )
        column.addWidget(self.coverage, 1)
        column.addWidget(self.costs)
        return page

    # -- showing and reading --------------------------------------------------------------------

    def show_detail(self, detail: PlanDetail) -> None:
        self.detail = detail
        account, plan, currency = detail.account, detail.plan, detail.account.currency
        self.title.setText(account.name)
        state = "No plan yet: saving creates it." if plan is None else f"Plan {detail.fiscal_year}"
        self.subtitle.setText(
            f"{state}  ·  {account.industry or 'No industry'}  ·  {label(account.orientation)}"
        )
        self.grade.setCurrentIndex(
            max(0, self.grade.findData((plan and plan.grade) or detail.suggestion.grade))
        )
        self.reason.setText(grade_reason(detail.suggestion, currency))
        self.target.set_currency(currency)
        self.target.set_minor(plan.revenue_target if plan else 0)
        self.wallet.setValue(plan.share_of_wallet_target if plan else 0)
        self.status.setCurrentIndex(
            max(0, self.status.findData(plan.status.value if plan else "draft"))
        )
        self.revenue.setText(
            f"last year {money(detail.last_year_revenue, currency)}  ·  "
            f"potential {money(account.potential_revenue, currency)} a year"
        )
        self.objectives.clear()
        for objective in plan.objectives if plan else ():
            self.add_objective(objective)
        self.key_contacts.set_rows(detail.contacts, plan.key_contacts if plan else ())
        self.action_table.set_rows(detail.users, plan.actions if plan else ())
        self.coverage.set_report(detail.coverage, currency)
        self._grade_changed()

    def add_objective(self, text: str | bool = "") -> None:
        item = QListWidgetItem(text if isinstance(text, str) and text else "New objective")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.objectives.addItem(item)
        if not text:
            self.objectives.editItem(item)

    def _remove_objective(self) -> None:
        self.objectives.takeItem(self.objectives.currentRow())

    def _take_suggestion(self) -> None:
        if self.detail:
            self.grade.setCurrentIndex(self.grade.findData(self.detail.suggestion.grade))

    def _grade_changed(self) -> None:
        suggested = self.detail.suggestion.grade if self.detail else None
        self.overridden.setVisible(
            self.detail is not None and self.grade.currentData() != suggested
        )

    def _update_costs(self) -> None:
        detail = self.detail
        if detail is None:
            return
        currency = detail.account.currency
        planned = self.coverage.planned_cost() + detail.travel_planned
        target = self.target.minor()
        basis = target or detail.last_year_revenue
        what = "the revenue target" if target else "last year's revenue"
        ratios = [expense_to_revenue(cost, basis) for cost in (planned, detail.actual_cost)]
        shown = ["—" if r is None else f"{r:.1%}" for r in ratios]
        self.costs.setText(
            f"Cost to serve: planned {money(planned, currency)}, logged so far "
            f"{money(detail.actual_cost, currency)} (travel: "
            f"{money(detail.travel_planned, currency)} planned, "
            f"{money(detail.travel_actual, currency)} driven).  "
            f"Expense-to-revenue against {what} "
            f"({money(basis, currency)}): planned {shown[0]}, so far {shown[1]}."
        )

    def values(self) -> dict[str, Any]:
        grade = self.grade.currentData()
        suggested = self.detail.suggestion.grade if self.detail else grade
        objectives = [
            self.objectives.item(i).text().strip() for i in range(self.objectives.count())
        ]
        return {
            "grade": grade,
            "grade_overridden": grade != suggested,
            "revenue_target": self.target.minor(),
            "share_of_wallet_target": self.wallet.value(),
            "status": self.status.currentData(),
            "objectives": tuple(o for o in objectives if o),
            "key_contacts": self.key_contacts.values(),
            "actions": self.action_table.values(),
            "coverage": self.coverage.values(),
        }


def _drop(table: QTableWidget) -> None:
    row = table.currentRow()
    if row >= 0:
        table.removeRow(row)
