"""The main window: navigation, pages, global search, log-activity shortcut, undo, status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop import paths
from sfa_desktop.app.app_log import LOG_NAME
from sfa_desktop.app.context import AppContext
from sfa_desktop.app.sync_status import SyncStatusTracker
from sfa_desktop.core.entities import Task, User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.operations.result import OpResult
from sfa_desktop.operations.session import Session
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.search import SearchHit
from sfa_desktop.ui.common.activity_dialog import ActivityDialog, Focus
from sfa_desktop.ui.common.forms import open_form
from sfa_desktop.ui.shell.help_dialogs import AboutDialog, DataDialog, ShortcutsDialog, about_rows
from sfa_desktop.ui.shell.login_dialog import Credentials, LoginDialog
from sfa_desktop.ui.shell.notifier import Notifier
from sfa_desktop.ui.shell.page_factory import PAGES, build_page
from sfa_desktop.ui.shell.search_popup import SearchPopup
from sfa_desktop.ui.shell.settings_dialog import SettingsDialog
from sfa_desktop.ui.shell.sign_in_flow import SignInFlow
from sfa_desktop.ui.shell.status_bar import SyncStatusLabel
from sfa_desktop.ui.shell.welcome_panel import WelcomePanel

if TYPE_CHECKING:
    from sfa_desktop.app.event_reminders import EventReminders
    from sfa_desktop.app.reminders import ReminderService
    from sfa_desktop.sync.forecast_client import ForecastRemote
    from sfa_desktop.ui.accounts.accounts_page import AccountsPage
    from sfa_desktop.ui.calendar.calendar_page import CalendarPage
    from sfa_desktop.ui.contacts.contacts_page import ContactsPage
    from sfa_desktop.ui.duplicates.duplicates_dialog import DuplicatesDialog
    from sfa_desktop.ui.forecast.forecast_page import ForecastPage
    from sfa_desktop.ui.insight.insight_page import InsightPage
    from sfa_desktop.ui.leads.leads_page import LeadsPage
    from sfa_desktop.ui.pipeline.pipeline_page import PipelinePage
    from sfa_desktop.ui.planner.planner_page import PlannerPage
    from sfa_desktop.ui.plans.plans_page import PlansPage
    from sfa_desktop.ui.review.conflicts_page import ConflictsPage
    from sfa_desktop.ui.today.today_page import TodayPage

__all__ = ["PAGES", "MainWindow"]
SIDEBAR_STYLE = """
QListWidget { background: #f1f3f4; border: none; padding-top: 8px; font-size: 11pt; }
QListWidget::item { padding: 8px 16px; border-radius: 6px; margin: 1px 8px; }
QListWidget::item:selected { background: #d2e3fc; color: #174ea6; }
"""


class MainWindow(QMainWindow):
    """Pages in a stack behind a sidebar; window-wide shortcuts act on the current page.

    A page is built the first time it is shown or asked for, so a cold start pays only for
    the page it opens with; reminders start once that page has its data (`ready`).
    """

    # The user asked to sign in to a server (the sync client will listen).
    sign_in_requested = Signal(object)
    # The user asked to stop waiting for a sign-in, or to sign out.
    sign_in_cancelled = Signal()
    sign_out_requested = Signal()
    change_password_requested = Signal()
    # The user asked for a sync now.
    sync_requested = Signal()
    # The first page is on screen with its data; background services may start.
    ready = Signal()
    # The window was closed: the app ends, whatever dialogs are still open.
    closed = Signal()

    def __init__(self, ctx: AppContext, start_page: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self._started = False
        self._built: dict[str, QWidget] = {}
        self._forecast_remote: ForecastRemote | None = None
        self.reminders: ReminderService | None = None
        self.event_reminders: EventReminders | None = None
        self._duplicates: DuplicatesDialog | None = None  # kept: it hides groups for the session
        self.setWindowTitle("SFA Desktop")
        self.resize(1280, 800)
        self.sidebar = QListWidget()
        self.sidebar.addItems(list(PAGES))
        self.sidebar.setFixedWidth(190)
        self.sidebar.setStyleSheet(SIDEBAR_STYLE)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        for _ in PAGES:
            self.stack.addWidget(QWidget())  # stands in until the page is first shown
        self.sidebar.currentRowChanged.connect(self._page_changed)
        self.welcome = WelcomePanel()  # instead of the first page while the store is empty
        self.welcome.hide()
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.welcome, 1)
        content.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addLayout(content, 1)
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
        self._actions()
        self.welcome.sign_in.connect(self.sign_in)
        self.welcome.import_file.connect(self.import_file)
        ctx.signals.changes_applied.connect(self._changes_applied)
        self.go(start_page or str(ctx.settings["start_page"]).capitalize())

    # -- pages -----------------------------------------------------------------------------

    def page(self, name: str) -> QWidget:
        """The page called `name`, built now if it has not been shown yet."""
        page = self._built.get(name)
        if page is None:
            page = self._built[name] = build_page(name, self.ctx)
            index = PAGES.index(name)
            stand_in = self.stack.widget(index)
            assert stand_in is not None
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self._connect_page(name, page)
        return page

    def built_pages(self) -> list[str]:
        """Names of the pages built so far, in sidebar order."""
        return [name for name in PAGES if name in self._built]

    def _connect_page(self, name: str, page: Any) -> None:
        if name in ("Today", "Accounts", "Contacts", "Visit planner"):
            source = page if name in ("Today", "Visit planner") else page.view
            source.open_account.connect(self.open_account)
        if name == "Today":
            page.call_card.open_forecast.connect(lambda: self.go("Forecast"))
        if name == "Accounts":
            page.view.open_contact.connect(self.open_contact)
        elif name == "Leads":
            page.converted.connect(self.open_account)
        elif name == "Forecast":
            page.set_remote(self._forecast_remote)
        elif name == "Insight":
            page.set_remote(self._forecast_remote)
            page.open_account.connect(self.open_account)
            page.open_deal.connect(self.open_deal)

    def set_forecast_remote(self, remote: ForecastRemote | None) -> None:
        """Where the manager's forecast comes from (the signed-in account)."""
        self._forecast_remote = remote
        if "Forecast" in self._built:
            self.forecast.set_remote(remote)
        if "Insight" in self._built:
            self.insight.set_remote(remote)

    @property
    def today(self) -> TodayPage:
        return cast("TodayPage", self.page("Today"))

    @property
    def accounts(self) -> AccountsPage:
        return cast("AccountsPage", self.page("Accounts"))

    @property
    def contacts(self) -> ContactsPage:
        return cast("ContactsPage", self.page("Contacts"))

    @property
    def calendar(self) -> CalendarPage:
        return cast("CalendarPage", self.page("Calendar"))

    @property
    def planner(self) -> PlannerPage:
        return cast("PlannerPage", self.page("Visit planner"))

    @property
    def pipeline(self) -> PipelinePage:
        return cast("PipelinePage", self.page("Pipeline"))

    @property
    def plans(self) -> PlansPage:
        return cast("PlansPage", self.page("Plans"))

    @property
    def forecast(self) -> ForecastPage:
        return cast("ForecastPage", self.page("Forecast"))

    @property
    def insight(self) -> InsightPage:
        return cast("InsightPage", self.page("Insight"))

    @property
    def leads(self) -> LeadsPage:
        return cast("LeadsPage", self.page("Leads"))

    @property
    def conflicts(self) -> ConflictsPage:
        return cast("ConflictsPage", self.page("Review changes"))

    def _actions(self) -> None:
        menus = self.menuBar()
        names = ("&File", "&Edit", "&Go", "&Help")
        file_menu, edit_menu, go_menu, help_menu = (menus.addMenu(n) for n in names)
        self.undo_action = self._action(edit_menu, "&Undo", "Ctrl+Z", self.undo)
        self.undo_action.setEnabled(False)
        self._action(edit_menu, "&Search everything…", "Ctrl+K", self.search.popup)
        self._action(edit_menu, "&Log activity…", "Ctrl+L", self.log_activity)
        self._action(edit_menu, "New &task…", "Ctrl+T", self.new_task)
        self._action(edit_menu, "Find &duplicates…", "", self.find_duplicates)
        self.session_menu = SignInFlow(self.ctx, self, file_menu)
        self.session_menu.requested.connect(self.sign_in_requested.emit)
        self.session_menu.offline_requested.connect(self._signed_in)
        self.session_menu.cancel_requested.connect(self.sign_in_cancelled.emit)
        self.session_menu.sign_out_requested.connect(self.sign_out_requested.emit)
        self.session_menu.changed.connect(self._session_changed)
        self._action(file_menu, "Sync &now", "F5", self.sync_requested.emit)
        self._action(file_menu, "Change &password…", "", self.change_password_requested.emit)
        self._action(file_menu, "&Mailbox…", "", self.open_mailbox)
        self._action(file_menu, "&Calendars and address books…", "", self.open_connections)
        file_menu.addSeparator()
        self._action(file_menu, "&Import…", "", self.import_file)
        self._action(file_menu, "Export contacts to &vCard…", "", self.export_vcard)
        self._action(file_menu, "Export &mileage…", "", self.export_mileage)
        file_menu.addSeparator()
        self._action(file_menu, "Se&ttings…", "Ctrl+,", self.open_settings)
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)
        for number, name in enumerate(PAGES, start=1):
            self._action(go_menu, name, f"Alt+{number}", lambda _=False, n=name: self.go(n))
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._action(help_menu, "&Where your data is…", "", self.show_data)
        self._action(help_menu, "&About SFA Desktop", "", self.show_about)

    def _action(self, menu: QWidget, text: str, keys: str, slot: object) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def start(self) -> None:
        """Load what the first page shows (after `show`); reminders once it has its data."""
        self._started = True
        self._page_changed(self.sidebar.currentRow())
        self.sync.refresh()
        self.session_menu.refresh()
        self.ctx.tasks.when_idle(self._start_services)

    def _start_services(self) -> None:
        self.ready.emit()
        from sfa_desktop.app.event_reminders import EventReminders
        from sfa_desktop.app.reminders import ReminderService

        reminders, event_reminders = ReminderService(self.ctx), EventReminders(self.ctx)
        reminders.due.connect(self.notifier.remind)
        event_reminders.due.connect(self.notifier.remind_event)
        reminders.start()
        reminders.check()
        event_reminders.start()
        self.reminders, self.event_reminders = reminders, event_reminders

    # -- navigation ------------------------------------------------------------------------

    def _page_changed(self, row: int) -> None:
        self.page(PAGES[row])
        self.stack.setCurrentIndex(row)
        self._show_welcome()
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

    def open_deal(self, deal_id: str) -> None:
        self.go("Pipeline")
        self.pipeline.show_deal(deal_id)

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
            self.go("Pipeline")
            self.pipeline.show_deal(hit.id)
        elif hit.kind is EntityKind.EVENT:
            self.go("Calendar")
            self.calendar.show_event(hit.id)

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

    def find_duplicates(self) -> DuplicatesDialog:
        if self._duplicates is None:
            from sfa_desktop.ui.duplicates.duplicates_dialog import DuplicatesDialog

            self._duplicates = DuplicatesDialog(self.ctx, self)
        elif not self._duplicates.isVisible():
            self._duplicates.search()
        self._duplicates.show()
        self._duplicates.raise_()
        self._duplicates.activateWindow()
        return self._duplicates

    def import_file(self) -> QWidget:
        """The import wizard, for the records of the list on screen (else as the file says)."""
        from sfa_desktop.ui.imports.import_launch import open_import

        kinds = {
            "Accounts": EntityKind.ACCOUNT,
            "Contacts": EntityKind.CONTACT,
            "Leads": EntityKind.LEAD,
        }
        name = PAGES[self.sidebar.currentRow()] if self.sidebar.currentRow() >= 0 else ""
        return open_import(self.ctx, self, kinds.get(name))

    def export_vcard(self) -> QWidget:
        """Contacts to a .vcf file: all, or those listed on the Contacts page (if it was shown)."""
        from sfa_desktop.ui.contacts.vcard_export_dialog import VCardExportDialog

        listed = self.contacts.model.ids() if "Contacts" in self._built else None
        dialog = VCardExportDialog(self.ctx, listed, self)
        dialog.show()
        return dialog

    def export_mileage(self) -> QWidget:
        """A month's drives to visits, for an expense claim (CSV or XLSX)."""
        from sfa_desktop.ui.planner.mileage_dialog import MileageDialog

        dialog = MileageDialog(self.ctx, parent=self)
        dialog.show()
        return dialog

    def undo(self) -> None:
        self.ctx.undo(lambda text: self.statusBar().showMessage(f"Undone: {text}", 5_000))

    def _undo_changed(self, text: str) -> None:
        self.undo_action.setEnabled(bool(text))
        self.undo_action.setText(f"&Undo {text}" if text else "&Undo")

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.ctx.settings, self, self.session_menu.session)
        dialog.show()
        return dialog

    def open_mailbox(self) -> QWidget:
        """Connect the mailbox email is captured from, or see and change the connected one."""
        from sfa_desktop.ui.mail.mail_dialog import MailDialog

        dialog = MailDialog(self.ctx, self)
        dialog.show()
        return dialog

    def open_connections(self) -> QWidget:
        """The rep's own calendars and address books: connect, see their sync, remove."""
        from sfa_desktop.ui.connections.connections_dialog import ConnectionsDialog

        dialog = ConnectionsDialog(self.ctx, self)
        dialog.show()
        return dialog

    def sign_in(self) -> LoginDialog:
        return self.session_menu.sign_in()

    def _signed_in(self, credentials: Credentials) -> None:
        user_id = credentials.offline_user_id
        if user_id:
            self.ctx.run_op(lambda store: _sign_in_offline(store, user_id))

    def _changes_applied(self, changes: Changes) -> None:
        session = self.session_menu.session
        if EntityKind.USER in changes.kinds or (session and not session.has_records):
            self.session_menu.refresh()  # a sign-in, or the first records arrived

    def _session_changed(self, session: Session) -> None:
        self.welcome.update_for(session)
        self._show_welcome()

    def _show_welcome(self) -> None:
        session = self.session_menu.session
        empty = session is not None and not session.has_records
        first = self.sidebar.currentRow() <= 0
        self.welcome.setVisible(empty and first)
        self.stack.setVisible(not (empty and first))

    # -- help ------------------------------------------------------------------------------

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self)
        dialog.show()
        return dialog

    def show_data(self) -> DataDialog:
        settings = self.ctx.settings
        log = paths.log_dir() / LOG_NAME
        dialog = DataDialog(
            self.ctx.store.path,
            settings.path,
            settings.site_path,
            self,
            log if log.exists() else None,
        )
        dialog.show()
        return dialog

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(about_rows(self.session_menu.session, self.ctx.store.path), self)
        dialog.show()
        return dialog

    def closeEvent(self, event: object) -> None:  # noqa: N802
        for service in (self.reminders, self.event_reminders):
            if service is not None:
                service.stop()
        self.search.hide()
        super().closeEvent(event)  # type: ignore[arg-type]
        self.closed.emit()


def _sign_in_offline(store: Store, user_id: str) -> OpResult[User]:
    user = store.get(User, user_id)
    return OpResult(user, store.sign_in_as(user))
