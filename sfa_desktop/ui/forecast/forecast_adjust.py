"""The adjustment form of one report's forecast, the adjustment layers the viewer reads
(theirs, those below them, their manager's), and the audit trail with names and why."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import AdjustmentRequest, AuditEntry, ForecastNode
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.operations.forecast_team import Layer, layers
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import label, moment, money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import ERROR_STYLE, MoneyBox, caption, fit_columns, table

# Closed is what was won and omitted is left out: neither can be adjusted.
ADJUSTABLE = (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE)


def _amount(value: int | None, currency: str) -> str:
    return "—" if value is None else money(value, currency)


def _category(category: ForecastCategory) -> str:
    return category.value.replace("_", " ")


def audit_columns(names: dict[str, str]) -> list[Column[AuditEntry]]:
    """Who adjusted whom, from what to what (in the currency it was entered in), and why."""
    return [
        Column("When", lambda e: moment(e.at)),
        Column("By", lambda e: e.manager_name or names.get(e.manager_id, e.manager_id)),
        Column("For", lambda e: e.subject_name or names.get(e.subject_user_id, "")),
        Column("Category", lambda e: _category(e.category).capitalize()),
        Column("Was", lambda e: _amount(e.old_amount, e.currency), numeric=True),
        Column("Now", lambda e: _amount(e.new_amount, e.currency), numeric=True),
        Column("Why", lambda e: e.comment),
    ]


def layer_lines(node: ForecastNode, root: ForecastNode, currency: str) -> list[str]:
    """The person's adjustments as the viewer (`root`) reads them, one line each."""

    def what(layer: Layer) -> str:
        adjustment = layer.adjustment
        return f"{_category(adjustment.category)} {money(adjustment.amount, currency)}"

    found = layers(node, root)
    lines = [f"Your adjustment: {what(layer)} ({layer.note})" for layer in found.yours]
    lines += [
        f"{layer.adjustment.manager_name} (below you): {what(layer)} ({layer.note})"
        for layer in found.below
    ]
    for layer in found.above:
        adjustment = layer.adjustment
        who = "Your manager" if adjustment.manager_id == root.manager_id else "Above you,"
        lines.append(
            f"{who} ({adjustment.manager_name}) made it {money(adjustment.amount, currency)}"
            f" ({_category(adjustment.category)}, {layer.note})"
        )
    return lines or ["No adjustments of this forecast."]


class AdjustPanel(QWidget):
    """Set a report's category total with a required comment; lists what was done before."""

    adjust_requested = Signal(object)  # AdjustmentRequest

    def __init__(self) -> None:
        super().__init__()
        self.node: ForecastNode | None = None
        self.period = ""
        self.currency = DEFAULT_CORPORATE_CURRENCY
        self.category = QComboBox()
        for category in ADJUSTABLE:
            self.category.addItem(label(category), category.value)
        self.category.currentIndexChanged.connect(self._prefill)
        self.amount = MoneyBox(cents=True)
        self.amount.setMinimumWidth(160)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Why (required, kept in the audit trail)")
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.button = QPushButton("Adjust")
        self.button.clicked.connect(self.request)
        self.subject = caption("Select a report in the tree to adjust their forecast.")
        self.layers = QLabel()
        self.layers.setWordWrap(True)
        self.layers.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.category)
        row.addWidget(self.amount)
        row.addWidget(self.comment, 1)
        row.addWidget(self.button)
        form.addRow(row)
        self.audit: RecordListModel[AuditEntry] = RecordListModel(audit_columns({}), self)
        self.audit_view = table(self.audit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.subject)
        layout.addWidget(self.layers)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(caption("Audit trail"))
        layout.addWidget(self.audit_view, 1)

    def show_node(
        self,
        node: ForecastNode | None,
        root: ForecastNode | None,
        entries: list[AuditEntry],
        names: dict[str, str],
        period: str,
        currency: str,
    ) -> None:
        """Show `node` as the viewer (`root`) reads it; only the viewer's reports can be
        adjusted."""
        self.node, self.period, self.currency = node, period, currency
        self.amount.set_currency(currency)
        editable = node is not None and root is not None and node.user_id != root.user_id
        self.layers.setText("\n".join(layer_lines(node, root, currency)) if node and root else "")
        self.error.hide()
        for widget in (self.category, self.amount, self.comment, self.button):
            widget.setEnabled(editable)
        if node is None:
            self.subject.setText("Select a report in the tree to adjust their forecast.")
        elif editable:
            self.subject.setText(f"Adjust {node.name}'s forecast for {period}:")
        else:
            self.subject.setText(
                f"{node.name}: your own team's forecast; only a manager above you can adjust it."
            )
        previous, self.audit = self.audit, RecordListModel(audit_columns(names), self)
        self.audit.set_records(list(reversed(entries)))
        self.audit_view.setModel(self.audit)
        previous.deleteLater()
        fit_columns(self.audit_view, 6)
        self._prefill()

    def _prefill(self) -> None:
        if self.node is not None:
            category = ForecastCategory(self.category.currentData())
            self.amount.setValue(self.node.adjusted.totals().of(category) / 100)
        self.comment.clear()

    def request(self) -> None:
        node = self.node
        if node is None:
            return
        comment = self.comment.text().strip()
        if not comment:
            self.show_error("An adjustment needs a comment.")
            return
        self.error.hide()
        self.adjust_requested.emit(
            AdjustmentRequest(
                subject_user_id=node.user_id,
                period=self.period,
                category=ForecastCategory(self.category.currentData()),
                amount=round(self.amount.value() * 100),
                currency=self.currency,
                comment=comment,
            )
        )

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
