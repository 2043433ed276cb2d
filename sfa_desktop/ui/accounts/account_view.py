"""The 360° view of one account: details, hierarchy, plan, contacts, activities, deals, tasks,
and the account's history."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.settings import channel_costs
from sfa_desktop.core.entities import Account, Activity, Contact, Task
from sfa_desktop.core.enums import EntityKind, LocationSource
from sfa_desktop.core.errors import NotFound
from sfa_desktop.core.rules.geo import Point
from sfa_desktop.operations.locate import pin_account
from sfa_desktop.operations.plans import travel_rate
from sfa_desktop.operations.records import complete_task, delete_record
from sfa_desktop.operations.views import Account360, account_360
from sfa_desktop.store import Changes
from sfa_desktop.ui.accounts.account_overview import AccountOverview
from sfa_desktop.ui.common import record_tables as cols
from sfa_desktop.ui.common.activity_dialog import Focus
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.common.history_panel import HistoryPanel
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.location_dialog import LocationDialog
from sfa_desktop.ui.common.widgets import badge, caption, clear_layout, fit_columns, heading, table


class AccountView(QWidget):
    """Loads an `Account360` on the DB thread and shows it; refreshes on relevant changes."""

    open_account = Signal(str)
    open_contact = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.account_id: str | None = None
        self.data: Account360 | None = None
        self._request = 0
        self.title = heading("")
        self.badges = QHBoxLayout()
        self.subtitle = caption("")
        self.overview = AccountOverview()
        self.overview.open_account.connect(self.open_account)
        self.contacts = RecordListModel(cols.CONTACTS, self)
        self.activities = RecordListModel(cols.ACTIVITIES, self)
        self.opportunities = RecordListModel(cols.OPPORTUNITIES, self)
        self.tasks = RecordListModel(cols.TASKS, self)
        self.tabs = QTabWidget()
        # Six tabs with counts fit the view of a 1024-pixel window only a little tighter.
        self.tabs.setStyleSheet("QTabBar::tab { padding: 5px 7px; }")
        self.tabs.addTab(self.overview, "Overview")
        self.contact_table = table(self.contacts)
        self.contact_table.doubleClicked.connect(
            lambda index: self._open_contact(self.contacts.record_at(index.row()))
        )
        self.activity_table = table(self.activities)
        self.activity_table.doubleClicked.connect(
            lambda index: self.edit_activity(self.activities.record_at(index.row()))
        )
        for widget, name, stretch in (
            (self.contact_table, "Contacts", 0),
            (self.activity_table, "Activities", 2),
            (table(self.opportunities), "Open deals", 0),
        ):
            fit_columns(widget, stretch)
            self.tabs.addTab(widget, name)
        self.task_table = table(self.tasks)
        fit_columns(self.task_table, 1)
        self.task_table.doubleClicked.connect(
            lambda index: self.edit_task(self.tasks.record_at(index.row()))
        )
        self.tabs.addTab(self._tasks_tab(), "Tasks")
        self.history = HistoryPanel(ctx)
        self.tabs.addTab(self._history_tab(), "History")
        self.stack = QStackedWidget()
        self.stack.addWidget(caption("Select an account to see its contacts, activities and plan."))
        self.stack.addWidget(self._body())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.addWidget(self.stack)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def _body(self) -> QWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addLayout(self.badges)
        layout.addLayout(header)
        layout.addWidget(self.subtitle)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Log activity…", self.log_activity),
            ("New contact…", self.new_contact),
            ("New task…", self.new_task),
            ("Edit…", self.edit),
            ("Location…", self.edit_location),
            ("Delete", self.delete),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        return body

    def _tasks_tab(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 6, 0, 0)
        done = QPushButton("Mark done")
        done.clicked.connect(self._complete_task)
        row = QHBoxLayout()
        row.addWidget(done)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(self.task_table)
        return widget

    def _history_tab(self) -> QWidget:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.history)
        return widget

    # -- loading ---------------------------------------------------------------------------

    def show_account(self, account_id: str) -> None:
        self.account_id = account_id
        self.history.show_record(EntityKind.ACCOUNT, account_id)
        self.reload()

    def reload(self) -> None:
        if self.account_id is None:
            return
        self._request += 1
        request, account_id, today = self._request, self.account_id, date.today()
        costs, travel = channel_costs(self._ctx.settings), travel_rate(self._ctx.settings)
        self._ctx.query(
            lambda store: account_360(store, account_id, today, costs, travel),
            lambda data: self._loaded(request, data),
            lambda error: self._failed(request, error),
        )

    def _loaded(self, request: int, data: Account360) -> None:
        if request != self._request:
            return
        self.data = data
        account = data.account
        self.title.setText(account.name)
        clear_layout(self.badges)
        if account.grade:
            self.badges.addWidget(badge(f"Grade {account.grade}"))
        if account.is_partner:
            self.badges.addWidget(badge("Partner", "#188038"))
        place = ", ".join(part for part in (account.city, account.country) if part)
        self.subtitle.setText(
            " · ".join(p for p in (account.industry, account.segment, place) if p)
        )
        self.overview.show_data(data)
        self.contacts.set_records(data.contacts)
        self.activities.set_records(data.activities)
        self.opportunities.set_records(data.opportunities)
        self.tasks.set_records(data.tasks)
        for index, count in (
            (1, len(data.contacts)),
            (2, len(data.activities)),
            (3, len(data.opportunities)),
            (4, len(data.tasks)),
        ):
            self.tabs.setTabText(index, f"{self.tabs.tabText(index).split(' (')[0]} ({count})")
        self.stack.setCurrentIndex(1)

    def _failed(self, request: int, error: BaseException) -> None:
        if request != self._request:
            return
        if isinstance(error, NotFound):
            self.account_id, self.data = None, None
            self.history.clear()
            self.stack.setCurrentIndex(0)
        else:
            self._ctx.signals.message.emit(str(error))

    def _changes_applied(self, changes: Changes) -> None:
        # The History tab reloads itself; a new audit entry changes nothing else here.
        if self.account_id and changes.kinds - {EntityKind.USER, EntityKind.AUDIT_ENTRY}:
            self.reload()

    # -- actions ---------------------------------------------------------------------------

    def focus(self) -> Focus:
        if self.data is None:
            return Focus()
        return Focus(self.data.account.id, self.data.account.name)

    def log_activity(self) -> None:
        from sfa_desktop.ui.common.activity_dialog import ActivityDialog

        ActivityDialog(self._ctx, self.focus(), self).show()

    def new_contact(self) -> None:
        if self.data:
            preset = {"account_id": (self.data.account.id, self.data.account.name)}
            open_form(self._ctx, Contact, parent=self, preset=preset)

    def new_task(self) -> None:
        preset = {"account_id": (self.data.account.id, self.data.account.name)} if self.data else {}
        open_form(self._ctx, Task, parent=self, preset=preset)

    def edit(self) -> None:
        if self.data:
            parent = self.data.parent
            titles = {"parent_id": parent.name} if parent else {}
            open_form(self._ctx, Account, self.data.account, parent=self, titles=titles)

    def edit_location(self) -> LocationDialog | None:
        """Pin the account on the map: coordinates typed or its city's centre."""
        if self.data is None:
            return None
        account = self.data.account
        here = None if account.latitude is None else Point(account.latitude, account.longitude or 0)
        dialog = LocationDialog(
            self._ctx,
            f"Location of {account.name}",
            here,
            account.city,
            account.country,
            removable=True,
            parent=self,
        )
        account_id = account.id
        dialog.located.connect(lambda point, source: self._locate(account_id, point, source))
        dialog.show()
        return dialog

    def _locate(self, account_id: str, point: Point | None, source: LocationSource | None) -> None:
        chosen = source or LocationSource.PIN
        self._ctx.run_op(lambda store: pin_account(store, account_id, point, chosen))

    def edit_activity(self, activity: Activity | None) -> None:
        from sfa_desktop.ui.common.activity_dialog import ActivityDialog

        if activity is not None and self.data is not None:
            focus = Focus(
                activity.account_id,
                self.data.account.name if activity.account_id == self.data.account.id else "",
                opportunity_id=activity.opportunity_id,
            )
            ActivityDialog(self._ctx, focus, self, activity).show()

    def edit_task(self, task: Task | None) -> None:
        if task is not None and self.data is not None:
            titles = {"account_id": self.data.account.name} if task.account_id else {}
            open_form(self._ctx, Task, task, parent=self, titles=titles)

    def delete(self) -> None:
        if self.data is None:
            return
        account = self.data.account
        answer = QMessageBox.question(self, "Delete account", f"Delete {account.name}?")
        if answer == QMessageBox.StandardButton.Yes:
            self._ctx.run_op(lambda store: delete_record(store, Account, account.id))

    def _complete_task(self) -> None:
        rows = self.task_table.selectionModel().selectedRows()
        task = self.tasks.record_at(rows[0].row()) if rows else None
        if task is not None:
            self._ctx.run_op(lambda store: complete_task(store, task.id))

    def _open_contact(self, contact: Contact | None) -> None:
        if contact is not None:
            self.open_contact.emit(contact.id)
