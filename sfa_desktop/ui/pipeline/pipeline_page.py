"""Pipeline: the board by stage (drag to change stage) or a filtered table, per owner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Opportunity, User
from sfa_desktop.core.enums import EntityKind, ForecastCategory, Stage
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.core.rules.deal_health import close_flag
from sfa_desktop.operations.pipeline import board, move_stage
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.pipeline import OpportunityFilter, PipelineCard
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.custom_columns import CustomColumns
from sfa_desktop.ui.common.format import day, deal_category, deal_name, label, money
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.id_model import AccountNames, IdsQuery, IdTableModel
from sfa_desktop.ui.common.widgets import (
    TOGGLE_STYLE,
    MoneyBox,
    caption,
    fit_lazy_columns,
    heading,
    table,
)
from sfa_desktop.ui.pipeline.pipeline_board import FLAG_COLOURS, PipelineBoard

WATCHED = {EntityKind.OPPORTUNITY, EntityKind.ACTIVITY, EntityKind.ACCOUNT, EntityKind.STAGE_CHANGE}


def table_columns(
    today: Callable[[], date], accounts: AccountNames | None = None
) -> list[Column[Opportunity]]:
    """The table's columns; with `accounts`, an Account column and names without it."""

    def flag_colour(o: Opportunity) -> str | None:
        flag = close_flag(o, today())
        return FLAG_COLOURS[flag] if flag else None

    names = accounts or AccountNames()
    return [
        Column("Opportunity", lambda o: deal_name(o.name, names.of(o)), sort="name"),
        Column("Account", names.of),
        Column("Stage", lambda o: o.stage.label, sort="stage"),
        Column("Amount", lambda o: money(o.amount, o.currency), "amount", True),
        Column("Prob.", lambda o: f"{o.probability}%", "probability", True),
        Column("Weighted", lambda o: money(o.weighted_amount, o.currency), numeric=True),
        Column("Close date", lambda o: day(o.close_date), "close_date", colour=flag_colour),
        Column("Category", deal_category, "forecast_category"),
    ]


def period_choices(today: date) -> list[tuple[str, Period | None]]:
    month = Period.containing(today, PeriodKind.MONTH)
    quarter = Period.containing(today, PeriodKind.QUARTER)
    return [
        ("Any close date", None),
        ("This month", month),
        ("Next month", month.next()),
        ("This quarter", quarter),
        ("Next quarter", quarter.next()),
    ]


class PipelinePage(QWidget):
    def __init__(self, ctx: AppContext, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self._ctx = ctx
        self._today = today
        self.loaded = False
        self._generation = 0
        self.board = PipelineBoard(today)
        self.board.stage_dropped.connect(self.move_deal)
        self.board.open_requested.connect(self.open_card)
        self.owner = QComboBox()
        self.owner.addItem("Everyone", None)
        self.owner.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.owner.currentIndexChanged.connect(self._refilter)
        self.period = QComboBox()
        for text, period in period_choices(today()):
            self.period.addItem(text, period)
        self.category = QComboBox()
        self.category.addItem("Any category", None)
        for category in ForecastCategory:
            text = label(category)
            if category is ForecastCategory.OMITTED:
                text += " (and lost)"  # closed-lost deals are never forecast
            self.category.addItem(text, category)
        self.min_amount, self.max_amount = MoneyBox(), MoneyBox()  # reads like amounts shown
        for spin, text in ((self.min_amount, "Min amount"), (self.max_amount, "Max amount")):
            spin.setSpecialValueText(text)
            spin.setMinimumWidth(130)
            spin.valueChanged.connect(self._refilter)
        self.period.currentIndexChanged.connect(self._refilter)
        self.category.currentIndexChanged.connect(self._refilter)
        self.accounts = AccountNames()
        self.model: IdTableModel[Opportunity] = IdTableModel(
            ctx,
            Opportunity,
            table_columns(today, self.accounts),
            self._query(),
            "close_date",
            self,
            accounts=self.accounts,
        )
        self.table = table(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)
        fit_lazy_columns(self.table)
        self.custom = CustomColumns(
            self.table, self.model, EntityKind.OPPORTUNITY, self.model.columns
        )
        self.custom.filters_changed.connect(self._refilter)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.stack = QStackedWidget()
        self.stack.addWidget(self._board_box())
        self.stack.addWidget(self._table_box())
        self.views = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.addWidget(heading("Pipeline"))
        bar.addStretch()
        bar.addWidget(self.owner)
        bar.addSpacing(12)
        for index, text in enumerate(("Board", "Table")):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(index == 0)
            button.setStyleSheet(TOGGLE_STYLE)
            button.setMinimumWidth(70)
            button.clicked.connect(lambda _=False, i=index: self.show_view(i))
            self.views.addButton(button, index)
            bar.addWidget(button)
        new = QPushButton("New opportunity")
        new.clicked.connect(lambda: open_form(ctx, Opportunity, parent=self))
        bar.addSpacing(12)
        bar.addWidget(new)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        ctx.signals.changes_applied.connect(self._changes_applied)
        ctx.settings.changed.connect(self._setting_changed)

    def _board_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.board, 1)
        self.legend = caption("")
        column.addWidget(self.legend)
        return box

    def _table_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        for widget in (
            self.period,
            self.category,
            self.min_amount,
            self.max_amount,
            self.custom.button,
        ):
            filters.addWidget(widget)
        filters.addStretch()
        self.count = QLabel()
        self.count.setStyleSheet("color: #5f6368;")
        filters.addWidget(self.count)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        self.model.reloaded.connect(
            lambda: self.count.setText(f"{self.model.rowCount():,} opportunities")
        )
        return box

    # -- loading ---------------------------------------------------------------------------------

    def activate(self) -> None:
        if not self.loaded:
            self.loaded = True
            self._ctx.query(
                lambda s: (s.users(), s.current_user_id()), lambda found: self._users(*found)
            )
            self.model.activate()

    def _users(self, users: list[User], me: str | None) -> None:
        self.owner.blockSignals(True)
        for user in users:
            self.owner.addItem(user.name, user.id)
        self.owner.setCurrentIndex(max(0, self.owner.findData(me)))
        self.owner.blockSignals(False)
        self._refilter()

    def show_view(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.views.button(index).setChecked(True)

    def filter(self) -> OpportunityFilter:
        period = self.period.currentData()
        low, high = self.min_amount.value(), self.max_amount.value()
        category = self.category.currentData()
        return OpportunityFilter(
            owner_id=self.owner.currentData(),
            close_from=period.start if period else None,
            close_to=period.end if period else None,
            category=ForecastCategory(category) if category else None,
            min_amount=round(low * 100) if low else None,
            max_amount=round(high * 100) if high else None,
            custom=self.custom.filters() if hasattr(self, "custom") else (),
        )

    def _query(self) -> IdsQuery:
        where = self.filter() if hasattr(self, "min_amount") else OpportunityFilter()
        return lambda store, sort, desc: store.opportunity_ids(where, sort, desc)

    def _refilter(self) -> None:
        self.model.set_query(self._query())
        self.reload()

    def reload(self) -> None:
        if not self.loaded:
            return
        self._generation += 1
        generation, owner = self._generation, self.owner.currentData()
        self._ctx.query(lambda s: board(s, owner), lambda cards: self._show(generation, cards))

    def _show(self, generation: int, cards: list[PipelineCard]) -> None:
        if generation != self._generation:
            return
        days = int(self._ctx.settings["stale_days"])
        self.board.set_cards(cards, days)
        self.legend.setText(
            "Red edge: close date passed · amber edge: closes this month · "
            f"yellow card: no stage change or activity for {days} days · "
            "drag a card to change its stage, double-click to edit"
        )

    def _setting_changed(self, name: str, _value: object) -> None:
        if name == "stale_days":
            self.reload()

    def _changes_applied(self, changes: Changes) -> None:
        if self.loaded and changes.kinds & WATCHED:
            self.reload()

    # -- actions ---------------------------------------------------------------------------------

    def move_deal(self, opportunity_id: str, stage: Stage) -> None:
        self._ctx.run_op(lambda s: move_stage(s, opportunity_id, stage))

    def open_card(self, card: PipelineCard) -> None:
        open_form(
            self._ctx,
            Opportunity,
            card.opportunity,
            parent=self,
            titles={"account_id": card.account_name},
        )

    def show_deal(self, opportunity_id: str) -> None:
        """Open one deal's form (from search), its card selected on the board."""
        self.activate()
        self.board.selected = opportunity_id
        self.board.update()

        def find(store: Store) -> tuple[Opportunity, str]:
            deal = store.get(Opportunity, opportunity_id)
            return deal, store.get(Account, deal.account_id).name

        def show(found: tuple[Opportunity, str]) -> None:
            deal, account = found
            open_form(self._ctx, Opportunity, deal, parent=self, titles={"account_id": account})

        self._ctx.query(find, show)

    def open_row(self, row: int) -> None:
        record = self.model.record_at(row)
        if record is None:
            return

        def account_name(store: Store) -> str:
            return store.get(Account, record.account_id).name

        def show(name: str) -> None:
            open_form(self._ctx, Opportunity, record, parent=self, titles={"account_id": name})

        self._ctx.query(account_name, show)
