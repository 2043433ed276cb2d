"""The team rollup as a tree model: one row per person, reports below their manager."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import ForecastNode, ForecastReport
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.core.rules.forecast import AttainmentBasis, QuotaSource
from sfa_desktop.operations.forecast import quota_note
from sfa_desktop.operations.forecast_team import (
    Call,
    adjusted_by,
    adjusted_forecast,
    deals_forecast,
    is_adjusted,
    reports_call,
    submitted_call,
)
from sfa_desktop.ui.common.columns import ID_ROLE, Column, cell, header
from sfa_desktop.ui.common.format import day, money

DUE_COLOUR = "#b3261e"
ADJUSTED_BACKGROUND = "#fef7e0"

Index = QModelIndex | QPersistentModelIndex


# The columns whose cells are one forecast category of the deals (click: the deals behind).
CATEGORY_COLUMNS = {
    1: ForecastCategory.CLOSED,
    2: ForecastCategory.COMMIT,
    3: ForecastCategory.BEST_CASE,
    4: ForecastCategory.PIPELINE,
}
HEADER_TIPS = {
    "Closed": "Won in the period: the deals' own sum (closed revenue is never adjusted)",
    "Commit": "The deals' own sum in commit, unadjusted (click for the deals)",
    "Best case": "The deals' own sum in best case, unadjusted (click for the deals)",
    "Pipeline": "The deals' own sum in pipeline, unadjusted (click for the deals)",
    "Deals' forecast": "What the deals add up to: commit forecast (closed + commit) / best"
    " case forecast (+ best case)",
    "Call": "The submitted call, commit / best case (a manager's is the team call)",
    "Last call": "When the call was submitted; due when there is none in the last 7 days",
    "Adjusted": "The forecast with the adjustments counted in your figures, commit / best"
    " case; ✎ and who adjusted",
    "Reports' calls": "The direct reports' calls added up, commit / best case",
}


def _pair(call: Call | None, currency: str) -> str:
    if call is None:
        return "—"
    return f"{money(call.commit, currency)} / {money(call.best_case, currency)}"


def tree_columns(currency: str) -> list[Column[ForecastNode]]:
    """Per person side by side: the deals' own sums, the call, the adjusted forecast, the
    quota (a manager's: the team's number) and attainment; then what only managers have:
    the reports' quotas rolled up and their calls added up."""

    def amount(pick: str) -> Column[ForecastNode]:
        return Column(
            pick.replace("_", " ").capitalize(),
            lambda n: money(getattr(n.totals, pick), currency),
            numeric=True,
        )

    return [
        Column("Name", lambda n: n.name),
        amount("closed"),
        amount("commit"),
        amount("best_case"),
        amount("pipeline"),
        Column("Deals' forecast", lambda n: _pair(deals_forecast(n), currency), numeric=True),
        Column("Call", lambda n: _call(n, currency), numeric=True),
        Column("Last call", _last_call, colour=lambda n: DUE_COLOUR if n.call_due else None),
        Column("Adjusted", lambda n: _adjusted(n, currency), numeric=True),
        Column("Quota", lambda n: _quota(n, currency), numeric=True),
        Column("Attainment", _attainment, numeric=True, colour=_attainment_colour),
        Column(
            "Rolled-up quota",
            lambda n: money(n.rolled_up_quota, currency) if n.reports else "",
            numeric=True,
        ),
        Column("Reports' calls", lambda n: _reports_call(n, currency), numeric=True),
    ]


def _call(node: ForecastNode, currency: str) -> str:
    call = node.submission
    return _pair(submitted_call(node), call.currency if call else currency)


def _last_call(node: ForecastNode) -> str:
    call = node.submission
    if call is None:
        return "due (none)"
    when = day(call.submitted_at.astimezone().date())
    return f"due (last {when})" if node.call_due else when


def _adjusted(node: ForecastNode, currency: str) -> str:
    text = _pair(adjusted_forecast(node), currency)
    if not is_adjusted(node):
        return text
    return f"✎ {text} ({', '.join(adjusted_by(node))})"


def _reports_call(node: ForecastNode, currency: str) -> str:
    if not node.reports:
        return ""
    text = _pair(reports_call(node), currency)
    missing = node.reports_without_call
    return f"{text} ({missing} due)" if missing else text


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


class ForecastTreeModel(QAbstractItemModel):
    """A read-only tree over a ForecastReport, replaced as a whole by `set_report`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report: ForecastReport | None = None
        self._currency = DEFAULT_CORPORATE_CURRENCY
        self._columns = tree_columns(DEFAULT_CORPORATE_CURRENCY)
        self._parents: dict[int, ForecastNode | None] = {}  # id(node) -> its manager's node

    def set_report(self, report: ForecastReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self._currency = report.currency if report else DEFAULT_CORPORATE_CURRENCY
        self._columns = tree_columns(self._currency)
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
        column = index.column()
        header_text = self._columns[column].header
        if role == Qt.ItemDataRole.BackgroundRole and header_text == "Adjusted":
            return QColor(ADJUSTED_BACKGROUND) if is_adjusted(node) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node, column)
        return cell(self._columns[column], node, role)

    def _tooltip(self, node: ForecastNode, column: int) -> str:
        header_text, text = self._columns[column].header, self._columns[column].text(node)
        if column in CATEGORY_COLUMNS and node.converted:
            text += f" (includes deals converted from {', '.join(node.converted)})"
        elif header_text == "Adjusted":
            for adjustment in node.adjustments:
                counted = "counted" if adjustment.applied else "not counted here"
                what = adjustment.category.value.replace("_", " ")
                amount = money(adjustment.amount, self._currency)
                text += f"\n{adjustment.manager_name}: {what} {amount} ({counted})"
                text += f" — {adjustment.comment}"
        elif header_text == "Last call" and node.submission and node.submission.comment:
            text += f"\n{node.submission.comment}"
        return text

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and 0 <= section < len(self._columns):
            return HEADER_TIPS.get(self._columns[section].header)
        return header(self._columns, section, orientation, role)

    def find(self, user_id: str) -> QModelIndex:
        """The index of a person's row (column 0), or an invalid index."""
        matches = self.match(self.index(0, 0), ID_ROLE, user_id, 1, Qt.MatchFlag.MatchRecursive)
        return matches[0] if matches else QModelIndex()
