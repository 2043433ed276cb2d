"""The Insight page: four views of a person's figures (a manager's hierarchy, a rep's own),
each a chart and tables; drill from a team to a person, from a figure to the deals or
accounts behind it; export; the last views fetched are kept for offline use."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
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
from sfa_desktop.core.forecast_wire import DealList
from sfa_desktop.operations import insight, insight_export
from sfa_desktop.operations.insight import InsightRemote, InsightSnapshot, InsightView, Table
from sfa_desktop.ui.common.format import moment
from sfa_desktop.ui.common.widgets import heading
from sfa_desktop.ui.insight import insight_charts
from sfa_desktop.ui.insight.insight_charts import BarChart
from sfa_desktop.ui.insight.insight_pdf import write_pdf
from sfa_desktop.ui.insight.insight_table import InsightTable

LIVE_STYLE = "color: #137333; padding: 4px 8px;"
OFFLINE_STYLE = "background: #fef7e0; color: #7a4d00; padding: 4px 8px; border-radius: 4px;"
EXPORTS = {"csv": "CSV (*.csv)", "xlsx": "Excel workbook (*.xlsx)", "pdf": "PDF (*.pdf)"}
VIEWS = ("Forecast accuracy", "Back-test", "Coverage by grade", "Pipeline health")


class _ViewTab(QWidget):
    """A chart above a set of tables (one tab each)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.chart = BarChart()
        self.tables = {name: InsightTable() for name in names}
        self.tabs = QTabWidget()
        for name, table in self.tables.items():
            self.tabs.addTab(table, name)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.tabs)
        splitter.setSizes([260, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)


class InsightPage(QWidget):
    """Loads through the network pool; shows the views kept on this device when offline."""

    loaded = Signal()
    deals_loaded = Signal()
    open_account = Signal(str)
    open_deal = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.remote: InsightRemote | None = None
        self.view: InsightView | None = None
        self.trail: list[tuple[str | None, str]] = [(None, "")]  # (user id, name) viewed
        self._started = False
        self.crumbs = QLabel()
        self.back_button = QPushButton("◀ Back")
        self.back_button.clicked.connect(self.back)
        self.status = QLabel("Loading…")
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
        bar.addWidget(self.back_button)
        bar.addWidget(self.crumbs, 1)
        bar.addWidget(self.status)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)
        self.accuracy = _ViewTab(("People", "By quarter", "Deals won"))
        self.backtest = _ViewTab(("Snapshots", "People"))
        self.coverage = _ViewTab(("By grade", "People", "Out of line", "Accounts", "Trend"))
        self.pipeline = _ViewTab(("By stage", "People", "Slipping", "Win rate by quarter"))
        self.tabs = QTabWidget()
        for tab, name in zip(
            (self.accuracy, self.backtest, self.coverage, self.pipeline), VIEWS, strict=True
        ):
            self.tabs.addTab(tab, name)
            for table in tab.tables.values():
                table.drill.connect(self.drill)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Insight"))
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self._show_trail()

    # -- loading ---------------------------------------------------------------------------

    def set_remote(self, forecast_remote: Any) -> None:
        """Where the views come from: the signed-in account behind the forecast's remote."""
        self.remote = insight.remote_for(forecast_remote)
        if self._started:
            self.reload()

    def activate(self) -> None:
        if not self._started:
            self._started = True
            self.reload()

    @property
    def snapshot(self) -> InsightSnapshot | None:
        return self.view.snapshot if self.view else None

    def reload(self) -> None:
        user_id, remote = self.trail[-1][0], self.remote
        self.refresh_button.setEnabled(False)
        if remote is None:
            self._ctx.query(
                lambda store: insight.offline_view(store, user_id, "not signed in"), self._loaded
            )
        else:
            self._ctx.tasks.run_network(lambda: remote.load(user_id), self._loaded, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setText(f"Could not load: {error}")
        self.status.setStyleSheet(OFFLINE_STYLE)

    def _loaded(self, view: InsightView) -> None:
        self.refresh_button.setEnabled(True)
        self.view = view
        snapshot = view.snapshot
        self.export_button.setEnabled(snapshot is not None)
        if snapshot is None:
            self.status.setText(
                "Offline — not fetched yet for this person" if view.offline else "Nothing yet"
            )
        elif view.offline:
            self.status.setText(f"Offline — figures from {moment(snapshot.fetched_at)}")
        else:
            self.status.setText(f"Live · {moment(snapshot.fetched_at)}")
        self.status.setStyleSheet(OFFLINE_STYLE if view.offline else LIVE_STYLE)
        self.status.setToolTip(view.reason)
        if snapshot is not None:
            name = snapshot.accuracy.rows[0].name
            self.trail[-1] = (self.trail[-1][0], name)
            self._fill(snapshot)
        self._show_trail()
        self.loaded.emit()

    def _fill(self, snapshot: InsightSnapshot) -> None:
        currency = snapshot.accuracy.currency
        subject = snapshot.accuracy.rows[0].user_id
        a = self.accuracy.tables
        a["People"].show_table(insight.accuracy_people(snapshot), currency)
        a["By quarter"].show_table(insight.accuracy_periods(snapshot, subject), currency)
        insight_charts.show_accuracy(self.accuracy.chart, snapshot, subject)
        b = self.backtest.tables
        b["Snapshots"].show_table(insight.backtest_points(snapshot), currency)
        b["People"].show_table(insight.backtest_people(snapshot), currency)
        insight_charts.show_backtest(self.backtest.chart, snapshot)
        c = self.coverage.tables
        c["By grade"].show_table(insight.coverage_grades(snapshot), currency)
        c["People"].show_table(insight.coverage_people(snapshot), currency)
        c["Out of line"].show_table(insight.out_of_line(snapshot), currency)
        c["Accounts"].show_table(insight.grade_accounts(snapshot, None), currency)
        c["Trend"].show_table(insight.cost_trend(snapshot), currency)
        insight_charts.show_coverage(self.coverage.chart, snapshot)
        p = self.pipeline.tables
        p["By stage"].show_table(insight.pipeline_stages(snapshot), currency)
        p["People"].show_table(insight.pipeline_people(snapshot), currency)
        p["Slipping"].show_table(insight.slipping(snapshot), currency)
        p["Win rate by quarter"].show_table(insight.win_rate_trend(snapshot), currency)
        insight_charts.show_pipeline(self.pipeline.chart, snapshot)

    def _show_trail(self) -> None:
        names = [name or "You" for _, name in self.trail]
        self.crumbs.setText(" › ".join(names))
        self.back_button.setEnabled(len(self.trail) > 1)

    # -- drilling --------------------------------------------------------------------------

    def drill(self, kind: str, key: str) -> None:
        """Follow a row: a person's own figures, a grade's accounts, the deals won in a
        quarter, an account or a deal."""
        snapshot = self.snapshot
        if kind == "person" and snapshot is not None:
            if key != snapshot.accuracy.rows[0].user_id:
                self.show_person(key)
        elif kind == "grade" and snapshot is not None:
            table = self.coverage.tables["Accounts"]
            table.show_table(insight.grade_accounts(snapshot, key), snapshot.coverage.currency)
            self.coverage.tabs.setCurrentWidget(table)
        elif kind == "period":
            self.show_won(key)
        elif kind == "account":
            self.open_account.emit(key)
        elif kind == "deal":
            self.open_deal.emit(key)

    def show_person(self, user_id: str) -> None:
        self.trail.append((user_id, ""))
        self._show_trail()
        self.reload()

    def back(self) -> None:
        if len(self.trail) > 1:
            self.trail.pop()
            self.reload()

    def show_won(self, period: str) -> None:
        """The deals won in `period` by the person viewed (and everyone below them)."""
        remote, snapshot = self.remote, self.snapshot
        table = self.accuracy.tables["Deals won"]
        self.accuracy.tabs.setCurrentWidget(table)
        if remote is None or snapshot is None:
            empty = Table(f"Won in {period}: needs a connection to the server", (), [], [])
            table.show_table(empty, "")
            return
        user_id = snapshot.accuracy.rows[0].user_id
        currency = snapshot.accuracy.currency

        def shown(deals: DealList) -> None:
            table.show_table(insight.closed_deals(deals), currency)
            self.deals_loaded.emit()

        def failed(error: BaseException) -> None:
            table.show_table(Table(f"Won in {period}: {error}", (), [], []), currency)

        self._ctx.tasks.run_network(lambda: remote.closed_deals(period, user_id), shown, failed)

    # -- export ----------------------------------------------------------------------------

    def _export_dialog(self, kind: str) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        name = snapshot.accuracy.rows[0].name.lower().replace(" ", "-")
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export insight", f"insight-{name}.{kind}", EXPORTS[kind]
        )
        if chosen:
            written = self.export(Path(chosen), kind)
            self._ctx.signals.message.emit(f"Exported to {', '.join(p.name for p in written)}")

    def export(self, path: Path, kind: str) -> list[Path]:
        """Write every table of the four views (CSV: a file per table beside `path`)."""
        snapshot = self.snapshot
        assert snapshot is not None
        tables = insight.every_table(snapshot)
        currency = snapshot.accuracy.currency
        if kind == "csv":
            return insight_export.write_csv(tables, path)
        if kind == "xlsx":
            return [insight_export.write_xlsx(tables, path, currency)]
        title = f"Insight: {snapshot.accuracy.rows[0].name}, {moment(snapshot.fetched_at)}"
        return [write_pdf(title, tables, currency, path)]
