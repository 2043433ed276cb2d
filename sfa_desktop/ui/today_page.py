"""Today: events, tasks due or overdue, deals closing this month, A/B accounts behind plan."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractItemModel, Signal
from PySide6.QtWidgets import QGridLayout, QHeaderView, QVBoxLayout, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.operations.views import TodayOverview, today_overview
from sfa_desktop.store import Changes
from sfa_desktop.store.queries import CoverageGap
from sfa_desktop.ui import account_tables as cols
from sfa_desktop.ui.columns import Column
from sfa_desktop.ui.format import day, label, long_day, money, time_of
from sfa_desktop.ui.list_model import RecordListModel
from sfa_desktop.ui.widgets import Section, caption, fit_columns, heading, table

EVENTS: list[Column[Occurrence]] = [
    Column("Time", lambda o: "All day" if o.event.all_day else time_of(o.starts_at)),
    Column("Title", lambda o: o.event.title),
    Column("Where", lambda o: o.event.location),
    Column("Channel", lambda o: label(o.event.channel)),
]
BEHIND: list[Column[CoverageGap]] = [
    Column("Account", lambda g: g.account.name),
    Column("Grade", lambda g: g.account.grade or ""),
    Column("Expected", lambda g: f"{g.report.expected_to_date:.0f}", numeric=True),
    Column("Logged", lambda g: str(g.report.actual_to_date), numeric=True),
]
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
        grid = QGridLayout()
        grid.setSpacing(12)
        lists: list[tuple[str, QAbstractItemModel]] = [
            ("Today's events", self.events),
            ("Tasks due and overdue", self.tasks),
            ("Opportunities closing this month", self.closing),
            ("A/B accounts behind their coverage plan", self.behind),
        ]
        for position, (name, model) in enumerate(lists):
            view = table(model)
            fit_columns(view, 0 if position in (2, 3) else 1)
            if model is self.closing:
                view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
                view.setColumnWidth(1, 170)
            if model is self.behind:
                view.doubleClicked.connect(lambda i: self._open_gap(i.row()))
            if model is self.closing:
                view.doubleClicked.connect(lambda i: self._open_closing(i.row()))
            section = Section(name, view)
            self.sections[name] = section
            grid.addWidget(section, position // 2, position % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(grid, 1)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def _account_name(self, opportunity: Opportunity) -> str:
        names = self.overview.account_names if self.overview else {}
        return names.get(opportunity.account_id, "")

    def _closing_columns(self) -> list[Column[Opportunity]]:
        return [
            Column("Opportunity", lambda o: o.name),
            Column("Account", self._account_name),
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
        currency = overview.closing[0].currency if overview.closing else "EUR"
        self.subtitle.setText(
            f"{len(overview.events)} events · "
            f"{len(overview.tasks)} tasks due ({overdue} overdue) · "
            f"{money(total, currency)} closing this month · "
            f"{len(overview.behind)} accounts behind plan"
        )
        self.events.set_records(overview.events)
        self.tasks.set_records(overview.tasks)
        self.closing.set_records(overview.closing)
        self.behind.set_records(overview.behind)

    def _changes_applied(self, changes: Changes) -> None:
        if self.overview is not None and changes.kinds & WATCHED:
            self.reload()

    def _open_gap(self, row: int) -> None:
        gap = self.behind.record_at(row)
        if gap is not None:
            self.open_account.emit(gap.account.id)

    def _open_closing(self, row: int) -> None:
        opportunity = self.closing.record_at(row)
        if opportunity is not None:
            self.open_account.emit(opportunity.account_id)
