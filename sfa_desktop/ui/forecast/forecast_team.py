"""The manager's view: the team tree, the deals behind a cell, adjustments, the team call,
moves, each person's trend, exports."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.errors import NotFound
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    DealList,
    ForecastNode,
)
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.operations import forecast_export
from sfa_desktop.operations.forecast import adjust_offline
from sfa_desktop.operations.forecast_drill import local_deal_list
from sfa_desktop.operations.forecast_team import calls_due, converted_note, left_out_notes
from sfa_desktop.sync.errors import AuthenticationRequired, Offline
from sfa_desktop.sync.forecast_client import (
    ForecastRemote,
    TeamForecast,
    TeamSnapshot,
    cached_snapshot,
    subtree,
)
from sfa_desktop.sync.retry import TransientFailure
from sfa_desktop.ui.common.format import moment, money
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.frozen_tree import FrozenNameTree
from sfa_desktop.ui.common.widgets import caption
from sfa_desktop.ui.forecast.forecast_adjust import AdjustPanel
from sfa_desktop.ui.forecast.forecast_call import TeamCallPanel
from sfa_desktop.ui.forecast.forecast_chart import TrendChart
from sfa_desktop.ui.forecast.forecast_deals_view import DealsPanel
from sfa_desktop.ui.forecast.forecast_moves import MovesPanel
from sfa_desktop.ui.forecast.forecast_pdf import write_pdf
from sfa_desktop.ui.forecast.forecast_tree import CATEGORY_COLUMNS, ForecastTreeModel

LIVE_STYLE = "color: #137333; padding: 4px 8px;"
OFFLINE_STYLE = "background: #fef7e0; color: #7a4d00; padding: 4px 8px; border-radius: 4px;"
WARNING_STYLE = "background: #fce8e6; color: #a50e0e; padding: 4px 8px; border-radius: 4px;"
NAME_WIDTH = 110  # the frozen name column at least
EXPORTS = {"csv": "CSV (*.csv)", "xlsx": "Excel workbook (*.xlsx)", "pdf": "PDF (*.pdf)"}
DealRequest = tuple[str, ForecastCategory | None]  # (user id, category) of the shown deals


class TeamForecastView(QWidget):
    """Reads the team forecast through the network pool; shows the cached one when offline."""

    loaded = Signal()
    deals_loaded = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.remote: ForecastRemote | None = None
        self.period: Period | None = None
        self.team: TeamForecast | None = None
        self._deals_for: DealRequest | None = None
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
        self.warning = QLabel()  # amounts left out for want of a rate
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.notes = caption("")  # converted currencies, calls due
        self.model = ForecastTreeModel(self)
        self.tree = self._tree()
        self.deals = DealsPanel()
        self.deals.open_deal.connect(self.open_deal)
        self.adjust = AdjustPanel()
        self.adjust.adjust_requested.connect(self.submit_adjustment)
        self.call = TeamCallPanel(ctx)
        self.call.submitted.connect(lambda _: self.reload())
        self.moves = MovesPanel()
        self.chart = TrendChart()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.deals, "Deals")
        self.tabs.addTab(self.adjust, "Adjust && audit trail")
        self.tabs.addTab(self.call, "Team call")
        self.tabs.addTab(self.moves, "Moves")
        self.tabs.addTab(self.chart, "Trend")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.tabs)
        splitter.setSizes([240, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.warning)
        layout.addWidget(self.notes)
        layout.addWidget(splitter, 1)

    def _tree(self) -> FrozenNameTree:
        tree = FrozenNameTree(self.model)
        tree.selectionModel().currentChanged.connect(lambda index, _: self._selected(index))
        return tree

    @property
    def snapshot(self) -> TeamSnapshot | None:
        return self.team.snapshot if self.team else None

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
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0) + 12, NAME_WIDTH))
        self.tree.refreeze()
        self.moves.show_moves(snapshot.moves if snapshot else None)
        root = snapshot.report.root if snapshot else None
        if self.period is not None:
            currency = snapshot.report.currency if snapshot else DEFAULT_CORPORATE_CURRENCY
            self.call.show_team(root, self.period, currency)
        self._deals_for = None
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
        self.status.setToolTip(team.reason)
        root = snapshot.report.root if snapshot else None
        warnings = left_out_notes(root) if root else []
        self.warning.setText("\n".join(f"⚠ {line}." for line in warnings))
        self.warning.setVisible(bool(warnings))
        notes = []
        if snapshot is not None and root is not None:
            converted = converted_note(root, snapshot.report.currency)
            notes += [converted] if converted else []
            due = [node.name for node in calls_due(root)]
            if due:
                notes.append(f"Call due from {', '.join(due)}.")
        self.notes.setText(" ".join(notes))
        self.notes.setVisible(bool(notes))

    # -- the selected person ---------------------------------------------------------------

    def selected_node(self) -> ForecastNode | None:
        return self.model.node(self.tree.currentIndex())

    def _selected(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        snapshot = self.snapshot
        if snapshot is None or self.period is None or node is None:
            self.deals.show_deals("No forecast to drill into.", None)
            self.adjust.show_node(
                None, None, [], {}, str(self.period or ""), DEFAULT_CORPORATE_CURRENCY
            )
            self.chart.set_history(None, DEFAULT_CORPORATE_CURRENCY, "")
            return
        root = snapshot.report.root
        names = {n.user_id: n.name for n in subtree(root)}
        currency = snapshot.report.currency
        entries = snapshot.audits.get(node.user_id, [])
        self.adjust.show_node(node, root, entries, names, str(self.period), currency)
        self.chart.set_history(snapshot.history_of(node.user_id), currency, node.name)
        self.show_deals(node, CATEGORY_COLUMNS.get(index.column()))

    # -- the deals behind a cell -----------------------------------------------------------

    def show_deals(self, node: ForecastNode, category: ForecastCategory | None) -> None:
        """Fill the Deals tab with the deals of `node`'s subtree in `category` (None: all),
        from the server; from this device's store when the server cannot be reached."""
        request = (node.user_id, category)
        if request == self._deals_for or self.period is None:
            return
        self._deals_for = request
        period, remote = self.period, self.remote
        title = _deals_title(node, category, period)
        if remote is None:
            self._local_deals(node, category, title, "not signed in")
            return

        def shown(deals: DealList) -> None:
            if self._deals_for == request:
                self.deals.show_deals(title, deals)
                self.deals_loaded.emit()

        def failed(error: BaseException) -> None:
            if self._deals_for != request:
                return
            if isinstance(error, Offline | TransientFailure | AuthenticationRequired):
                self._local_deals(node, category, title, str(error))
            else:
                self.deals.show_deals(title, None, f"Could not load the deals: {error}")
                self.deals_loaded.emit()

        self._ctx.tasks.run_network(
            lambda: remote.deals(str(period), node.user_id, category), shown, failed
        )

    def _local_deals(
        self, node: ForecastNode, category: ForecastCategory | None, title: str, why: str
    ) -> None:
        period, request = self.period, (node.user_id, category)
        snapshot = self.snapshot
        currency = snapshot.report.currency if snapshot else DEFAULT_CORPORATE_CURRENCY
        assert period is not None
        note = (
            "Offline: the deals on this device as last synced, not the server's list; other"
            " currencies converted by the rates last fetched."
        )

        def shown(deals: DealList) -> None:
            if self._deals_for == request:
                self.deals.show_deals(title, deals, note)
                self.deals.note.setToolTip(why)
                self.deals_loaded.emit()

        today = date.today()
        self._ctx.query(
            lambda store: local_deal_list(store, node, period, category, currency, today), shown
        )

    def open_deal(self, deal_id: str, account_name: str) -> None:
        """Open a deal's form, when the deal is on this device."""

        def show(deal: Opportunity) -> None:
            open_form(
                self._ctx, Opportunity, deal, parent=self, titles={"account_id": account_name}
            )

        def missing(error: BaseException) -> None:
            if not isinstance(error, NotFound):
                raise error
            self._ctx.signals.message.emit(
                "That deal is not on this device yet: sync, then open it."
            )

        self._ctx.query(lambda store: store.get(Opportunity, deal_id), show, missing)

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

    def export(self, kind: str, path: Path) -> list[Path]:
        """Write the tree and the team's deals; the files written (CSV: two)."""
        snapshot = self.snapshot
        if snapshot is None:
            raise ValueError("nothing to export yet")
        offline = self.team is not None and self.team.offline
        note = f"offline, figures from {moment(snapshot.fetched_at)}" if offline else ""
        if kind == "csv":
            return forecast_export.write_csv(snapshot.report, path, snapshot.deals)
        if kind == "xlsx":
            return [forecast_export.write_xlsx(snapshot.report, path, snapshot.deals)]
        return [write_pdf(snapshot.report, path, note, snapshot.deals)]

    def _export_dialog(self, kind: str) -> None:
        period = str(self.period or "")
        name, _ = QFileDialog.getSaveFileName(
            self, "Export forecast", f"forecast-{period}.{kind}", EXPORTS[kind]
        )
        if name:
            paths = self.export(kind, Path(name))
            self._ctx.signals.message.emit(f"Exported {' and '.join(p.name for p in paths)}")


def _deals_title(node: ForecastNode, category: ForecastCategory | None, period: Period) -> str:
    what = f"{category.value.replace('_', ' ').capitalize()} deals" if category else "All deals"
    whose = f"{node.name}'s team" if node.reports else node.name
    return f"{what} of {whose}, {period}"
