"""Contacts: a lazy list filtered in SQL and the selected contact's details and timeline."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.operations.records import delete_record
from sfa_desktop.operations.views import ContactDetail, contact_detail
from sfa_desktop.store import Changes
from sfa_desktop.store.custom_fields import CustomFilter
from sfa_desktop.ui.common import record_tables as cols
from sfa_desktop.ui.common.activity_dialog import ActivityDialog, Focus
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.custom_columns import CustomColumns
from sfa_desktop.ui.common.format import label
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.history_panel import HistoryPanel
from sfa_desktop.ui.common.id_model import AccountNames, IdsQuery, IdTableModel
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.widgets import (
    KeyValues,
    ListDetailSplitter,
    Section,
    badge,
    caption,
    clear_layout,
    fit_columns,
    fit_lazy_columns,
    heading,
    table,
)
from sfa_desktop.ui.imports.import_launch import import_button


def list_columns(accounts: AccountNames) -> list[Column[Contact]]:
    """Name, company and phone first: what tells two contacts apart and reaches them."""
    return [
        Column("Name", lambda c: c.full_name, sort="last_name"),  # sorted by last name
        Column("Company", accounts.of),
        Column("Phone", lambda c: c.phone or c.mobile or "", sort="phone"),
        Column("Title", lambda c: c.title, sort="title"),
        Column("Email", lambda c: c.email or "", sort="email"),
    ]


def contacts_query(text: str, custom: tuple[CustomFilter, ...] = ()) -> IdsQuery:
    return lambda store, sort, desc: store.contact_ids(text, None, sort, desc, custom)


class ContactView(QWidget):
    """Name, do-not-contact warnings, buying role, channels, account and activity timeline."""

    open_account = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.contact_id: str | None = None
        self.data: ContactDetail | None = None
        self.title = heading("")
        self.subtitle = caption("")
        self.warnings = QHBoxLayout()
        self.details = KeyValues()
        self.account_link = QPushButton()
        self.account_link.setFlat(True)
        self.account_link.setStyleSheet("text-align: left; color: #1a73e8;")
        self.account_link.clicked.connect(self._open_account)
        self.activities = RecordListModel(cols.ACTIVITIES, self)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Log activity…", self.log_activity),
            ("Edit…", self.edit),
            ("Delete", self.delete),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(self.warnings)
        layout.addLayout(buttons)
        layout.addWidget(Section("Details", self.details))
        timeline = table(self.activities)
        fit_columns(timeline, 2)  # the subject takes the spare width
        self.history = HistoryPanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(timeline, "Activity timeline")
        self.tabs.addTab(self.history, "History")
        layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(caption("Select a contact."))
        self.stack.addWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 0, 0, 0)
        outer.addWidget(self.stack)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def show_contact(self, contact_id: str) -> None:
        self.contact_id = contact_id
        self._ctx.query(lambda store: contact_detail(store, contact_id), self._loaded, self._failed)

    def _loaded(self, data: ContactDetail) -> None:
        if data.contact.id != self.contact_id:
            return
        self.data = data
        contact = data.contact
        self.title.setText(contact.full_name)
        self.subtitle.setText(
            " · ".join(p for p in (contact.title, data.account.name if data.account else "") if p)
        )
        clear_layout(self.warnings)
        for channel in sorted(contact.blocked_channels()):
            self.warnings.addWidget(badge(f"Do not {channel.value}", "#b3261e"))
        self.warnings.addStretch()
        self.account_link.setText(data.account.name if data.account else "—")
        self.details.set_rows(
            [
                ("Buying role", label(contact.buying_role) or "—"),
                ("Preferred channel", label(contact.preferred_channel) or "—"),
                ("Email", contact.email or ""),
                ("Phone", contact.phone or ""),
                ("Mobile", contact.mobile or ""),
                ("Account", self.account_link),
                ("Notes", contact.notes),
                *data.custom,
            ]
        )
        self.activities.set_records(data.activities)
        self.history.show_record(EntityKind.CONTACT, contact.id)
        self.stack.setCurrentIndex(1)

    def _failed(self, _error: BaseException) -> None:
        self.contact_id, self.data = None, None
        self.stack.setCurrentIndex(0)

    def _changes_applied(self, changes: Changes) -> None:
        # The History tab reloads itself; a new audit entry changes nothing else here.
        if self.contact_id and changes.kinds - {EntityKind.AUDIT_ENTRY}:
            self.show_contact(self.contact_id)

    def _open_account(self) -> None:
        if self.data and self.data.account:
            self.open_account.emit(self.data.account.id)

    def focus(self) -> Focus:
        if self.data is None:
            return Focus()
        account = self.data.account
        return Focus(
            account.id if account else None, account.name if account else "", self.data.contact.id
        )

    def log_activity(self) -> None:
        ActivityDialog(self._ctx, self.focus(), self).show()

    def edit(self) -> None:
        if self.data:
            titles = {"account_id": self.data.account.name} if self.data.account else {}
            open_form(self._ctx, Contact, self.data.contact, parent=self, titles=titles)

    def delete(self) -> None:
        if self.data is None:
            return
        contact = self.data.contact
        answer = QMessageBox.question(self, "Delete contact", f"Delete {contact.full_name}?")
        if answer == QMessageBox.StandardButton.Yes:
            self._ctx.run_op(lambda store: delete_record(store, Contact, contact.id))


class ContactsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name or email")
        self.filter.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setStyleSheet("color: #5f6368;")
        new = QPushButton("New contact")
        new.clicked.connect(lambda: open_form(ctx, Contact, parent=self))
        self.accounts = AccountNames()
        self.model: IdTableModel[Contact] = IdTableModel(
            ctx,
            Contact,
            list_columns(self.accounts),
            contacts_query(""),
            "last_name",
            self,
            accounts=self.accounts,
        )
        self.list = table(self.model)
        self.list.setSortingEnabled(True)
        self.list.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        fit_lazy_columns(self.list)
        self.custom = CustomColumns(self.list, self.model, EntityKind.CONTACT, self.model.columns)
        self.custom.filters_changed.connect(self._refilter)
        self.view = ContactView(ctx)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._refilter)
        self.filter.textChanged.connect(self._debounce.start)
        self.list.selectionModel().selectionChanged.connect(self._selected)
        self.model.reloaded.connect(self._reloaded)  # the count, and the shown contact selected
        bar = QHBoxLayout()
        bar.addWidget(heading("Contacts"))
        bar.addStretch()
        bar.addWidget(import_button(ctx, EntityKind.CONTACT, self))
        bar.addWidget(new)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.custom.button)
        left_layout.addLayout(tools)
        left_layout.addWidget(self.list)
        left_layout.addWidget(self.count)
        splitter = ListDetailSplitter(420, most=640)  # name and company at 1024, phone at 1280
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def focus(self) -> Focus:
        return self.view.focus()

    def activate(self) -> None:
        self.model.activate()

    def show_contact(self, contact_id: str) -> None:
        self.activate()
        row = self.model.row_of(contact_id)
        if row >= 0:
            self.list.selectRow(row)
        self.view.show_contact(contact_id)

    def _refilter(self) -> None:
        self.model.set_query(contacts_query(self.filter.text(), self.custom.filters()))

    def _reloaded(self) -> None:
        self.count.setText(f"{self.model.rowCount():,} contacts")
        current = self.view.contact_id
        row = self.model.row_of(current) if current else -1
        if row >= 0:
            self.list.selectRow(row)
        elif current is None and self.model.rowCount():
            self.list.selectRow(0)

    def _selected(self, selected: QItemSelection, _: QItemSelection) -> None:
        rows = selected.indexes()
        contact_id = self.model.id_at(rows[0].row()) if rows else None
        if contact_id and contact_id != self.view.contact_id:
            self.view.show_contact(contact_id)
