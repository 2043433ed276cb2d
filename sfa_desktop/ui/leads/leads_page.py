"""Leads: list by status, work and qualify them, convert into account, contact and deal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Lead
from sfa_desktop.core.enums import EntityKind, LeadStatus
from sfa_desktop.operations.records import convert_lead, set_lead_status
from sfa_desktop.store import LeadConversion
from sfa_desktop.store.custom_fields import CustomFilter
from sfa_desktop.ui.common.activity_dialog import Focus
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.custom_columns import CustomColumns
from sfa_desktop.ui.common.form_fields import Field
from sfa_desktop.ui.common.format import day, label
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.id_model import IdsQuery, IdTableModel
from sfa_desktop.ui.common.record_form import RecordForm
from sfa_desktop.ui.common.widgets import fit_lazy_columns, heading, table
from sfa_desktop.ui.imports.import_launch import import_button

STATUS_COLOUR = {
    LeadStatus.QUALIFIED: "#188038",
    LeadStatus.DISQUALIFIED: "#b3261e",
    LeadStatus.CONVERTED: "#5f6368",
}
COLUMNS: list[Column[Lead]] = [
    Column("Name", lambda lead: f"{lead.first_name} {lead.last_name}".strip(), sort="last_name"),
    Column("Company", lambda lead: lead.company, sort="company"),
    Column(
        "Status",
        lambda lead: label(lead.status),
        sort="status",
        colour=lambda lead: STATUS_COLOUR.get(lead.status),
    ),
    Column("Source", lambda lead: lead.source, sort="source"),
    Column("Campaign", lambda lead: lead.campaign, sort="campaign"),
    Column("Created", lambda lead: day(lead.created_at.date()), sort="created_at"),
]
CONVERT_FIELDS = [
    Field("opportunity_name", "Opportunity"),
    Field("amount", "Amount", "money", maximum=10**12),
    Field("close_date", "Close date", "date"),
]
DISQUALIFY_FIELDS = [Field("disqualify_reason", "Reason")]


def leads_query(
    text: str, status: LeadStatus | None, custom: tuple[CustomFilter, ...] = ()
) -> IdsQuery:
    return lambda store, sort, desc: store.lead_ids(text, status, sort, desc, custom)


class LeadsPage(QWidget):
    converted = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name or company")
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.addItem("All statuses", None)
        for status in LeadStatus:
            self.status.addItem(label(status), status)
        self.model: IdTableModel[Lead] = IdTableModel(
            ctx, Lead, COLUMNS, leads_query("", None), "created_at", self
        )
        self.list = table(self.model)
        self.list.setSortingEnabled(True)
        self.list.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        fit_lazy_columns(self.list)
        self.custom = CustomColumns(self.list, self.model, EntityKind.LEAD, COLUMNS)
        self.custom.filters_changed.connect(self._refilter)
        self.list.doubleClicked.connect(lambda _: self.edit())
        self.count = QLabel()
        self.count.setStyleSheet("color: #5f6368;")
        self.model.reloaded.connect(self._reloaded)
        self._wanted: str | None = None
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._refilter)
        self.filter.textChanged.connect(self._debounce.start)
        self.status.currentIndexChanged.connect(self._refilter)
        bar = QHBoxLayout()
        bar.addWidget(heading("Leads"))
        bar.addStretch()
        actions = QHBoxLayout()
        for text, slot in (
            ("New lead…", lambda: open_form(ctx, Lead, parent=self)),
            ("Edit…", self.edit),
            ("Start working", lambda: self.set_status(LeadStatus.WORKING)),
            ("Qualify", lambda: self.set_status(LeadStatus.QUALIFIED)),
            ("Disqualify…", self.disqualify),
            ("Convert…", self.convert),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.insertWidget(1, import_button(ctx, EntityKind.LEAD, self))
        actions.addStretch()
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.status)
        tools.addWidget(self.custom.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addLayout(tools)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)

    def _refilter(self) -> None:
        status, custom = self.status.currentData(), self.custom.filters()
        self.model.set_query(leads_query(self.filter.text(), status, custom))

    def selected(self) -> Lead | None:
        rows = self.list.selectionModel().selectedRows()
        return self.model.record_at(rows[0].row()) if rows else None

    def activate(self) -> None:
        self.model.activate()

    def _reloaded(self) -> None:
        self.count.setText(f"{self.model.rowCount():,} leads")
        if self._wanted:
            self.show_lead(self._wanted)

    def show_lead(self, lead_id: str) -> None:
        """Select a lead (once the list has loaded, if it is still loading); a filter that
        could hide it is cleared first."""
        self.activate()
        if self.filter.text() or self.status.currentIndex() > 0:
            self.filter.blockSignals(True)
            self.status.blockSignals(True)
            self.filter.clear()
            self.status.setCurrentIndex(0)
            self.filter.blockSignals(False)
            self.status.blockSignals(False)
            self._refilter()
        self._wanted = lead_id if self.model.loading else None
        row = self.model.row_of(lead_id)
        if row >= 0:
            self.list.selectRow(row)
            self.list.scrollTo(self.model.index(row, 0))

    def focus(self) -> Focus:
        return Focus()

    def edit(self) -> None:
        lead = self.selected()
        if lead is not None:
            open_form(self._ctx, Lead, lead, parent=self)

    def set_status(self, status: LeadStatus) -> None:
        lead = self.selected()
        if lead is not None:
            self._ctx.run_op(lambda store: set_lead_status(store, lead.id, status))

    def disqualify(self) -> RecordForm | None:
        lead = self.selected()
        if lead is None:
            return None

        def submit(values: dict[str, Any], form: RecordForm) -> None:
            reason = values["disqualify_reason"]
            self._ctx.run_op(
                lambda store: set_lead_status(store, lead.id, LeadStatus.DISQUALIFIED, reason),
                form.saved,
                form.show_error,
            )

        return self._dialog(f"Disqualify {lead.display_name}", DISQUALIFY_FIELDS, {}, submit)

    def convert(self) -> RecordForm | None:
        """Ask for the opportunity's name, amount and close date, then convert."""
        lead = self.selected()
        if lead is None:
            return None
        values = {
            "opportunity_name": f"{lead.company or lead.display_name} – new business",
            "close_date": date.today() + timedelta(days=90),
        }

        def submit(entered: dict[str, Any], form: RecordForm) -> None:
            def done(conversion: LeadConversion) -> None:
                form.saved()
                self.converted.emit(conversion.account.id)

            close = entered["close_date"] or date.today() + timedelta(days=90)
            self._ctx.run_op(
                lambda store: convert_lead(
                    store, lead.id, entered["opportunity_name"], entered["amount"], close
                ),
                done,
                form.show_error,
            )

        return self._dialog(f"Convert {lead.display_name}", CONVERT_FIELDS, values, submit)

    def _dialog(
        self, title: str, fields: list[Field], values: dict[str, Any], submit: Any
    ) -> RecordForm:
        form = RecordForm(self._ctx, title, fields, values, submit, self)
        form.setModal(True)
        form.show()
        return form
