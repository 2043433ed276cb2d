"""The main window: navigation, pages, global search, log-activity shortcut, undo, status."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.event_reminders import EventReminders
from sfa_desktop.app.reminders import ReminderService
from sfa_desktop.app.sync_status import SyncStatusTracker
from sfa_desktop.core.entities import Opportunity, Task, User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.operations.result import OpResult
from sfa_desktop.store import Store
from sfa_desktop.store.search import SearchHit
from sfa_desktop.ui.accounts_page import AccountsPage
from sfa_desktop.ui.activity_dialog import ActivityDialog, Focus
from sfa_desktop.ui.calendar_page import CalendarPage
from sfa_desktop.ui.conflicts_page import ConflictsPage
from sfa_desktop.ui.contacts_page import ContactsPage
from sfa_desktop.ui.forecast_page import ForecastPage
from sfa_desktop.ui.forms import open_form
from sfa_desktop.ui.leads_page import LeadsPage
from sfa_desktop.ui.login_dialog import Credentials, LoginDialog
from sfa_desktop.ui.notifier import Notifier
from sfa_desktop.ui.pipeline_page import PipelinePage
from sfa_desktop.ui.placeholder import PlaceholderPage
from sfa_desktop.ui.plans_page import PlansPage
from sfa_desktop.ui.search_popup import SearchPopup
from sfa_desktop.ui.settings_dialog import SettingsDialog
from sfa_desktop.ui.status_bar import SyncStatusLabel
from sfa_desktop.ui.today_page import TodayPage

PAGES = (
    "Today",
    "Accounts",
    "Contacts",
    "Calendar",
    "Pipeline",
    "Plans",
    "Forecast",
    "Leads",
    "Conflicts",
)
SIDEBAR_STYLE = """
QListWidget { background: #f1f3f4; border: none; padding-top: 8px; font-size: 11pt; }
QListWidget::item { padding: 8px 16px; border-radius: 6px; margin: 1px 8px; }
QListWidget::item:selected { background: #d2e3fc; color: #174ea6; }
"""


class MainWindow(QMainWindow):
    """Pages in a stack behind a sidebar; window-wide shortcuts act on the current page."""

    # The user asked to sign in to a server (the sync client will listen).
    sign_in_requested = Signal(object)
    # The user asked for a sync now.
    sync_requested = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._started = False
        self.setWindowTitle("SFA Desktop")
        self.resize(1280, 800)
        self.today = TodayPage(ctx)
        self.accounts = AccountsPage(ctx)
        self.contacts = ContactsPage(ctx)
        self.leads = LeadsPage(ctx)
        self.conflicts = ConflictsPage(ctx)
        self.forecast = ForecastPage(ctx)
        self.calendar = CalendarPage(ctx)
        self.pipeline = PipelinePage(ctx)
        self.plans = PlansPage(ctx)
        built: dict[str, QWidget] = {
            "Plans": self.plans,
            "Calendar": self.calendar,
            "Pipeline": self.pipeline,
            "Today": self.today,
            "Accounts": self.accounts,
            "Contacts": self.contacts,
            "Leads": self.leads,
            "Conflicts": self.conflicts,
            "Forecast": self.forecast,
        }
        self.pages = {name: built.get(name) or PlaceholderPage(name) for name in PAGES}
        self.sidebar = QListWidget()
        self.sidebar.addItems(list(PAGES))
        self.sidebar.setFixedWidth(190)
        self.sidebar.setStyleSheet(SIDEBAR_STYLE)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.sidebar.currentRowChanged.connect(self._page_changed)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.search = SearchPopup(ctx, self)
        self.search.open_requested.connect(self.open_hit)
        self.sync_label = SyncStatusLabel()
        self.statusBar().addPermanentWidget(self.sync_label)
        self.sync = SyncStatusTracker(ctx)
        ctx.signals.sync_status.connect(self.sync_label.show_status)
        ctx.signals.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        ctx.signals.undo_changed.connect(self._undo_changed)
        self.notifier = Notifier(self)
        self.reminders = ReminderService(ctx)
        self.reminders.due.connect(self.notifier.remind)
        self.event_reminders = EventReminders(ctx)
        self.event_reminders.due.connect(self.notifier.remind_event)
        for source in (self.today, self.contacts.view, self.accounts.view):
            source.open_account.connect(self.open_account)
        self.accounts.view.open_contact.connect(self.open_contact)
        self.leads.converted.connect(self.open_account)
        self._actions()
        self.go(str(ctx.settings["start_page"]).capitalize())

    def _actions(self) -> None:
        menus = self.menuBar()
        file_menu, edit_menu, go_menu = (menus.addMenu(n) for n in ("&File", "&Edit", "&Go"))
        self.undo_action = self._action(edit_menu, "&Undo", "Ctrl+Z", self.undo)
        self.undo_action.setEnabled(False)
        self._action(edit_menu, "&Search everything…", "Ctrl+K", self.search.popup)
        self._action(edit_menu, "&Log activity…", "Ctrl+L", self.log_activity)
        self._action(edit_menu, "New &task…", "Ctrl+T", self.new_task)
        self._action(file_menu, "&Sign in…", "", self.sign_in)
        self._action(file_menu, "Sync &now", "F5", self.sync_requested.emit)
        self._action(file_menu, "Se&ttings…", "Ctrl+,", self.open_settings)
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)
        for number, name in enumerate(PAGES, start=1):
            self._action(go_menu, name, f"Alt+{number}", lambda _=False, n=name: self.go(n))

    def _action(self, menu: QWidget, text: str, keys: str, slot: object) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def start(self) -> None:
        """Load what the first page shows and start the timers (after `show`)."""
        self._started = True
        self._page_changed(self.sidebar.currentRow())
        self.sync.refresh()
        self.reminders.start()
        self.reminders.check()
        self.event_reminders.start()

    # -- navigation ------------------------------------------------------------------------

    def _page_changed(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        activate = getattr(self.stack.currentWidget(), "activate", None)
        if self._started and callable(activate):
            activate()

    def go(self, name: str) -> None:
        self.sidebar.setCurrentRow(PAGES.index(name) if name in PAGES else 0)

    def current_page(self) -> QWidget:
        page = self.stack.currentWidget()
        assert page is not None
        return page

    def focus_record(self) -> Focus:
        page = self.current_page()
        focus = getattr(page, "focus", None)
        return focus() if callable(focus) else Focus()

    def open_account(self, account_id: str) -> None:
        self.go("Accounts")
        self.accounts.show_account(account_id)

    def open_contact(self, contact_id: str) -> None:
        self.go("Contacts")
        self.contacts.show_contact(contact_id)

    def open_hit(self, hit: SearchHit) -> None:
        if hit.kind is EntityKind.ACCOUNT:
            self.open_account(hit.id)
        elif hit.kind is EntityKind.CONTACT:
            self.open_contact(hit.id)
        elif hit.kind is EntityKind.LEAD:
            self.go("Leads")
            self.leads.show_lead(hit.id)
        elif hit.kind is EntityKind.OPPORTUNITY:
            record_id = hit.id
            self.ctx.query(
                lambda store: store.get(Opportunity, record_id).account_id, self.open_account
            )

    # -- actions ---------------------------------------------------------------------------

    def log_activity(self) -> ActivityDialog:
        dialog = ActivityDialog(self.ctx, self.focus_record(), self)
        dialog.show()
        dialog.activateWindow()
        dialog.subject.setFocus()
        return dialog

    def new_task(self) -> None:
        focus = self.focus_record()
        preset = {"account_id": (focus.account_id, focus.account_name)} if focus.account_id else {}
        open_form(self.ctx, Task, parent=self, preset=preset)

    def undo(self) -> None:
        self.ctx.undo(lambda text: self.statusBar().showMessage(f"Undone: {text}", 5_000))

    def _undo_changed(self, text: str) -> None:
        self.undo_action.setEnabled(bool(text))
        self.undo_action.setText(f"&Undo {text}" if text else "&Undo")

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.ctx.settings, self)
        dialog.show()
        return dialog

    def sign_in(self) -> LoginDialog:
        dialog = LoginDialog(self.ctx.settings["sync_server"], [], self)
        self.ctx.query(lambda store: store.users(), lambda users: _fill_users(dialog, users))
        dialog.accepted.connect(lambda: self._signed_in(dialog.credentials()))
        dialog.show()
        return dialog

    def _signed_in(self, credentials: Credentials) -> None:
        if credentials.server:
            self.ctx.settings.set("sync_server", credentials.server)
        if credentials.offline_user_id and not credentials.password:
            user_id = credentials.offline_user_id
            self.ctx.run_op(lambda store: _sign_in_offline(store, user_id))
        else:
            self.sign_in_requested.emit(credentials)

    def closeEvent(self, event: object) -> None:  # noqa: N802
        self.reminders.stop()
        self.event_reminders.stop()
        self.search.hide()
        super().closeEvent(event)  # type: ignore[arg-type]


def _fill_users(dialog: LoginDialog, users: list[User]) -> None:
    for user in users:
        dialog.offline.addItem(f"{user.name} ({user.email})", user.id)


def _sign_in_offline(store: Store, user_id: str) -> OpResult[User]:
    user = store.get(User, user_id)
    return OpResult(user, store.sign_in_as(user))
