"""Accounts the planner cannot place: pin one, or place them all at their city's centre."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import EntityKind, LocationSource
from sfa_desktop.core.rules.geo import Point
from sfa_desktop.operations.locate import Located, locate_by_city, not_located, pin_account
from sfa_desktop.store import Changes
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.location_dialog import LocationDialog
from sfa_desktop.ui.common.widgets import caption, fit_columns, fit_to_screen, heading, table

COLUMNS: list[Column[Account]] = [
    Column("Account", lambda a: a.name),
    Column("Grade", lambda a: a.grade or ""),
    Column("City", lambda a: a.city),
    Column("Country", lambda a: a.country),
]


class NotLocatedDialog(QDialog):
    """The rep's accounts without coordinates; double-click opens the account."""

    open_account = Signal(str)

    def __init__(self, ctx: AppContext, fiscal_year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._year = fiscal_year
        self.setWindowTitle("Accounts not located")
        fit_to_screen(self, 720, 480)
        self.model: RecordListModel[Account] = RecordListModel(COLUMNS, self)
        self.table = table(self.model)
        fit_columns(self.table, 0)
        self.table.doubleClicked.connect(self._open)
        self.count = caption("")
        self.outcome = caption("")
        self.by_city = QPushButton("Locate all by city")
        self.by_city.setToolTip("Put each account at its city's centre (offline gazetteer)")
        self.by_city.clicked.connect(self.locate_all)
        pin = QPushButton("Pin…")
        pin.clicked.connect(self.pin_selected)
        row = QHBoxLayout()
        row.addWidget(self.by_city)
        row.addWidget(pin)
        row.addStretch()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Accounts not located", 13))
        layout.addWidget(
            caption(
                "The visit planner leaves these accounts out (it suggests a call instead) "
                "until they have a place on the map."
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        ctx.signals.changes_applied.connect(self._changes_applied)
        self.reload()

    def reload(self) -> None:
        year = self._year
        self._ctx.query(lambda s: not_located(s, year), self._listed)

    def _listed(self, accounts: list[Account]) -> None:
        self.model.set_records(accounts)
        self.by_city.setEnabled(bool(accounts))
        self.count.setText(
            f"{len(accounts)} account{'s' * (len(accounts) != 1)} without a place"
            if accounts
            else "Every account has a place."
        )
        if accounts:
            self.table.selectRow(0)

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record_at(rows[0].row()) if rows else None

    def locate_all(self) -> None:
        ids = [a.id for a in self.model.records()]
        self.by_city.setEnabled(False)
        self.outcome.setText("Looking the cities up…")
        self._ctx.run_op(lambda s: locate_by_city(s, ids), self._located)

    def _located(self, located: Located) -> None:
        text = f"Placed {located.placed} at their city's centre (Ctrl+Z undoes)."
        if located.unknown:
            names = ", ".join(located.unknown[:5]) + (" …" if len(located.unknown) > 5 else "")
            text += f" No town found for {len(located.unknown)}: {names}. Pin them by hand."
        self.outcome.setText(text)

    def pin_selected(self) -> LocationDialog | None:
        account = self.selected()
        if account is None:
            return None
        dialog = LocationDialog(
            self._ctx,
            f"Location of {account.name}",
            None,
            account.city,
            account.country,
            parent=self,
        )
        account_id = account.id
        dialog.located.connect(lambda point, source: self._pin(account_id, point, source))
        dialog.show()
        return dialog

    def _pin(self, account_id: str, point: Point | None, source: LocationSource | None) -> None:
        chosen = source or LocationSource.PIN
        self._ctx.run_op(lambda s: pin_account(s, account_id, point, chosen))

    def _open(self, index: QModelIndex) -> None:
        account = self.model.record_at(index.row())
        if account is not None:
            self.open_account.emit(account.id)

    def _changes_applied(self, changes: Changes) -> None:
        if EntityKind.ACCOUNT in changes.kinds:
            self.reload()
