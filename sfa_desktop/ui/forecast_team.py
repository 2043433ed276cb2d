"""The manager's view: team rollup tree, drill-down to deals, adjustments, trend, exports."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.forecast_wire import AdjustmentInfo, AdjustmentRequest, ForecastNode
from sfa_desktop.core.periods import Period
from sfa_desktop.operations import forecast_export
from sfa_desktop.operations.forecast import adjust_offline, deals_of
from sfa_desktop.sync.errors import Offline
from sfa_desktop.sync.forecast_client import ForecastRemote, TeamForecast, cached_snapshot
from sfa_desktop.sync.retry import TransientFailure
from sfa_desktop.ui.columns import Column
from sfa_desktop.ui.forecast_adjust import AdjustPanel
from sfa_desktop.ui.forecast_chart import TrendChart
from sfa_desktop.ui.forecast_pdf import write_pdf
from sfa_desktop.ui.forecast_tree import ForecastTreeModel
from sfa_desktop.ui.format import day, label, moment, money
from sfa_desktop.ui.list_model import RecordListModel
from sfa_desktop.ui.widgets import fit_columns, table

DEALS: list[Column[Opportunity]] = [
    Column("Opportunity", lambda o: o.name),
    Column("Stage", lambda o: o.stage.label),
    Column("Category", lambda o: label(o.forecast_category)),
    Column("Close date", lambda o: day(o.close_date)),
    Column("Amount", lambda o: money(o.amount, o.currency), numeric=True),
    Column("Probability", lambda o: f"{o.probability} %", numeric=True),
    Column("Next step", lambda o: o.next_step),
]
LIVE_STYLE = "color: #137333; padding: 4px 8px;"
OFFLINE_STYLE = "background: #fef7e0; color: #7a4d00; padding: 4px 8px; border-radius: 4px;"
EXPORTS = {"csv": "CSV (*.csv)", "xlsx": "Excel workbook (*.xlsx)", "pdf": "PDF (*.pdf)"}


class TeamForecastView(QWidget):
    """Reads the team forecast through the network pool; shows the cached one when offline."""

    loaded = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.remote: ForecastRemote | None = None
        self.period: Period | None = None
        self.team: TeamForecast | None = None
        self.status = QLabel("Loading the team forecast…")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for kind, text in EXPORTS.items():
            action = menu.addAction(text.split(" (")[0])
            action.triggered.connect(partial(self._export_dialog, kind))
        self.export_button.setMenu(menu)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)
        self.model = ForecastTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeView::item { padding: 4px 2px; }")
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.header().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.tree.selectionModel().currentRowChanged.connect(self._selected)
        self.deals: RecordListModel[Opportunity] = RecordListModel(DEALS, self)
        deal_view = table(self.deals)
        fit_columns(deal_view, 0)
        self.adjust = AdjustPanel()
        self.adjust.adjust_requested.connect(self.submit_adjustment)
        self.chart = TrendChart()
        self.tabs = QTabWidget()
        self.tabs.addTab(deal_view, "Deals")
        self.tabs.addTab(self.adjust, "Adjust && audit trail")
        self.tabs.addTab(self.chart, "Trend")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.tabs)
        splitter.setSizes([240, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    # -- loading ---------------------------------------------------------------------------

    def load(self, period: Period) -> None:
        self.period = period
        self.reload()

    def reload(self) -> None:
        if self.period is None:
            return
        period, remote = str(self.period), self.remote
        self.refresh_button.setEnabled(False)
        if remote is None:
            self._ctx.query(
                lambda store: TeamForecast(cached_snapshot(store, period), True, "not signed in"),
                self._loaded,
            )
        else:
            self._ctx.tasks.run_network(lambda: remote.load(period), self._loaded, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setText(f"Could not load the team forecast: {error}")
        self.status.setStyleSheet(OFFLINE_STYLE)

    def _loaded(self, team: TeamForecast) -> None:
        self.refresh_button.setEnabled(True)
        selected = self.selected_node()
        self.team = team
        snapshot = team.snapshot
        self.export_button.setEnabled(snapshot is not None)
        self._show_status(team)
        self.model.set_report(snapshot.report if snapshot else None)
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        currency = snapshot.report.currency if snapshot else "EUR"
        self.chart.set_history(snapshot.history if snapshot else None, currency)
        index = self.model.find(selected.user_id) if selected else QModelIndex()
        if not index.isValid():
            index = self.model.index(0, 0)
        self.tree.setCurrentIndex(index)
        self._selected(index)
        self.loaded.emit()

    def _show_status(self, team: TeamForecast) -> None:
        snapshot = team.snapshot
        if snapshot is None:
            self.status.setText(
                "Offline — no team forecast fetched yet for this period."
                if team.offline
                else "No forecast."
            )
        elif team.offline:
            self.status.setText(f"Offline — figures from {moment(snapshot.fetched_at)}")
        else:
            self.status.setText(f"Live from the server · {moment(snapshot.fetched_at)}")
        self.status.setStyleSheet(OFFLINE_STYLE if team.offline else LIVE_STYLE)
        if team.reason:
            self.status.setToolTip(team.reason)

    # -- the selected person ---------------------------------------------------------------

    def selected_node(self) -> ForecastNode | None:
        return self.model.node(self.tree.currentIndex())

    def _selected(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        snapshot = self.team.snapshot if self.team else None
        if snapshot is None or self.period is None:
            self.deals.set_records([])
            return
        root = snapshot.report.root
        names = {n.user_id: n.name for n in _walk(root)}
        entries = snapshot.audits.get(node.user_id, []) if node else []
        editable = node is not None and node.user_id != root.user_id
        self.adjust.show_node(
            node, editable, entries, names, str(self.period), snapshot.report.currency
        )
        if node is not None:
            owner, period = node.user_id, self.period
            self._ctx.query(lambda store: deals_of(store, owner, period), self.deals.set_records)

    # -- adjustments -----------------------------------------------------------------------

    def submit_adjustment(self, request: AdjustmentRequest) -> None:
        remote = self.remote
        if remote is None:
            self._adjust_offline(request)
            return
        self.adjust.button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.adjust.button.setEnabled(True)
            if isinstance(error, Offline | TransientFailure):
                self._adjust_offline(request)
            else:
                self.adjust.show_error(f"The server refused the adjustment: {error}")

        self._ctx.tasks.run_network(lambda: remote.adjust(request), self._adjusted, failed)

    def _adjusted(self, info: AdjustmentInfo) -> None:
        self.adjust.button.setEnabled(True)
        self._ctx.signals.message.emit(f"Adjusted {info.category.value} to {money(info.amount)}")
        self.reload()

    def _adjust_offline(self, request: AdjustmentRequest) -> None:
        fields = request.model_dump()
        self._ctx.run_op(
            lambda store: adjust_offline(store, fields),
            lambda _: self.adjust.show_error(
                "Offline: the adjustment is saved and will reach the server with the next sync."
            ),
        )

    # -- exports ---------------------------------------------------------------------------

    def export(self, kind: str, path: Path) -> Path:
        snapshot = self.team.snapshot if self.team else None
        if snapshot is None:
            raise ValueError("nothing to export yet")
        offline = self.team is not None and self.team.offline
        note = f"offline, figures from {moment(snapshot.fetched_at)}" if offline else ""
        if kind == "csv":
            return forecast_export.write_csv(snapshot.report, path)
        if kind == "xlsx":
            return forecast_export.write_xlsx(snapshot.report, path)
        return write_pdf(snapshot.report, path, note)

    def _export_dialog(self, kind: str) -> None:
        period = str(self.period or "")
        name, _ = QFileDialog.getSaveFileName(
            self, "Export forecast", f"forecast-{period}.{kind}", EXPORTS[kind]
        )
        if name:
            path = self.export(kind, Path(name))
            self._ctx.signals.message.emit(f"Exported {path.name}")


def _walk(node: ForecastNode) -> list[ForecastNode]:
    return [node, *(n for report in node.reports for n in _walk(report))]
