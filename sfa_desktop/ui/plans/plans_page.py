"""Account plans: the rep's accounts and their plans for the year, and the plan editor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.settings import channel_costs
from sfa_desktop.core.entities import AccountPlan
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.operations.plans import (
    PlanDetail,
    PlanSummary,
    plan_detail,
    plan_summaries,
    save_plan,
    travel_rate,
)
from sfa_desktop.store import Changes
from sfa_desktop.ui.common.activity_dialog import Focus
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import label, money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import ListDetailSplitter, caption, fit_columns, heading, table
from sfa_desktop.ui.plans.optimiser_dialog import OptimiserDialog
from sfa_desktop.ui.plans.plan_editor import PlanEditor

COLUMNS: list[Column[PlanSummary]] = [
    Column("Account", lambda r: r.account.name),
    Column("Grade", lambda r: (r.plan.grade if r.plan else None) or r.account.grade or ""),
    Column(
        "Target",
        lambda r: money(r.plan.revenue_target, r.plan.currency) if r.plan else "",
        numeric=True,
    ),
    Column(
        "Plan",
        lambda r: label(r.plan.status) if r.plan else "none",
        colour=lambda r: None if r.plan else "#80868b",
    ),
]
WATCHED = {EntityKind.ACCOUNT_PLAN, EntityKind.ACCOUNT, EntityKind.ACTIVITY, EntityKind.CONTACT}


class PlansPage(QWidget):
    def __init__(self, ctx: AppContext, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self._ctx = ctx
        self._today = today
        self.year = today().year
        self.loaded = False
        self.model: RecordListModel[PlanSummary] = RecordListModel(COLUMNS, self)
        self.list = table(self.model)
        fit_columns(self.list, 0)
        self.list.selectionModel().selectionChanged.connect(self._selected)
        self.editor = PlanEditor()
        self.editor.save_requested.connect(self.save)
        self.editor.setEnabled(False)
        self.count = caption("")
        optimise = QPushButton("Optimise coverage…")
        optimise.clicked.connect(self.open_optimiser)
        bar = QHBoxLayout()
        bar.addWidget(heading(f"Account plans {self.year}"))
        bar.addStretch()
        bar.addWidget(optimise)
        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.list, 1)
        side.addWidget(self.count)
        splitter = ListDetailSplitter(540, most=460)  # the editor keeps its tables' width
        splitter.addWidget(left)
        splitter.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def activate(self) -> None:
        if not self.loaded:
            self.reload()

    def focus(self) -> Focus:
        detail = self.editor.detail
        return Focus(detail.account.id, detail.account.name) if detail else Focus()

    def reload(self) -> None:
        self.loaded = True
        year = self.year
        self._ctx.query(lambda s: plan_summaries(s, year), self._listed)

    def _listed(self, rows: list[PlanSummary]) -> None:
        current = self.editor.detail.account.id if self.editor.detail else None
        self.model.set_records(rows)
        planned = sum(1 for r in rows if r.plan)
        self.count.setText(f"{len(rows)} accounts · {planned} with a plan for {self.year}")
        ids = [r.account.id for r in rows]
        if current in ids:
            self.list.selectRow(ids.index(current))
        elif rows:
            self.list.selectRow(0)

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        row = self.model.record_at(rows[0].row()) if rows else None
        if row is not None:
            self.show_account(row.account.id)

    def show_account(self, account_id: str) -> None:
        year, today, costs = self.year, self._today(), channel_costs(self._ctx.settings)
        travel = travel_rate(self._ctx.settings)
        self._ctx.query(
            lambda s: plan_detail(s, account_id, year, today, costs, travel), self._show
        )

    def _show(self, detail: PlanDetail) -> None:
        self.editor.setEnabled(True)
        self.editor.show_detail(detail)

    def save(self, fields: dict[str, Any]) -> None:
        detail = self.editor.detail
        if detail is None:
            return
        account_id, plan_id, year = (
            detail.account.id,
            detail.plan.id if detail.plan else None,
            self.year,
        )
        self._ctx.run_op(lambda s: save_plan(s, account_id, year, plan_id, fields), self._saved)

    def _saved(self, plan: AccountPlan) -> None:
        self._ctx.signals.message.emit("Plan saved")
        self.show_account(plan.account_id)

    def open_optimiser(self) -> OptimiserDialog:
        dialog = OptimiserDialog(self._ctx, self.year, self)
        dialog.show()
        return dialog

    def _changes_applied(self, changes: Changes) -> None:
        if self.loaded and changes.kinds & WATCHED:
            self.reload()
            if self.editor.detail is not None:
                self.show_account(self.editor.detail.account.id)
