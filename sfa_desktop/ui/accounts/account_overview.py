"""The overview tab of the account view: details, hierarchy and this year's plan summary."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import LocationSource
from sfa_desktop.operations.views import Account360
from sfa_desktop.ui.common import record_tables as cols
from sfa_desktop.ui.common.format import label, money, yes
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import (
    KeyValues,
    Section,
    caption,
    clear_layout,
    fit_columns,
    table,
)

# Below this width (the overview's) its sections go one under the other.
NARROW = 560


class AccountOverview(QScrollArea):
    """Details and hierarchy side by side above the plan summary (stacked when narrow)."""

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
        self.plan_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.plan_row.setSpacing(16)
        self.plan_row.addWidget(self.plan, 1)
        self.coverage_box = QWidget()
        coverage = QVBoxLayout(self.coverage_box)
        coverage.setContentsMargins(0, 0, 0, 0)
        coverage.addWidget(caption("Touches logged / planned"))
        coverage.addWidget(self.coverage_table)
        self.plan_row.addWidget(self.coverage_box, 0, Qt.AlignmentFlag.AlignTop)
        plan_section.body.addLayout(self.plan_row)
        plan_section.body.addWidget(self.no_plan)
        body = QWidget()
        self.grid = QGridLayout(body)
        self.grid.setContentsMargins(0, 10, 4, 4)
        self.grid.setSpacing(12)
        hierarchy_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.sections = (
            Section("Details", self.details),
            Section("Hierarchy", hierarchy_box),
            plan_section,
        )
        self.wide: bool | None = None
        self._arrange(True)
        self.setWidget(body)

    def _arrange(self, wide: bool) -> None:
        """Details beside hierarchy and the plan's figures beside its coverage table when
        there is room (NARROW pixels and more), else each under the other."""
        if wide == self.wide:
            return
        self.wide = wide
        details, hierarchy, plan = self.sections
        for section in self.sections:
            self.grid.removeWidget(section)
        top = Qt.AlignmentFlag.AlignTop
        self.grid.addWidget(details, 0, 0, top)
        self.grid.addWidget(hierarchy, 0 if wide else 1, 1 if wide else 0, top)
        self.grid.addWidget(plan, 1 if wide else 2, 0, 1, 2 if wide else 1)
        for row in range(4):
            self.grid.setRowStretch(row, 1 if row == (2 if wide else 3) else 0)
        self.grid.setColumnStretch(1, 1 if wide else 0)
        self.grid.setColumnStretch(0, 1)
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        self.plan_row.setDirection(direction)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._arrange(event.size().width() >= NARROW)
        super().resizeEvent(event)

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
                ("Location", _location(account)),
                ("Potential", money(account.potential_revenue, account.currency)),
                ("Orientation", label(account.orientation)),
                ("Partner", yes(account.is_partner)),
                ("Notes", account.notes),
                *data.custom,
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
        self.coverage_box.setVisible(plan is not None)
        if plan is None or report is None:
            self.plan.set_rows([])
            self.coverage.set_records([])
            return
        state = "Behind plan" if report.is_behind else "On track"
        colour = "#b3261e" if report.is_behind else "#188038"
        status = QLabel(
            f"<b style='color:{colour}'>{state}</b>: {report.actual_to_date} touches logged "
            f"of {report.expected_to_date:.0f} planned by today"
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
                ("Touches this year", f"{report.actual} of {report.planned} planned"),
                (
                    "Cost to serve",
                    f"{money(report.actual_cost + data.travel_actual)} of "
                    f"{money(report.planned_cost + data.travel_planned)}",
                ),
                (
                    "Travel in it",
                    f"{money(data.travel_actual)} driven of {money(data.travel_planned)} "
                    "planned (round trips from your home base)",
                ),
            ]
        )
        self.coverage.set_records(cols.coverage_rows(report))


def _location(account: Account) -> str:
    """Where the visit planner puts the account, and how it knows."""
    if account.latitude is None or account.longitude is None:
        return "Not located (Location… pins it)"
    how = "its city's centre" if account.located_by is LocationSource.CITY else "pinned"
    return f"{account.latitude:.5f}, {account.longitude:.5f} ({how})"
