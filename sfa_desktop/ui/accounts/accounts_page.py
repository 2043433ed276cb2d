"""Accounts: a filterable, sortable list (ids sorted in SQL, rows paged in) and the 360° view."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.custom_fields import CustomFilter
from sfa_desktop.ui.accounts.account_view import AccountView
from sfa_desktop.ui.common.activity_dialog import Focus
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.custom_columns import CustomColumns
from sfa_desktop.ui.common.format import money
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.id_model import IdsQuery, IdTableModel
from sfa_desktop.ui.common.widgets import ListDetailSplitter, fit_lazy_columns, heading, table
from sfa_desktop.ui.imports.import_launch import import_button

COLUMNS: list[Column[Account]] = [
    Column("Name", lambda a: a.name, sort="name"),
    Column("Grade", lambda a: a.grade or "", sort="grade"),
    Column("City", lambda a: a.city, sort="city"),
    Column(
        "Potential", lambda a: money(a.potential_revenue, a.currency), "potential_revenue", True
    ),
]


def accounts_query(text: str, grade: str | None, custom: tuple[CustomFilter, ...] = ()) -> IdsQuery:
    return lambda store, sort, desc: store.account_ids(text, grade, sort, desc, custom)


# What the account's side needs for its action buttons and six tabs (a 1024-pixel window
# leaves the list its names).
VIEW_WIDTH = 530


class AccountsPage(QWidget):
    """The account list on the left, the selected account's 360° view on the right."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name or city")
        self.filter.setClearButtonEnabled(True)
        self.grade = QComboBox()
        self.grade.addItem("All grades", None)
        for grade in "ABCDE":
            self.grade.addItem(f"Grade {grade}", grade)
        self.count = QLabel()
        self.count.setStyleSheet("color: #5f6368;")
        new = QPushButton("New account")
        new.clicked.connect(self.new_account)
        self.model: IdTableModel[Account] = IdTableModel(
            ctx, Account, COLUMNS, accounts_query("", None), "name", self
        )
        self.list = table(self.model)
        self.list.setSortingEnabled(True)
        self.list.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        fit_lazy_columns(self.list)
        self.custom = CustomColumns(self.list, self.model, EntityKind.ACCOUNT, COLUMNS)
        self.custom.filters_changed.connect(self._refilter)
        self.view = AccountView(ctx)
        self.view.open_account.connect(self.show_account)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._refilter)
        self.filter.textChanged.connect(self._debounce.start)
        self.grade.currentIndexChanged.connect(self._refilter)
        self.list.selectionModel().selectionChanged.connect(self._selected)
        self.model.reloaded.connect(self._reloaded)

        bar = QHBoxLayout()
        bar.addWidget(heading("Accounts"))
        bar.addStretch()
        bar.addWidget(import_button(ctx, EntityKind.ACCOUNT, self))
        bar.addWidget(new)
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.grade)
        tools.addWidget(self.custom.button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(tools)
        left_layout.addWidget(self.list)
        left_layout.addWidget(self.count)
        splitter = ListDetailSplitter(VIEW_WIDTH, most=520)  # all the list's columns at 1280
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def focus(self) -> Focus:
        return self.view.focus()

    def show_account(self, account_id: str) -> None:
        """Show an account in the 360° view, selecting it in the list when it is there."""
        self.activate()
        row = self.model.row_of(account_id)
        if row >= 0:
            self.list.selectRow(row)
            self.list.scrollTo(self.model.index(row, 0))
        self.view.show_account(account_id)

    def new_account(self) -> None:
        def created(account: object) -> None:
            if isinstance(account, Account):
                self.view.show_account(account.id)

        open_form(self._ctx, Account, parent=self, done=created)

    def _refilter(self) -> None:
        self.model.set_query(
            accounts_query(self.filter.text(), self.grade.currentData(), self.custom.filters())
        )

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        account_id = self.model.id_at(rows[0].row()) if rows else None
        if account_id and account_id != self.view.account_id:
            self.view.show_account(account_id)

    def _reloaded(self) -> None:
        self.count.setText(f"{self.model.rowCount():,} accounts")
        current = self.view.account_id
        row = self.model.row_of(current) if current else -1
        if row >= 0:
            self.list.selectRow(row)
        elif current is None and self.model.rowCount():
            self.list.selectRow(0)

    def activate(self) -> None:
        """Load the list the first time the page is shown."""
        self.model.activate()
