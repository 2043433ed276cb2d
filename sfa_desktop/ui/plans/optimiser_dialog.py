"""The coverage optimiser: capacity in, a proposed plan per account out, accepted into plans."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.settings import channel_costs
from sfa_desktop.core.entities import AccountPlan
from sfa_desktop.core.enums import Channel
from sfa_desktop.core.rules.optimiser import CHANNELS, Capacity, CoverageProposal, Proposal
from sfa_desktop.operations.optimiser import accept_proposal, propose
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import label, money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import Section, caption, fit_columns, fit_to_screen, table

COLUMNS: list[Column[Proposal]] = [
    Column("Account", lambda p: p.account.name),
    Column("Grade", lambda p: p.account.grade),
    Column("Orientation", lambda p: label(p.account.orientation)),
    Column("Visits", lambda p: str(p.planned(Channel.VISIT)), numeric=True),
    Column("Calls", lambda p: str(p.planned(Channel.CALL)), numeric=True),
    Column("Emails", lambda p: str(p.planned(Channel.EMAIL)), numeric=True),
    Column("Cost a quarter", lambda p: money(p.cost_per_quarter), numeric=True),
]


class OptimiserDialog(QDialog):
    """Planned contacts per quarter for every account; Accept writes them into the plans."""

    def __init__(self, ctx: AppContext, fiscal_year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._year = fiscal_year
        self.proposal: CoverageProposal | None = None
        self.setWindowTitle(f"Optimise coverage {fiscal_year}")
        fit_to_screen(self, 980, 640)
        self.visits, self.calls, self.emails = QSpinBox(), QSpinBox(), QSpinBox()
        for spin, value in ((self.visits, 40), (self.calls, 150), (self.emails, 100)):
            spin.setRange(0, 5000)
            spin.setValue(value)
            spin.setSuffix(" a quarter")
            spin.setMinimumWidth(130)
        self.emails.setSpecialValueText("Not planned")
        run = QPushButton("Propose")
        run.clicked.connect(self.run)
        inputs = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Visits", self.visits)
        form.addRow("Calls", self.calls)
        form.addRow("Emails", self.emails)
        inputs.addLayout(form)
        inputs.addWidget(
            caption(
                "Minimums first (grade A: a visit and a call a quarter; grade B: a call), then "
                "the rest in proportion to grade weight × potential. Visits go to relationship "
                "accounts of grade C or better; transactional and low-grade accounts are served "
                "by calls and emails."
            ),
            1,
        )
        inputs.addWidget(run)
        self.model: RecordListModel[Proposal] = RecordListModel(COLUMNS, self)
        self.table = table(self.model)
        fit_columns(self.table, 0)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.explanation = QLabel("Select an account to see why.")
        self.explanation.setWordWrap(True)
        self.explanation.setMinimumHeight(56)
        self.totals = QLabel()
        self.totals.setStyleSheet("font-weight: 600;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Accept into plans")
        self.buttons.accepted.connect(self.accept_plan)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(inputs)
        layout.addWidget(self.table, 1)
        layout.addWidget(Section("Why", self.explanation))
        layout.addWidget(self.totals)
        layout.addWidget(self.buttons)
        self.run()

    def capacity(self) -> Capacity:
        return Capacity(self.visits.value(), self.calls.value(), self.emails.value() or None)

    def run(self) -> None:
        year, capacity, costs = self._year, self.capacity(), channel_costs(self._ctx.settings)
        self.buttons.setEnabled(False)
        self._ctx.query(lambda s: propose(s, year, capacity, costs), self._show)

    def _show(self, proposal: CoverageProposal) -> None:
        self.proposal = proposal
        self.model.set_records(proposal.proposals)
        self.buttons.setEnabled(True)
        used = "  ·  ".join(
            f"{label(c)}s {proposal.used.get(c, 0)} of {proposal.capacity.of(c)}" for c in CHANNELS
        )
        cost = proposal.cost_per_quarter
        self.totals.setText(
            f"{len(proposal.proposals)} accounts  ·  {used} a quarter  ·  cost to serve "
            f"{money(cost)} a quarter, {money(cost * 4)} a year"
        )
        if proposal.proposals:
            self.table.selectRow(0)

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        found = self.model.record_at(rows[0].row()) if rows else None
        if found is not None:
            self.explanation.setText(f"{found.account.name}: {found.explanation}")

    def accept_plan(self) -> None:
        proposal, year = self.proposal, self._year
        if proposal is None:
            return
        self.buttons.setEnabled(False)
        self._ctx.run_op(lambda s: accept_proposal(s, year, proposal), self._accepted)

    def _accepted(self, plans: list[AccountPlan]) -> None:
        self._ctx.signals.message.emit(f"Coverage plan written into {len(plans)} account plans")
        self.accept()
