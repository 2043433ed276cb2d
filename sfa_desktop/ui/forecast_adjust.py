"""The adjustment form of one report's forecast, and the audit trail of their adjustments."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
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
from sfa_desktop.ui.columns import Column
from sfa_desktop.ui.format import label, moment, money
from sfa_desktop.ui.list_model import RecordListModel
from sfa_desktop.ui.widgets import ERROR_STYLE, caption, fit_columns, table

ADJUSTABLE = (
    ForecastCategory.COMMIT,
    ForecastCategory.BEST_CASE,
    ForecastCategory.PIPELINE,
    ForecastCategory.CLOSED,
)


def _amount(value: int | None) -> str:
    return "—" if value is None else money(value)


def audit_columns(names: dict[str, str]) -> list[Column[AuditEntry]]:
    return [
        Column("When", lambda e: moment(e.at)),
        Column("By", lambda e: names.get(e.manager_id, e.manager_id)),
        Column("Category", lambda e: label(e.category)),
        Column("Was", lambda e: _amount(e.old_amount), numeric=True),
        Column("Now", lambda e: _amount(e.new_amount), numeric=True),
        Column("Comment", lambda e: e.comment),
    ]


class AdjustPanel(QWidget):
    """Set a report's category total with a required comment; lists what was done before."""

    adjust_requested = Signal(object)  # AdjustmentRequest

    def __init__(self) -> None:
        super().__init__()
        self.node: ForecastNode | None = None
        self.period = ""
        self.currency = "EUR"
        self.category = QComboBox()
        for category in ADJUSTABLE:
            self.category.addItem(label(category), category.value)
        self.category.currentIndexChanged.connect(self._prefill)
        self.amount = QDoubleSpinBox()
        self.amount.setMaximum(10**12)
        self.amount.setDecimals(2)
        self.amount.setGroupSeparatorShown(True)
        self.amount.setMinimumWidth(160)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Why (required, kept in the audit trail)")
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.button = QPushButton("Adjust")
        self.button.clicked.connect(self.request)
        self.subject = caption("Select a report in the tree to adjust their forecast.")
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
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(caption("Audit trail"))
        layout.addWidget(self.audit_view, 1)

    def show_node(
        self,
        node: ForecastNode | None,
        editable: bool,
        entries: list[AuditEntry],
        names: dict[str, str],
        period: str,
        currency: str,
    ) -> None:
        self.node, self.period, self.currency = node, period, currency
        self.error.hide()
        for widget in (self.category, self.amount, self.comment, self.button):
            widget.setEnabled(editable)
        if node is None:
            self.subject.setText("Select a report in the tree to adjust their forecast.")
        elif editable:
            self.subject.setText(f"Adjust {node.name}'s forecast for {period}:")
        else:
            self.subject.setText(f"{node.name}: only a manager above can adjust this forecast.")
        previous, self.audit = self.audit, RecordListModel(audit_columns(names), self)
        self.audit.set_records(list(reversed(entries)))
        self.audit_view.setModel(self.audit)
        previous.deleteLater()
        fit_columns(self.audit_view, 5)
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
