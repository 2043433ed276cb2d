"""A small read-only table of one insight `Table`, values formatted by their kind."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from sfa_desktop.operations.insight import DAYS, MONEY, NUMBER, SHARE, Table
from sfa_desktop.ui.common.format import money

KEY_ROLE = Qt.ItemDataRole.UserRole


def text_of(kind: str, value: Any, currency: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == MONEY:
        return money(int(value), currency)
    if kind == SHARE:
        return f"{value:.1%}"
    if kind == DAYS:
        return f"{value:g} d"
    if kind == NUMBER and isinstance(value, float):
        return f"{value:.2f}×"
    return str(value)


def two_lines(header: str) -> str:
    """A header of several words on two lines, broken at the space nearest its middle, so
    a wide table of short figures fits the window (exports keep the one-line header)."""
    spaces = [i for i, char in enumerate(header) if char == " "]
    if not spaces:
        return header
    middle = min(spaces, key=lambda i: abs(2 * i - len(header)))
    return f"{header[:middle]}\n{header[middle + 1 :]}"


class InsightTable(QTableWidget):
    """Rows of a `Table`; a double-click (or Enter) asks to drill into the row's key."""

    drill = Signal(str, str)  # (key kind, key)

    def __init__(self) -> None:
        super().__init__()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(False)
        self.table: Table | None = None
        self.cellActivated.connect(lambda row, _: self._drill(row))
        self.cellDoubleClicked.connect(lambda row, _: self._drill(row))

    def show_table(self, table: Table, currency: str) -> None:
        self.table = table
        self.clear()
        self.setColumnCount(len(table.columns))
        self.setRowCount(len(table.rows))
        self.setHorizontalHeaderLabels([two_lines(header) for header in table.headers])
        for column, header in enumerate(table.headers):
            if (item := self.horizontalHeaderItem(column)) is not None:
                item.setToolTip(header)
        for line, row in enumerate(table.rows):
            for column, ((_, kind), value) in enumerate(zip(table.columns, row, strict=True)):
                item = QTableWidgetItem(text_of(kind, value, currency))
                if kind != "text":
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 0:
                    item.setData(KEY_ROLE, table.keys[line] if line < len(table.keys) else "")
                self.setItem(line, column, item)
        self.setToolTip(
            {
                "person": "Double-click a person to see their figures",
                "account": "Double-click an account to open it",
                "deal": "Double-click a deal to open it",
                "grade": "Double-click a grade for its accounts",
                "period": "Double-click a quarter for the deals won in it",
            }.get(table.key_kind, "")
        )

    def _drill(self, row: int) -> None:
        if self.table is None or not self.table.key_kind or row >= len(self.table.keys):
            return
        self.drill.emit(self.table.key_kind, self.table.keys[row])
