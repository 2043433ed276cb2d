"""The Moves tab of the manager's view: deals that moved since last week's snapshot, per rep."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from sfa_desktop.core.forecast_wire import MoveList
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.operations.forecast_drill import MoveRow, move_rows
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import moment, money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import caption, fit_columns, table

Index = QModelIndex | QPersistentModelIndex
KINDS = {
    "in": "New in the period",
    "out": "Out of the period",
    "won": "Won",
    "lost": "Lost",
    "stage": "Stage",
    "category": "Category",
    "amount": "Amount",
    "slipped": "Slipped",
    "pulled in": "Pulled in",
}


def _change(amount: int, currency: str) -> str:
    if amount == 0:
        return "—"
    sign = "+" if amount > 0 else "−"
    return sign + money(abs(amount), currency)


def move_columns(currency: str) -> list[Column[MoveRow]]:
    def first(row: MoveRow) -> str:
        if row.move is None:
            return f"{row.owner} — {row.count} move{'' if row.count == 1 else 's'}"
        return KINDS.get(row.move.kind, row.move.kind.capitalize())

    return [
        Column("Rep / move", first),
        Column("Deal", lambda r: r.move.name if r.move else ""),
        Column("Before", lambda r: r.move.before if r.move else ""),
        Column("After", lambda r: r.move.after if r.move else ""),
        Column("Pipeline change", lambda r: _change(r.amount_change, currency), numeric=True),
    ]


class MoveRowModel(RecordListModel[MoveRow]):
    """Move rows with each rep's heading line in bold."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.record_at(index.row()) if index.isValid() else None
        if row is not None and row.kind == "owner":
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor("#f1f3f4")
        return super().data(index, role)


class MovesPanel(QWidget):
    """In, out, won, lost, stage, category, amount and close-date moves, grouped per rep."""

    def __init__(self) -> None:
        super().__init__()
        self.title = caption("")
        self.model = MoveRowModel(move_columns(DEFAULT_CORPORATE_CURRENCY), self)
        self.view = table(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def show_moves(self, moves: MoveList | None) -> None:
        if moves is None or moves.since is None:
            self.title.setText("No weekly snapshot yet: moves show from the week after the first.")
            rows: list[MoveRow] = []
        else:
            rows = move_rows(moves)
            count = sum(1 for row in rows if row.move is not None)
            self.title.setText(
                f"{count} move{'' if count == 1 else 's'} since the snapshot of "
                f"{moment(moves.since)} (last week's), per rep; pipeline change in "
                f"{moves.currency}."
            )
        currency = moves.currency if moves is not None else DEFAULT_CORPORATE_CURRENCY
        previous, self.model = self.model, MoveRowModel(move_columns(currency), self)
        self.model.set_records(rows)
        self.view.setModel(self.model)
        previous.deleteLater()
        fit_columns(self.view, 3)
