"""The team rollup as a tree model: one row per person, reports below their manager."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from sfa_desktop.core.forecast_wire import ForecastNode, ForecastReport
from sfa_desktop.core.rules.forecast import AttainmentBasis, QuotaSource
from sfa_desktop.operations.forecast import quota_note
from sfa_desktop.ui.columns import ID_ROLE, Column, cell, header
from sfa_desktop.ui.format import money

Index = QModelIndex | QPersistentModelIndex


def tree_columns(currency: str) -> list[Column[ForecastNode]]:
    """Adjusted figures (what the manager reports up) with quota and attainment: a
    manager's own quota (the team's number) beside the reports' quotas rolled up."""

    def amount(pick: str) -> Column[ForecastNode]:
        return Column(
            pick.replace("_", " ").capitalize(),
            lambda n: money(getattr(n.adjusted, pick), currency),
            numeric=True,
        )

    return [
        Column("Name", lambda n: n.name),
        amount("closed"),
        amount("commit"),
        amount("best_case"),
        amount("pipeline"),
        Column("Quota", lambda n: _quota(n, currency), numeric=True),
        Column(
            "Rolled-up quota",
            lambda n: money(n.rolled_up_quota, currency) if n.reports else "",
            numeric=True,
        ),
        Column("Attainment", _attainment, numeric=True, colour=_attainment_colour),
        Column(
            "Submitted commit",
            lambda n: money(n.submission.commit, currency) if n.submission else "—",
            numeric=True,
        ),
        Column("Adjusted", lambda n: "✎ " * bool(n.adjustments) + _adjusted(n)),
    ]


def _quota(node: ForecastNode, currency: str) -> str:
    """The quota set for the person (a manager's: the team's number), with where it comes
    from when it was not set for the period itself."""
    if node.quota_source is QuotaSource.NONE:
        return "—"
    text = money(node.quota, currency)
    return text if node.quota_source is QuotaSource.SET else f"{text} ({quota_note(node)})"


def _attainment(node: ForecastNode) -> str:
    if node.attainment is None:
        return "—"
    text = f"{node.attainment:.1%}"
    return f"{text} of rolled-up" if node.attainment_basis is AttainmentBasis.ROLLED_UP else text


def _attainment_colour(node: ForecastNode) -> str | None:
    if node.attainment is None:
        return None
    return "#137333" if node.attainment >= 1 else None


def _adjusted(node: ForecastNode) -> str:
    return ", ".join(a.category.value.replace("_", " ") for a in node.adjustments)


class ForecastTreeModel(QAbstractItemModel):
    """A read-only tree over a ForecastReport, replaced as a whole by `set_report`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report: ForecastReport | None = None
        self._columns = tree_columns("EUR")
        self._parents: dict[int, ForecastNode | None] = {}  # id(node) -> its manager's node

    def set_report(self, report: ForecastReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self._columns = tree_columns(report.currency if report else "EUR")
        self._parents = {}
        if report is not None:
            self._index_parents(report.root, None)
        self.endResetModel()

    def _index_parents(self, node: ForecastNode, parent: ForecastNode | None) -> None:
        self._parents[id(node)] = parent
        for report in node.reports:
            self._index_parents(report, node)

    def node(self, index: Index) -> ForecastNode | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, ForecastNode) else None

    def _children(self, parent: Index) -> list[ForecastNode]:
        if not parent.isValid():
            return [self.report.root] if self.report else []
        node = self.node(parent)
        return node.reports if node is not None else []

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        children = self._children(parent)
        if not (0 <= row < len(children) and 0 <= column < len(self._columns)):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self.node(child)
        manager = self._parents.get(id(node)) if node is not None else None
        if manager is None:
            return QModelIndex()
        grand = self._parents.get(id(manager))
        siblings = grand.reports if grand is not None else [manager]
        row = next(i for i, sibling in enumerate(siblings) if sibling is manager)
        return self.createIndex(row, 0, manager)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == ID_ROLE:
            return node.user_id
        if role == Qt.ItemDataRole.FontRole and node.reports:
            font = QFont()
            font.setBold(True)
            return font
        adjusted_column = len(self._columns) - 1
        if (
            role == Qt.ItemDataRole.BackgroundRole
            and node.adjustments
            and index.column() == adjusted_column
        ):
            return QColor("#fef7e0")
        return cell(self._columns[index.column()], node, role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header(self._columns, section, orientation, role)

    def find(self, user_id: str) -> QModelIndex:
        """The index of a person's row (column 0), or an invalid index."""
        matches = self.match(self.index(0, 0), ID_ROLE, user_id, 1, Qt.MatchFlag.MatchRecursive)
        return matches[0] if matches else QModelIndex()
