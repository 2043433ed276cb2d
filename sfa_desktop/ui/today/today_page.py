"""Today: events, tasks due or overdue, deals closing this month, A/B accounts behind plan.

Two columns when the page is wide enough for the lists' names, else one scrolling column.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QScrollArea, QTableView, QVBoxLayout, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.views import TodayOverview, today_overview
from sfa_desktop.store import Changes
from sfa_desktop.store.queries import CoverageGap
from sfa_desktop.ui.common import record_tables as cols
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import day, deal_name, label, long_day, money, time_of
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import Section, caption, fit_columns, heading, table
from sfa_desktop.ui.forecast.forecast_reminder import CallReminderCard

EVENTS: list[Column[Occurrence]] = [
    Column("Time", lambda o: "All day" if o.event.all_day else time_of(o.starts_at)),
    Column("Title", lambda o: o.event.title),
    Column("Where", lambda o: o.event.location),
    Column("Channel", lambda o: label(o.event.channel)),
]
BEHIND: list[Column[CoverageGap]] = [
    Column("Account", lambda g: g.account.name),
    Column("Grade", lambda g: g.account.grade or ""),
    Column(
        "Touches logged",
        lambda g: f"{g.report.actual_to_date} of {g.report.expected_to_date:.0f} planned",
        numeric=True,
    ),
]
# Below this width (the page's) the four lists go one under the other.
TWO_COLUMNS = 1000
# (title, row and column in two columns); the left column is the wider one.
LISTS = (
    ("Tasks due and overdue", 0, 0),
    ("Today's events", 0, 1),
    ("Opportunities closing this month", 1, 0),
    ("A/B accounts behind their coverage plan", 1, 1),
)
WATCHED = {
    EntityKind.EVENT,
    EntityKind.TASK,
    EntityKind.OPPORTUNITY,
    EntityKind.ACTIVITY,
    EntityKind.ACCOUNT,
    EntityKind.ACCOUNT_PLAN,
}


class TodayPage(QWidget):
    open_account = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.overview: TodayOverview | None = None
        self.title = heading("Today")
        self.subtitle = caption("")
        self.events = RecordListModel(EVENTS, self)
        self.tasks = RecordListModel(cols.TASKS, self)
        self.closing = RecordListModel(self._closing_columns(), self)
        self.behind = RecordListModel(BEHIND, self)
        self.sections: dict[str, Section] = {}
        self.views: dict[str, QTableView] = {}
        models: dict[str, QAbstractItemModel] = {
            "Tasks due and overdue": self.tasks,
            "Today's events": self.events,
            "Opportunities closing this month": self.closing,
            "A/B accounts behind their coverage plan": self.behind,
        }
        for name, model in models.items():
            view = self.views[name] = table(model)
            fit_columns(view, 0 if model in (self.closing, self.behind) else 1)
            self.sections[name] = Section(name, view)
        closing = self.views["Opportunities closing this month"]
        closing.verticalHeader().setDefaultSectionSize(42)  # deal over account
        closing.doubleClicked.connect(lambda i: self._open_closing(i.row()))
        behind = self.views["A/B accounts behind their coverage plan"]
        behind.doubleClicked.connect(lambda i: self._open_gap(i.row()))
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.two_columns: bool | None = None
        body = QWidget()
        body.setLayout(self.grid)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setWidget(body)
        self._arrange(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.call_card = CallReminderCard(ctx)  # the forecast call when due (issue 22)
        layout.addWidget(self.call_card)
        layout.addWidget(self.area, 1)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def _arrange(self, two_columns: bool) -> None:
        """Two columns (the left one wider) sharing the page's height, or one under the
        other, each list as tall as its rows (the page scrolls)."""
        if two_columns == self.two_columns:
            return
        self.two_columns = two_columns
        for position, (name, row, column) in enumerate(LISTS):
            section = self.sections[name]
            self.grid.removeWidget(section)
            if two_columns:
                self.grid.addWidget(section, row, column)
            else:
                self.grid.addWidget(section, position, 0)
        for index in range(len(LISTS)):
            wide = two_columns and index < 2
            self.grid.setColumnStretch(index, (3, 2)[index] if wide else 0)
            self.grid.setRowStretch(index, 1 if wide else 0)
        self.grid.setRowStretch(len(LISTS), 0 if two_columns else 1)
        self._fit_heights()

    def _fit_heights(self) -> None:
        """In one column, each list shows all its rows (at least two, at most twelve)."""
        for view in self.views.values():
            if self.two_columns:
                view.setMinimumHeight(0)
                view.setMaximumHeight(16_777_215)
                continue
            model = view.model()
            rows = min(max(model.rowCount() if model else 0, 2), 12)
            row_height = view.verticalHeader().defaultSectionSize()
            frame = 2 * view.frameWidth()
            scrollbar = view.horizontalScrollBar().sizeHint().height()
            header = view.horizontalHeader().sizeHint().height()
            view.setFixedHeight(header + rows * row_height + frame + scrollbar)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._arrange(event.size().width() >= TWO_COLUMNS)
        super().resizeEvent(event)

    def _account_name(self, opportunity: Opportunity) -> str:
        names = self.overview.account_names if self.overview else {}
        return names.get(opportunity.account_id, "")

    def _deal(self, opportunity: Opportunity) -> str:
        account = self._account_name(opportunity)
        return f"{deal_name(opportunity.name, account)}\n{account}"

    def _closing_columns(self) -> list[Column[Opportunity]]:
        return [
            Column("Opportunity and account", self._deal),
            Column("Close date", lambda o: day(o.close_date)),
            Column("Amount", lambda o: money(o.amount, o.currency), numeric=True),
            Column("Stage", lambda o: o.stage.label),
        ]

    def activate(self) -> None:
        if self.overview is None:
            self.reload()

    def reload(self) -> None:
        today = date.today()
        self._ctx.query(lambda store: today_overview(store, today), self._loaded)

    def _loaded(self, overview: TodayOverview) -> None:
        self.overview = overview
        self.title.setText(f"Today, {long_day(overview.day)}")
        overdue = sum(1 for t in overview.tasks if t.due_date and t.due_date < overview.day)
        total = sum(o.amount for o in overview.closing)
        currency = overview.closing[0].currency if overview.closing else DEFAULT_CORPORATE_CURRENCY
        self.subtitle.setText(
            f"{_count(len(overview.events), 'event')} · "
            f"{_count(len(overview.tasks), 'task')} due ({overdue} overdue) · "
            f"{money(total, currency)} closing this month · "
            f"{_count(len(overview.behind), 'account')} behind plan"
        )
        self.events.set_records(overview.events)
        self.tasks.set_records(overview.tasks)
        self.closing.set_records(overview.closing)
        self.behind.set_records(overview.behind)
        self._fit_heights()

    def _changes_applied(self, changes: Changes) -> None:
        if self.overview is not None and changes.kinds & WATCHED:
            self.reload()

    def _open_gap(self, row: int) -> None:
        gap = self.behind.record_at(row)
        if gap is not None:
            self.open_account.emit(gap.account.id)

    def _open_closing(self, row: int) -> None:
        deal = self.closing.record_at(row)
        if deal is not None:
            titles = {"account_id": self._account_name(deal)}
            open_form(self._ctx, Opportunity, deal, parent=self, titles=titles)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
