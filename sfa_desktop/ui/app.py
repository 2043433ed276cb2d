"""Start the desktop app: Qt application, services, main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMessageBox

from sfa_desktop import __version__, paths
from sfa_desktop.app import platform_check
from sfa_desktop.app.context import AppContext
from sfa_desktop.app.quit_signals import QuitOnSignals
from sfa_desktop.app.settings import Settings
from sfa_desktop.app.signals import AppSignals
from sfa_desktop.app.taskman import TaskManager
from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import Store
from sfa_desktop.ui import site_move
from sfa_desktop.ui.common.format import use_readable_locale
from sfa_desktop.ui.main_window import MainWindow

if TYPE_CHECKING:
    from sfa_desktop.app.sync_service import SyncService
    from sfa_desktop.site_config import SiteConfig
    from sfa_desktop.sync.account import SyncAccount


def build_context(
    store: Store, settings_path: Path | None, site: SiteConfig | None = None
) -> AppContext:
    """The services of one running app (a QApplication must exist); `site` is the admin's
    site configuration (defaults and locked settings)."""
    return AppContext(store, TaskManager(), AppSignals(), Settings(settings_path, site=site))


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        platform_check.exit_if_unusable()  # one line naming the packages, not Qt's abort
        app = QApplication(sys.argv[:1])
    app.setApplicationName("SFA Desktop")
    app.setOrganizationName("sfa-desktop")
    use_readable_locale()
    return app


log = logging.getLogger(__name__)
QUIT_WAIT_SECONDS = 0.25  # for a sync or network call to finish when the app quits
KEYRING_BACKEND_FILE = "keyring-backend"  # the backend found last time (a start-up shortcut)


class KeyFrom(Enum):
    STORE_KEY = "store_key"  # the keyring, else the passphrase dialog


def open_store(path: Path, key: bytes | KeyFrom | None = KeyFrom.STORE_KEY) -> Store | None:
    """The store at `path` with its key from `sfa_desktop.security.store_key` (the keyring,
    or a passphrase asked in a dialog), or with `key` given; None, once the rep has been
    told why, when it cannot be opened (or they cancelled the passphrase)."""
    if not isinstance(key, KeyFrom):
        return _told_of_rescue(Store.open(path, key=key))
    from sfa_desktop.security import keyring_backend, store_key
    from sfa_desktop.ui.shell.passphrase_dialog import ask_passphrase

    remembered = paths.config_dir() / KEYRING_BACKEND_FILE
    keyring_backend.use_remembered(remembered)
    try:
        found = store_key.load(path, ask=ask_passphrase)
        store = Store.open(path, key=found.key)
        if found.source == "keyring":
            keyring_backend.remember(remembered)
        return _told_of_rescue(store)
    except store_key.PassphraseNeeded:
        return None  # the rep cancelled
    except DomainError as error:  # a lost key, a key that does not fit, an unreadable file
        QMessageBox.critical(None, "SFA Desktop", f"The local data cannot be opened.\n\n{error}")
        return None


def _told_of_rescue(store: Store) -> Store:
    """`store`, once the rep has read what a rescue of its damaged file kept (if any)."""
    if store.rescued is not None:
        QMessageBox.warning(None, "SFA Desktop", store.rescued.message)
    return store


def run(
    store_path: Path,
    start_page: str | None = None,
    account: SyncAccount | None = None,
    on_ready: Callable[[MainWindow], None] | None = None,
    site: SiteConfig | None = None,
    key: bytes | KeyFrom | None = KeyFrom.STORE_KEY,
) -> int:
    """Open the main window on the store at `store_path` and run until it closes.

    The store's key comes from the keyring, or from a passphrase the rep is asked for
    (`key` gives it instead; None opens a plain file: tests and benchmarks). With
    `account` (a store already open and signed in, as the demo does) syncing starts at
    once; otherwise it starts if the store signed in before, or after File ▸ Sign in.
    The rest of the sync stack (httpx, APScheduler) is imported only once the first page
    is on screen, right after `on_ready(window)`.
    """
    application()
    log.info("sfa-desktop %s starting on %s", __version__, store_path)
    store = account.store if account else open_store(store_path, key)
    held = ""
    if account is None and store is not None:
        store, held = site_move.follow(store, site, lambda: open_store(store_path, key))
    if store is None:
        return 1
    ctx = build_context(store, paths.config_dir() / "settings.json", site)
    window = MainWindow(ctx, start_page.capitalize() if start_page else None)
    services: list[SyncService] = []

    def ready() -> None:
        if on_ready is not None:
            on_ready(window)
        services.append(start_sync(ctx, window, account, held))

    window.ready.connect(ready)
    running = QEventLoop()  # ends with the main window (or QApplication.quit)
    window.closed.connect(running.quit)

    def quit_on(signum: int) -> None:  # Ctrl+C or SIGTERM: close dialogs and the window
        QApplication.closeAllWindows()
        running.exit(128 + signum)

    signals = QuitOnSignals(quit_on)
    window.show()
    window.start()
    code = running.exec()
    signals.uninstall()
    for sync in services:  # a sync or sign-in blocked on a slow server is left behind
        sync.shutdown(QUIT_WAIT_SECONDS)
    ctx.tasks.shutdown(QUIT_WAIT_SECONDS)
    store.close()
    return int(code)


def change_password(ctx: AppContext, window: MainWindow, account: SyncAccount) -> None:
    """File ▸ Change password…: signed in, a new password for the current one; before
    the first sign-in, the first password with the admin's set-up code. The server is
    asked on the network pool."""
    from sfa_desktop.ui.shell.password_dialog import NewPassword, PasswordDialog

    server = None if account.server_url else str(ctx.settings["sync_server"] or "")
    if server == "":
        ctx.signals.message.emit("Set the server address in Settings first.")
        return

    def submit(
        typed: NewPassword, done: Callable[[], None], failed: Callable[[BaseException], None]
    ) -> None:
        def work() -> None:
            if server is None:
                account.client().change_password(typed.current, typed.new)
            else:
                account.set_up_password(server, typed.username, typed.current, typed.new)

        ctx.tasks.run_network(work, lambda _: done(), failed)

    if PasswordDialog(submit, window, setup_server=server).exec() and server is not None:
        ctx.signals.message.emit("Your password is set: sign in with it (File ▸ Sign in…).")


def start_sync(
    ctx: AppContext, window: MainWindow, account: SyncAccount | None, held: str = ""
) -> SyncService:
    """Connect the window to a sync service for `account` (or the store's saved sign-in);
    `held` says why it must not sync now (edits kept for a server the admin moved from)."""
    from sfa_desktop.app.sync_service import SyncService
    from sfa_desktop.sync.account import SyncAccount
    from sfa_desktop.sync.credentials import Credentials
    from sfa_desktop.sync.forecast_client import ForecastRemote

    account = account or SyncAccount(ctx.store, Credentials(vault=ctx.store))
    sync = SyncService(ctx, window.sync, account)
    window.sign_in_requested.connect(
        lambda c: sync.sign_in(c.server, c.username, c.password, c.device_name)
    )
    window.sync_requested.connect(sync.sync_now)
    window.sign_in_cancelled.connect(sync.cancel_sign_in)
    window.sign_out_requested.connect(sync.sign_out)
    window.change_password_requested.connect(lambda: change_password(ctx, window, sync.account))
    sync.signed_in.connect(window.session_menu.finished)
    sync.sign_in_failed.connect(window.session_menu.failed)
    sync.sign_in_waiting.connect(window.session_menu.waiting)
    sync.signed_out.connect(window.session_menu.refresh)
    window.set_forecast_remote(ForecastRemote(sync.account))
    if held:
        sync.hold(held)
    else:
        sync.start_if_signed_in()
    return sync
