"""Background sync for the running app: sign-in, the scheduler, and status on the main thread."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.sync_status import SyncStatusTracker
from sfa_desktop.core.entities import User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Changes
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.scheduler import SyncScheduler


class SyncService(QObject):
    """Owns the SyncScheduler of the signed-in account.

    The scheduler publishes from its worker thread; the two signals below carry its status
    and the Changes a sync brought in to the main thread (queued connections), where the
    status bar and the views pick them up.
    """

    _status = Signal(object)
    _changes = Signal(object)
    signed_in = Signal(object)  # User, after a successful sign-in

    def __init__(self, ctx: AppContext, tracker: SyncStatusTracker, account: SyncAccount) -> None:
        super().__init__()
        self._ctx = ctx
        self._tracker = tracker
        self.account = account
        self._scheduler: SyncScheduler | None = None
        self._status.connect(tracker.update)
        self._changes.connect(ctx.announce)
        ctx.settings.changed.connect(self._setting_changed)

    @property
    def active(self) -> bool:
        return self._scheduler is not None

    def start_if_signed_in(self) -> None:
        """Resume syncing a store that signed in before (its token is in the keyring)."""
        if self.account.server_url and self.account.username:
            self._start()

    def sign_in(self, server: str, username: str, password: str, device_name: str) -> None:
        """Sign in on the network pool; start background sync once it worked."""

        def work() -> User:
            return self.account.sign_in(server, username, password, device_name)

        def done(user: User) -> None:
            self._ctx.announce(Changes.of(EntityKind.USER))
            self.signed_in.emit(user)
            if self.account.credentials.message:  # no keyring: say the session is temporary
                self._ctx.signals.message.emit(self.account.credentials.message)
            self._start()

        def failed(error: BaseException) -> None:
            self._tracker.update(replace(self._tracker.status, error=f"Sign-in failed: {error}"))
            self._ctx.signals.message.emit(f"Sign-in failed: {error}")

        self._ctx.tasks.run_network(work, done, failed)

    def sync_now(self) -> None:
        if self._scheduler is None:
            self._ctx.signals.message.emit("Sign in to a server to sync (File ▸ Sign in…).")
            return
        self._scheduler.sync_now()

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop syncing; wait up to `timeout` seconds (None: as long as it takes) for a
        sync that is running (quitting does not wait for a slow server)."""
        if self._scheduler is not None:
            self._scheduler.shutdown(timeout)
            self._scheduler = None
        self.account.close()

    def _start(self) -> None:
        if self._scheduler is not None:
            return
        account, store = self.account, self._ctx.store
        self._scheduler = SyncScheduler(
            sync=lambda: account.engine().run_once(),
            pending=store.outbox_count,
            publish=self._status.emit,
            changed=self._changes.emit,
            interval_minutes=float(self._ctx.settings["sync_interval"]),
        )
        self._tracker.update(replace(self._tracker.status, signed_in=True))
        self._scheduler.start()

    def _setting_changed(self, name: str, value: Any) -> None:
        if name == "sync_interval" and self._scheduler is not None:
            self._scheduler.set_interval(float(value))
