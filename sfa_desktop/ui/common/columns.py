"""Column definitions shared by the table models, and the cell roles they answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

R = TypeVar("R")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[R]):
    """A table column: header, cell text, optional store sort key, alignment."""

    header: str
    text: Callable[[R], str]
    sort: str | None = None
    numeric: bool = False
    width: int = 0
    colour: Callable[[R], str | None] | None = None


def cell(column: Column[R], record: R, role: int) -> Any:
    """What a cell shows for `role`, or None."""
    if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
        return column.text(record)
    if role == Qt.ItemDataRole.TextAlignmentRole:
        horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
        return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
    if role == ID_ROLE:
        return getattr(record, "id", None)
    if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
        colour = column.colour(record)
        return QColor(colour) if colour else None
    return None


def header(columns: list[Column[R]], section: int, orientation: Qt.Orientation, role: int) -> Any:
    if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(columns):
        return None
    column = columns[section]
    if role == Qt.ItemDataRole.DisplayRole:
        return column.header
    if role == Qt.ItemDataRole.TextAlignmentRole:
        horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
        return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
    return None
