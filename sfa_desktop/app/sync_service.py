"""Background sync for the running app: sign-in, the scheduler, and status on the main thread."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.sync_status import SyncStatusTracker
from sfa_desktop.core.entities import User
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Changes
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.engine import SyncReport
from sfa_desktop.sync.errors import SignInCancelled, SyncError
from sfa_desktop.sync.retry import interactive
from sfa_desktop.sync.scheduler import SyncScheduler
from sfa_desktop.sync.status import SyncStatus

# How long the sign-in dialog waits before it says the sign-in failed and what to check:
# a backstop, as the client gives up sooner on its own (retry.INTERACTIVE_SECONDS).
SIGN_IN_SECONDS = 10.0


class SyncService(QObject):
    """Owns the SyncScheduler of the signed-in account.

    The scheduler publishes from its worker thread; the two signals below carry its status
    and the Changes a sync brought in to the main thread (queued connections), where the
    status bar and the views pick them up.
    """

    _status = Signal(object)
    _changes = Signal(object)
    signed_in = Signal(object)  # User, after a successful sign-in
    sign_in_failed = Signal(object)  # the error; SignInCancelled when it ran out of time
    # Why a sign-in under way waits (a busy server asked it to try again later), for the
    # progress dialog: the worker thread emits it, the dialog shows it.
    sign_in_waiting = Signal(str)
    signed_out = Signal()

    def __init__(self, ctx: AppContext, tracker: SyncStatusTracker, account: SyncAccount) -> None:
        super().__init__()
        self._ctx = ctx
        self._tracker = tracker
        self.account = account
        self._scheduler: SyncScheduler | None = None
        self._attempt = threading.Event()  # set: the sign-in under way was given up
        self._runs = 0  # schedulers started; only the latest one's statuses are shown
        self.sign_in_seconds = SIGN_IN_SECONDS
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

    def hold(self, why: str) -> None:
        """Do not sync, and show `why` in the status bar (until the next start)."""
        self._tracker.update(replace(self._tracker.status, error=why))

    def sign_in(self, server: str, username: str, password: str, device_name: str) -> None:
        """Sign in on the network pool; start background sync once it worked.

        Ends in `signed_in` or `sign_in_failed` within `sign_in_seconds`: a server that
        does not answer by then is given up (its late answer is dropped, nothing kept).
        """
        self._attempt.set()  # an earlier attempt still running is given up
        given_up = self._attempt = threading.Event()

        def waiting(why: str) -> None:
            if not given_up.is_set():
                self.sign_in_waiting.emit(why)

        def work() -> User:
            account, policy = self.account, interactive(waiting)  # the client gives up first
            return account.sign_in(server, username, password, device_name, given_up.is_set, policy)

        def done(user: User) -> None:
            given_up.set()  # answered: the deadline no longer applies
            self._ctx.announce(Changes.of(EntityKind.USER))
            self.signed_in.emit(user)
            if self.account.credentials.message:  # no keyring: say the session is temporary
                self._ctx.signals.message.emit(self.account.credentials.message)
            self._start()

        def failed(error: BaseException) -> None:
            if given_up.is_set():
                return  # already answered (cancelled or out of time)
            given_up.set()
            self._tracker.update(replace(self._tracker.status, error=f"Sign-in failed: {error}"))
            self._ctx.signals.message.emit(f"Sign-in failed: {error}")
            self.sign_in_failed.emit(error)

        def out_of_time() -> None:
            failed(SignInCancelled(f"No answer from {server} in {self.sign_in_seconds:.0f} s."))

        QTimer.singleShot(round(self.sign_in_seconds * 1000), out_of_time)
        self._ctx.tasks.run_network(work, done, failed)

    def cancel_sign_in(self) -> None:
        """Give up the sign-in under way: nothing of it is kept, whenever it answers."""
        self._attempt.set()

    def sign_out(self) -> None:
        """Stop syncing and forget the session (once a sync under way has ended, on the
        network pool); local data and unsynced changes stay. Then `signed_out`."""
        scheduler, self._scheduler = self._scheduler, None
        self._runs += 1  # the statuses of a sync under way are no longer shown

        def work() -> None:
            if scheduler is not None:
                scheduler.shutdown()  # waits for a sync under way
            self.account.sign_out()

        def done(_: None) -> None:
            self._tracker.update(SyncStatus(pending=self._tracker.status.pending))
            self._ctx.announce(Changes.of(EntityKind.USER))
            self.signed_out.emit()

        self._ctx.tasks.run_network(work, done)

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
        self._runs += 1
        run = self._runs

        def publish(status: SyncStatus) -> None:  # a sync that outlived a sign-out is quiet
            if run == self._runs:
                self._status.emit(status)

        self._scheduler = SyncScheduler(
            sync=lambda: sync_with_connections(account),
            pending=store.outbox_count,
            publish=publish,
            changed=self._changes.emit,
            interval_minutes=float(self._ctx.settings["sync_interval"]),
        )
        self._tracker.update(replace(self._tracker.status, signed_in=True))
        self._scheduler.start()

    def _setting_changed(self, name: str, value: Any) -> None:
        if name == "sync_interval" and self._scheduler is not None:
            self._scheduler.set_interval(float(value))


def sync_with_connections(account: SyncAccount) -> SyncReport:
    """The server's sync, then every connected calendar and address book (also when the
    server cannot be reached: they have servers of their own); what they did goes to the
    status bar with the sync's warnings."""
    from sfa_desktop.connectors.mail.runner import capture_mail
    from sfa_desktop.connectors.runner import sync_connections

    try:
        report = account.engine().run_once()
    except SyncError:
        if account.store.dav_accounts():
            sync_connections(account.store, account.credentials)
        capture_mail(account.store, account.credentials)  # kept in the outbox until online
        raise
    if account.store.dav_accounts():
        summary = sync_connections(account.store, account.credentials)
        report.changes |= summary.changes
        report.warnings += [*summary.failures, *summary.warnings]
        if not summary.failures and summary.status():
            report.warnings.append(summary.status())
    mail = capture_mail(account.store, account.credentials)
    report.mail = mail.status()
    report.changes |= mail.changes
    if mail.created:  # send the captured emails now rather than at the next sync
        sent = account.engine().run_once()
        report.pushed += sent.pushed
        report.changes |= sent.changes
    return report
