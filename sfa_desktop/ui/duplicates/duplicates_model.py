"""Item models of the duplicate finder: the list of groups, and one group side by side.

`ComparisonModel` has a column per record (after the field names) and a row per field;
the first row chooses the survivor, and in every row whose values differ one cell is
picked: the value the survivor keeps. Notes can keep every record's text instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from sfa_desktop.core.rules.merge import BOTH
from sfa_desktop.operations.duplicates import Candidate, Comparison
from sfa_desktop.store.duplicates import DuplicateSet
from sfa_desktop.ui.duplicates.comparison_rows import (
    ALWAYS_SHOWN,
    FACTS,
    ROWS,
    Row,
    count_row,
    custom_rows,
)

Index = QModelIndex | QPersistentModelIndex

DIFFERS = QColor("#fef7e0")  # a row whose values differ
PICKED = QColor("#e6f4ea")  # the value the survivor keeps
MUTED = QColor("#5f6368")
EMPTY = "—"


def group_text(group: DuplicateSet) -> str:
    """'Acme Corp · ACME Corporation — same web domain, same name — 94 %'."""
    reasons = dict.fromkeys(reason for pair in group.pairs for reason in pair.reasons)
    why = ", ".join(str(reason) for reason in reasons)
    return f"{_names(group.labels)} — {why} — {round(group.score * 100)} %"


def _names(labels: Sequence[str]) -> str:
    """'Jane Doe · J. Doe (Acme)' for contacts of one account, their account named once."""
    suffix = _common_account(labels)
    return " · ".join(label.removesuffix(suffix) for label in labels) + suffix


def _common_account(labels: Sequence[str]) -> str:
    """' (Acme)' when every label ends in that account's name, else ''."""
    first = labels[0] if labels else ""
    suffix = first[first.rfind(" (") :] if first.endswith(")") and " (" in first else ""
    return suffix if suffix and all(label.endswith(suffix) for label in labels) else ""


def group_details(group: DuplicateSet) -> str:
    """Pair by pair, why the records look alike (a tooltip)."""
    names = dict(zip(group.record_ids, group.labels, strict=True))
    return "\n".join(
        f"{names[pair.first_id]} ↔ {names[pair.second_id]}: {pair.explanation}"
        for pair in group.pairs
    )


class GroupListModel(QAbstractListModel):
    """Duplicate groups, one line each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[DuplicateSet] = []

    def set_groups(self, groups: Sequence[DuplicateSet]) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        self.endResetModel()

    def groups(self) -> list[DuplicateSet]:
        return list(self._groups)

    def group_at(self, row: int) -> DuplicateSet | None:
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def row_of(self, record_ids: Sequence[str]) -> int:
        """The row of the group with exactly these records, or -1."""
        wanted = set(record_ids)
        return next((i for i, g in enumerate(self._groups) if set(g.record_ids) == wanted), -1)

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._groups):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._groups[row]
            self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._groups)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        group = self.group_at(index.row()) if index.isValid() else None
        if group is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return group_text(group)
        if role == Qt.ItemDataRole.ToolTipRole:
            return group_details(group)
        return None


# -- the comparison ------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


class ComparisonModel(QAbstractTableModel):
    """A group's records side by side; the survivor and the picked values are checked."""

    SURVIVOR_ROW = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.comparison: Comparison | None = None
        self.survivor_id = ""
        self._candidates: list[Candidate] = []
        self._fields: list[dict[str, Any]] = []
        self._rows: list[Row] = []
        self._picks: dict[int, str] = {}  # row: record id or BOTH
        self._account_suffix = ""

    # -- state -----------------------------------------------------------------------------

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self._candidates = list(comparison.candidates) if comparison else []
        self._fields = [candidate.fields() for candidate in self._candidates]
        self._rows = self._visible_rows(comparison) if comparison else []
        self._account_suffix = _common_account([c.label for c in self._candidates])
        survivor = comparison.group.suggested_survivor if comparison else ""
        ids = [candidate.id for candidate in self._candidates]
        self.survivor_id = survivor if survivor in ids else (ids[0] if ids else "")
        self._picks = self._default_picks()
        self.endResetModel()

    def _visible_rows(self, comparison: Comparison) -> list[Row]:
        related = self._candidates[0].related if self._candidates else ()
        rows = [
            *ROWS[comparison.kind],
            *custom_rows(comparison.custom_fields),
            *FACTS,
            *(count_row(name) for name, _ in related),
        ]
        names = comparison.account_names
        return [
            row
            for row in rows
            if row.label in ALWAYS_SHOWN or any(row.text(c, names) for c in self._candidates)
        ]

    def set_survivor(self, record_id: str) -> None:
        """Keep `record_id`; the picks start again from the suggestion for it."""
        if record_id == self.survivor_id or record_id not in self.record_ids():
            return
        self.survivor_id = record_id
        self._picks = self._default_picks()
        self._all_changed()

    def pick(self, row: int, record_id: str) -> None:
        """The survivor keeps the value of `record_id` in `row` (a row whose values differ)."""
        if row not in self._picks or record_id not in self.record_ids():
            return
        self._picks[row] = record_id
        self._row_changed(row)

    @property
    def notes_row(self) -> int:
        """The notes row when the records' notes differ (so both can be kept), else -1."""
        return next((r for r in self._picks if self._rows[r - 1].fields == ("notes",)), -1)

    def notes_can_join(self) -> bool:
        """Whether two or more records have notes of their own (so all can be kept)."""
        row = self.notes_row
        if row < 0:
            return False
        texts = {self._values(self._rows[row - 1], c) for c in range(len(self._candidates))}
        return len({t for t in texts if not all(_empty(v) for v in t)}) > 1

    def keeps_all_notes(self) -> bool:
        return self._picks.get(self.notes_row) == BOTH

    def keep_all_notes(self, keep: bool) -> None:
        row = self.notes_row
        if row < 0 or keep == self.keeps_all_notes():
            return
        self._picks[row] = BOTH if keep else self._source_of(row)
        self._row_changed(row)

    def record_ids(self) -> list[str]:
        return [candidate.id for candidate in self._candidates]

    def merged_ids(self) -> list[str]:
        return [i for i in self.record_ids() if i != self.survivor_id]

    def picked(self) -> dict[str, str]:
        """What `Store.merge` is told: {field: record id or BOTH} for values not the survivor's."""
        picked: dict[str, str] = {}
        for row, source in self._picks.items():
            if source != self.survivor_id:
                picked.update(dict.fromkeys(self._rows[row - 1].fields, source))
        return picked

    def picked_from(self, row: int) -> str | None:
        return self._picks.get(row)

    def row_labels(self) -> list[str]:
        labels = ["Keep", *(row.label for row in self._rows)]
        if self.keeps_all_notes():
            labels[self.notes_row] += " (all kept)"
        return labels

    def differs(self, row: int) -> bool:
        return row in self._picks

    def _values(self, row: Row, column: int) -> tuple[Any, ...]:
        # A record may lack a custom field; a multi-picklist's list compares as a tuple.
        values = (self._fields[column].get(name) for name in row.fields)
        return tuple(tuple(v) if isinstance(v, list) else v for v in values)

    def _default_picks(self) -> dict[int, str]:
        """For each row whose values differ: the survivor's value, or (when the survivor has
        none) the suggestion's; notes as the suggestion says (both when several differ)."""
        if self.comparison is None:
            return {}
        suggested = self.comparison.suggested_picks(self.survivor_id)
        survivor = self.record_ids().index(self.survivor_id)
        picks = {}
        for number, row in enumerate(self._rows, start=1):
            if not row.pickable:
                continue
            values = {self._values(row, column) for column in range(len(self._candidates))}
            if len(values) < 2:
                continue
            source = self.survivor_id
            if row.fields == ("notes",):
                source = suggested.get("notes", source)
            elif all(_empty(value) for value in self._values(row, survivor)):
                source = next((suggested[f] for f in row.fields if f in suggested), source)
            picks[number] = source
        return picks

    def _source_of(self, row: int) -> str:
        """Whose notes to keep when "keep all" is switched off: the survivor's, or the first
        record's that has some."""
        survivor = self.record_ids().index(self.survivor_id)
        fields = self._rows[row - 1]
        if not all(_empty(v) for v in self._values(fields, survivor)):
            return self.survivor_id
        for column, candidate in enumerate(self._candidates):
            if not all(_empty(v) for v in self._values(fields, column)):
                return candidate.id
        return self.survivor_id

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _all_changed(self) -> None:
        if self.rowCount() and self.columnCount():
            bottom_right = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), bottom_right)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 1, self.columnCount() - 1)

    # -- Qt model ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or not self._candidates else len(self._rows) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or not self._candidates else len(self._candidates) + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled
        if index.column() > 0 and (index.row() == self.SURVIVOR_ROW or self.differs(index.row())):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def checked(self, row: int, column: int) -> bool | None:
        """Whether cell (row, column) is chosen; None for a cell with nothing to choose."""
        if column < 1 or column > len(self._candidates):
            return None
        record_id = self._candidates[column - 1].id
        if row == self.SURVIVOR_ROW:
            return record_id == self.survivor_id
        source = self._picks.get(row)
        if source is None:
            return None
        if source == BOTH:
            return not all(_empty(v) for v in self._values(self._rows[row - 1], column - 1))
        return source == record_id

    def text(self, row: int, column: int) -> str:
        if column == 0:
            return self.row_labels()[row]
        if row == self.SURVIVOR_ROW:
            return "Survivor" if self.checked(row, column) else "Merged into survivor"
        candidate = self._candidates[column - 1]
        names = self.comparison.account_names if self.comparison else {}
        return self._rows[row - 1].text(candidate, names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.text(row, column)
            return text.replace("\n", " ⏎ ") if text else EMPTY
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = self.checked(row, column)
            if checked is None:
                return None
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            survivor_row = row == self.SURVIVOR_ROW
            muted = column == 0 or not self.text(row, column)
            return MUTED if muted or (survivor_row and not self.checked(row, column)) else None
        if role == Qt.ItemDataRole.FontRole:
            strong = (column == 0 and self.differs(row)) or bool(self.checked(row, column))
            if strong:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def _tooltip(self, row: int, column: int) -> str | None:
        if column == 0:
            return "Values differ: click the one to keep" if self.differs(row) else None
        text = self.text(row, column)
        if row == self.SURVIVOR_ROW:
            return "This record stays; the others are merged into it and deleted"
        if self.differs(row) and not self.checked(row, column):
            return f"{text or EMPTY}\n\nClick to keep this value"
        return text or None

    def _background(self, row: int, column: int) -> QColor | None:
        if column == 0:
            return DIFFERS if self.differs(row) else None
        checked = self.checked(row, column)
        if checked:
            return PICKED
        return DIFFERS if self.differs(row) else None

    def setData(  # noqa: N802
        self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Checking a cell picks it (unchecking does nothing: one cell is always chosen)."""
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() < 1:
            return False
        if Qt.CheckState(value) != Qt.CheckState.Checked:
            return False
        return self.choose(index.row(), index.column())

    def choose(self, row: int, column: int) -> bool:
        """A click on cell (row, column): the survivor row chooses the survivor, a row whose
        values differ the value to keep."""
        if not 1 <= column <= len(self._candidates):
            return False
        record_id = self._candidates[column - 1].id
        if row == self.SURVIVOR_ROW:
            self.set_survivor(record_id)
            return True
        if self.differs(row):
            self.pick(row, record_id)
            return True
        return False

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section <= len(self._candidates):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if section == 0:
                return ""
            text = self._candidates[section - 1].label
            shown = text.removesuffix(self._account_suffix)  # the Account row names it
            return shown if role == Qt.ItemDataRole.DisplayRole else text
        survivor = section > 0 and self._candidates[section - 1].id == self.survivor_id
        if role == Qt.ItemDataRole.FontRole and survivor:
            font = QFont()
            font.setBold(True)
            return font
        return None
