"""A table model over a short list of records already in memory (lists inside a view)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from sfa_desktop.ui.common.columns import Column, cell, header

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


class RecordListModel(QAbstractTableModel, Generic[T]):
    """Rows of `T` with the given columns; replaced as a whole by `set_records`."""

    def __init__(self, columns: list[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._records: list[T] = []

    def set_records(self, records: Sequence[T]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    @property
    def columns(self) -> list[Column[T]]:
        return list(self._columns)

    def records(self) -> list[T]:
        return list(self._records)

    def record_at(self, row: int) -> T | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        return cell(self._columns[index.column()], self._records[index.row()], role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header(self._columns, section, orientation, role)
