"""The overview tab of the account view: details, hierarchy and this year's plan summary."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.operations.views import Account360
from sfa_desktop.ui import account_tables as cols
from sfa_desktop.ui.format import label, money, yes
from sfa_desktop.ui.list_model import RecordListModel
from sfa_desktop.ui.widgets import KeyValues, Section, caption, clear_layout, fit_columns, table


class AccountOverview(QScrollArea):
    """Three sections side by side: details | hierarchy and plan."""

    open_account = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.details = KeyValues()
        self.hierarchy = QVBoxLayout()
        self.hierarchy.setSpacing(2)
        hierarchy_box = QWidget()
        hierarchy_box.setLayout(self.hierarchy)
        self.plan = KeyValues()
        self.coverage = RecordListModel(cols.COVERAGE, self)
        self.coverage_table = table(self.coverage)
        self.coverage_table.setFixedHeight(170)
        fit_columns(self.coverage_table, 0)
        self.coverage_table.horizontalHeader().setMinimumSectionSize(44)
        self.coverage_table.setMinimumWidth(330)
        self.coverage_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.no_plan = caption("No account plan for this fiscal year yet.")
        plan_section = Section("Plan summary")
        plan_row = QHBoxLayout()
        plan_row.setSpacing(16)
        plan_row.addWidget(self.plan, 1)
        plan_row.addWidget(self.coverage_table, 0, Qt.AlignmentFlag.AlignTop)
        plan_section.body.addLayout(plan_row)
        plan_section.body.addWidget(self.no_plan)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 10, 4, 4)
        grid.setSpacing(12)
        hierarchy_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        grid.addWidget(Section("Details", self.details), 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(Section("Hierarchy", hierarchy_box), 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(plan_section, 1, 0, 1, 2)
        grid.setRowStretch(2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.setWidget(body)

    def show_data(self, data: Account360) -> None:
        account = data.account
        address = ", ".join(
            part
            for part in (
                account.street,
                f"{account.postal_code} {account.city}".strip(),
                account.country,
            )
            if part
        )
        self.details.set_rows(
            [
                ("Industry", account.industry),
                ("Segment", account.segment),
                ("Website", account.domain),
                ("Phone", account.phone or ""),
                ("Address", address),
                ("Potential", money(account.potential_revenue, account.currency)),
                ("Orientation", label(account.orientation)),
                ("Partner", yes(account.is_partner)),
                ("Notes", account.notes),
            ]
        )
        self._show_hierarchy(data)
        self._show_plan(data)

    def _show_hierarchy(self, data: Account360) -> None:
        clear_layout(self.hierarchy)
        self.hierarchy.addWidget(caption("Parent"))
        if data.parent:
            self.hierarchy.addWidget(self._link(data.parent.id, data.parent.name))
        else:
            self.hierarchy.addWidget(QLabel("—"))
        self.hierarchy.addWidget(caption(f"Subsidiaries ({len(data.children)})"))
        for child in data.children[:12]:
            self.hierarchy.addWidget(self._link(child.id, child.name))
        if not data.children:
            self.hierarchy.addWidget(QLabel("—"))

    def _link(self, account_id: str, name: str) -> QPushButton:
        button = QPushButton(name)
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setStyleSheet("text-align: left; color: #1a73e8; padding: 2px 0;")
        button.clicked.connect(lambda: self.open_account.emit(account_id))
        return button

    def _show_plan(self, data: Account360) -> None:
        plan, report = data.plan, data.coverage
        self.no_plan.setVisible(plan is None)
        self.coverage_table.setVisible(plan is not None)
        if plan is None or report is None:
            self.plan.set_rows([])
            self.coverage.set_records([])
            return
        state = "Behind plan" if report.is_behind else "On track"
        colour = "#b3261e" if report.is_behind else "#188038"
        status = QLabel(
            f"<b style='color:{colour}'>{state}</b>: {report.actual_to_date} logged, "
            f"{report.expected_to_date:.0f} expected by today"
        )
        status.setWordWrap(True)
        self.plan.set_rows(
            [
                ("Fiscal year", str(plan.fiscal_year)),
                ("Grade", plan.grade or data.account.grade or "—"),
                ("Status", label(plan.status)),
                ("Revenue target", money(plan.revenue_target, plan.currency)),
                ("Share of wallet", f"{plan.share_of_wallet_target} %"),
                ("Objectives", "\n".join(f"• {o}" for o in plan.objectives)),
                ("Coverage", status),
                ("Actual / planned", f"{report.actual} / {report.planned} contacts"),
                (
                    "Cost to serve",
                    f"{money(report.actual_cost)} of {money(report.planned_cost)}",
                ),
            ]
        )
        self.coverage.set_records(cols.coverage_rows(report))
