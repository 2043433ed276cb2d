"""The Deals tab of the manager's view: the deals behind the clicked cell, grouped per
owner with subtotals and a total; double-click opens a deal."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from sfa_desktop.core.forecast_wire import DealList
from sfa_desktop.operations.forecast_drill import DealRow, deal_rows
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import day, money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import caption, fit_columns, table

OVERDUE_COLOUR = "#b3261e"
NOTE_STYLE = "background: #fef7e0; color: #7a4d00; padding: 4px 8px; border-radius: 4px;"
Index = QModelIndex | QPersistentModelIndex


def _owner(row: DealRow) -> str:
    if row.kind == "total":
        return "Total"
    return f"{row.owner} — subtotal" if row.kind == "subtotal" else row.owner


def _deal(row: DealRow) -> str:
    if row.deal is not None:
        return row.deal.name
    return f"{row.count} deal{'' if row.count == 1 else 's'}"


def _close(row: DealRow) -> str:
    if row.deal is None:
        return ""
    text = day(row.deal.close_date)
    return f"{text} · overdue" if row.deal.overdue else text


def _amount(row: DealRow) -> str:
    """The amount in the list's currency; the deal's own amount beside it when converted."""
    deal = row.deal
    if deal is None:
        return money(row.amount or 0, row.currency)
    original = money(deal.original_amount, deal.original_currency)
    if row.amount is None:
        return f"{original}: no rate, not counted"
    text = money(row.amount, row.currency)
    return f"{text} (from {original})" if row.converted else text


DEAL_COLUMNS: list[Column[DealRow]] = [
    Column("Owner", _owner),
    Column("Deal", _deal),
    Column("Account", lambda r: r.deal.account_name if r.deal else ""),
    Column("Stage", lambda r: r.deal.stage if r.deal else ""),
    Column("Category", lambda r: r.deal.category.value.replace("_", " ") if r.deal else ""),
    Column(
        "Close date",
        _close,
        colour=lambda r: OVERDUE_COLOUR if r.deal is not None and r.deal.overdue else None,
    ),
    Column("Amount", _amount, numeric=True),
]


class DealRowModel(RecordListModel[DealRow]):
    """Deal rows, with owners' subtotals and the total in bold on a shaded line."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(DEAL_COLUMNS, parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.record_at(index.row()) if index.isValid() else None
        if row is not None and row.kind != "deal":
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor("#e8eaed" if row.kind == "total" else "#f1f3f4")
        return super().data(index, role)


class DealsPanel(QWidget):
    """What the clicked cell is made of, from the server (or this device when offline)."""

    open_deal = Signal(str, str)  # deal id, account name

    def __init__(self) -> None:
        super().__init__()
        self.title = caption("Click a figure in the tree to see the deals behind it.")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        self.model = DealRowModel(self)
        self.view = table(self.model)
        fit_columns(self.view, 1)
        self.view.doubleClicked.connect(self._open)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

    def show_deals(self, title: str, deals: DealList | None, note: str = "") -> None:
        """Fill the table; `note` says where the deals come from when not the server."""
        self.title.setText(title)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.model.set_records(deal_rows(deals) if deals is not None else [])

    def _open(self, index: QModelIndex) -> None:
        row = self.model.record_at(index.row())
        if row is not None and row.deal is not None:
            self.open_deal.emit(row.deal.id, row.deal.account_name)
