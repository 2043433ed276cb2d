"""Table models of the import wizard: the raw rows, the column mapping, the row report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from sfa_desktop.interchange import (
    FIELDS,
    Action,
    Analysis,
    ColumnMapping,
    Duplicate,
    Resolution,
    RowReport,
    RowStatus,
    SourceRow,
)
from sfa_desktop.ui.common.choice_delegate import CHOICES_ROLE
from sfa_desktop.ui.imports.import_state import ImportState, record_label, samples

ModelIndex = QModelIndex | QPersistentModelIndex
DISPLAY, EDIT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole
FOREGROUND, TOOLTIP = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole
GREY = QColor("#5f6368")
STATUS_TEXT = {
    RowStatus.OK: "Ready",
    RowStatus.WARNING: "Warning",
    RowStatus.ERROR: "Error",
    RowStatus.DUPLICATE: "Duplicate?",
}
STATUS_COLOUR = {
    RowStatus.OK: QColor("#188038"),
    RowStatus.WARNING: QColor("#b06000"),
    RowStatus.ERROR: QColor("#b3261e"),
    RowStatus.DUPLICATE: QColor("#1a73e8"),
}
NOT_IMPORTED = "Don't import"


class RowsModel(QAbstractTableModel):
    """Rows of text under a header, as read from the file."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: tuple[str, ...] = ()
        self._rows: list[SourceRow] = []

    def set_rows(self, headers: Sequence[str], rows: list[SourceRow]) -> None:
        self.beginResetModel()
        self._headers, self._rows = tuple(headers), rows
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: ModelIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or role not in (DISPLAY, TOOLTIP):
            return None
        values = self._rows[index.row()].values
        value = values[index.column()] if index.column() < len(values) else ""
        return value if role == TOOLTIP else " ".join(value.split())[:200]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if role != DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        return str(self._rows[section].row) if section < len(self._rows) else None


class MappingModel(QAbstractTableModel):
    """One row per file column: its header, sample values and the field it goes to."""

    HEADERS = ("File column", "Sample values", "Import as")
    mapping_changed = Signal(object)  # the new ColumnMapping

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mapping: ColumnMapping | None = None
        self._samples: list[str] = []
        self._keys: list[str | None] = []
        self._labels: list[str] = []

    def set_mapping(self, mapping: ColumnMapping, rows: list[SourceRow]) -> None:
        self.beginResetModel()
        self.mapping = mapping
        self._samples = [samples(rows, column) for column in range(len(mapping.headers))]
        fields = FIELDS[mapping.kind]
        self._keys = [None, *(f.key for f in fields)]
        self._labels = [NOT_IMPORTED, *(f.label for f in fields)]
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.mapping is None else len(self.mapping.headers)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == 2 else flags

    def data(self, index: ModelIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or self.mapping is None:
            return None
        row, column = index.row(), index.column()
        chosen = self._keys.index(self.mapping.targets[row])
        if column == 0 and role in (DISPLAY, TOOLTIP):
            return self.mapping.headers[row]
        if column == 1 and role in (DISPLAY, TOOLTIP):
            return (
                self._samples[row] if role == DISPLAY else self._samples[row].replace("  ·  ", "\n")
            )
        if column == 1 and role == FOREGROUND:
            return GREY
        if column == 2:
            if role == DISPLAY:
                return self._labels[chosen]
            if role == EDIT:
                return chosen
            if role == CHOICES_ROLE:
                return self._labels
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = EDIT) -> bool:  # noqa: N802
        if self.mapping is None or index.column() != 2 or role != EDIT:
            return False
        choice = int(value)
        if not 0 <= choice < len(self._keys):
            return False
        self.mapping = self.mapping.assign(index.row(), self._keys[choice])
        self.dataChanged.emit(index, index)
        self.mapping_changed.emit(self.mapping)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


@dataclass(frozen=True)
class ReportEntry:
    row: int
    line: int
    status: RowStatus
    record: str
    messages: str
    duplicate: Duplicate | None = None


def duplicate_text(duplicate: Duplicate) -> str:
    best = duplicate.best
    more = len(duplicate.matches) - 1
    text = f"Looks like {best.label} ({best.explanation})"
    return text + (f" and {more} more" if more else "")


def report_entry(analysis: Analysis, report: RowReport) -> ReportEntry:
    record = record_label(analysis.kind, report.fields)
    if report.account is not None:
        new = " – new account" if report.account.account_id is None else ""
        record = f"{record} · {report.account.name}{new}" if record else report.account.name
    issues = sorted(report.issues, key=lambda issue: not issue.is_error)  # errors first
    messages = [issue.message for issue in issues]
    if report.duplicate is not None:
        messages.insert(0, duplicate_text(report.duplicate))
    return ReportEntry(
        report.row, report.line, report.status, record, "; ".join(messages), report.duplicate
    )


def report_entries(analysis: Analysis) -> list[ReportEntry]:
    """A line per row: the reported ones, and the ready ones of a file small enough."""
    entries = {r.row: report_entry(analysis, r) for r in analysis.reports}
    for item in analysis.converted or ():
        if item.row not in entries:
            label = record_label(analysis.kind, item.candidate.fields)
            entries[item.row] = ReportEntry(item.row, item.line, RowStatus.OK, label, "")
    return [entries[row] for row in sorted(entries)]


def action_choices(duplicate: Duplicate) -> list[tuple[str, Resolution | None]]:
    """What can be done with a duplicate row, in the order the combo shows."""
    choices: list[tuple[str, Resolution | None]] = []
    if not duplicate.strong:
        choices.append(("Choose…", None))
    choices += [("Skip", Resolution.skip()), ("Import as new", Resolution.create())]
    for match in duplicate.matches:
        choices.append((f"Merge into {match.label}", Resolution.merge(target=match.key)))
    return choices


def choice_index(duplicate: Duplicate, chosen: Resolution | None) -> int:
    choices = action_choices(duplicate)
    if chosen is not None and chosen.action is Action.MERGE and chosen.target is None:
        chosen = Resolution.merge(chosen.overwrite, duplicate.best.key)
    for index, (_text, resolution) in enumerate(choices):
        if resolution == chosen:
            return index
    return 0


class ReportModel(QAbstractTableModel):
    """The checked rows: status, messages and, for a duplicate, what to do with it."""

    HEADERS = ("Line", "Record", "Status", "Messages", "Action")
    decisions_changed = Signal()

    def __init__(self, state: ImportState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.entries: list[ReportEntry] = []
        self.card_numbers = False  # vCard: the first column is the card's number

    def load(self, analysis: Analysis | None) -> None:
        self.beginResetModel()
        self.entries = report_entries(analysis) if analysis is not None else []
        self.card_numbers = analysis is not None and not self.state.is_csv
        self.endResetModel()

    def refresh_actions(self) -> None:
        if self.entries:
            self.dataChanged.emit(self.index(0, 4), self.index(len(self.entries) - 1, 4))

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() == 4 and self.entries[index.row()].duplicate is not None:
            return flags | Qt.ItemFlag.ItemIsEditable
        return flags

    def action_text(self, entry: ReportEntry) -> str:
        if entry.duplicate is not None:
            chosen = self.state.resolution(entry.row)
            return action_choices(entry.duplicate)[choice_index(entry.duplicate, chosen)][0]
        return "Not imported" if entry.status is RowStatus.ERROR else "Import"

    def data(self, index: ModelIndex, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        entry, column = self.entries[index.row()], index.column()
        if role == DISPLAY:
            return self._text(entry, column)
        if role == TOOLTIP:
            if column == 0:
                return f"Starts on line {entry.line:,} of the file"
            return self._text(entry, column).replace("; ", "\n") or None
        if role == FOREGROUND:
            if column == 2:
                return STATUS_COLOUR[entry.status]
            if column == 4 and entry.status is RowStatus.ERROR:
                return STATUS_COLOUR[RowStatus.ERROR]
        if column == 4 and entry.duplicate is not None:
            if role == EDIT:
                return choice_index(entry.duplicate, self.state.resolution(entry.row))
            if role == CHOICES_ROLE:
                return [text for text, _ in action_choices(entry.duplicate)]
        return None

    def _text(self, entry: ReportEntry, column: int) -> str:
        if column == 0:
            return f"{entry.row if self.card_numbers else entry.line:,}"
        if column == 1:
            return entry.record
        if column == 2:
            return STATUS_TEXT[entry.status]
        if column == 3:
            return entry.messages
        return self.action_text(entry)

    def setData(self, index: ModelIndex, value: Any, role: int = EDIT) -> bool:  # noqa: N802
        entry = self.entries[index.row()] if index.isValid() else None
        if entry is None or entry.duplicate is None or index.column() != 4 or role != EDIT:
            return False
        choices = action_choices(entry.duplicate)
        if not 0 <= int(value) < len(choices):
            return False
        chosen = choices[int(value)][1]
        if chosen is None:
            self.state.decisions.pop(entry.row, None)
        else:
            self.state.decisions[entry.row] = chosen
        self.dataChanged.emit(index, index)
        self.decisions_changed.emit()
        return True

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return "Card" if section == 0 and self.card_numbers else self.HEADERS[section]
        return None

    def export_rows(self) -> list[list[object]]:
        """The report as rows for `export_rows` (see REPORT_COLUMNS)."""
        return [
            [e.row, e.line, STATUS_TEXT[e.status], e.record, e.messages, self.action_text(e)]
            for e in self.entries
        ]


class ProblemsFilter(QSortFilterProxyModel):
    """Only the rows that are not simply ready (when `only_problems` is on)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.only_problems = False

    def set_only_problems(self, on: bool) -> None:
        self.beginFilterChange()
        self.only_problems = on
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        if not self.only_problems or not isinstance(model, ReportModel):
            return True
        return model.entries[source_row].status is not RowStatus.OK
