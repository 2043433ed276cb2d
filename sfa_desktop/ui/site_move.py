"""At start, follow the admin when the site file locks another server than the one this
computer is signed in to (sfa_desktop.sync.site_move), with a busy dialog meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from sfa_desktop.store import Store

if TYPE_CHECKING:
    from sfa_desktop.site_config import SiteConfig

T = TypeVar("T")


def follow(
    store: Store, site: SiteConfig | None, reopen: Callable[[], Store | None]
) -> tuple[Store | None, str]:
    """(the store to run on, why syncing is held or ""). A store signed in to a server
    other than the locked one sends its edits there and is erased, then `reopen()` gives a
    new one; when the edits cannot be sent, the same store comes back with the reason."""
    signed_to = store.state("server_url")
    if site is None or "sync_server" not in site.locked or not signed_to:
        return store, ""  # the usual start: no sync stack imported here
    from sfa_desktop.sync.account import SyncAccount
    from sfa_desktop.sync.credentials import Credentials
    from sfa_desktop.sync.site_move import leave_old_server, needed

    account = SyncAccount(store, Credentials(vault=store))
    new = needed(account, site)
    if not new:
        return store, ""
    label = f"Sending unsynced edits to {signed_to}\nbefore this computer moves to {new}…"
    move = while_busy(label, lambda: leave_old_server(account, new))
    if not move.moved:
        QMessageBox.warning(None, "SFA Desktop", move.message())
        return store, move.message()
    QMessageBox.information(None, "SFA Desktop", move.message())
    return reopen(), ""


def while_busy(label: str, work: Callable[[], T]) -> T:
    """`work()` on a thread while a busy dialog shows `label`; its result or its error."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # re-raised on the main thread below
            failure.append(error)

    dialog = QProgressDialog(label, "", 0, 0)
    dialog.setWindowTitle("SFA Desktop")
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(0)
    dialog.show()
    thread = threading.Thread(target=run, name="site-move", daemon=True)
    thread.start()
    loop = QEventLoop()
    poll = QTimer(interval=50)
    poll.timeout.connect(lambda: None if thread.is_alive() else loop.quit())
    poll.start()
    loop.exec()
    poll.stop()
    dialog.close()
    if failure:
        raise failure[0]
    return outcome[0]
