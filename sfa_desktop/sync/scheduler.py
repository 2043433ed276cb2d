"""Background sync: on start, every N minutes and on demand, never two at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

from apscheduler.schedulers.background import BackgroundScheduler

from sfa_desktop.core.entities import utcnow
from sfa_desktop.store import Changes
from sfa_desktop.sync.engine import SyncReport
from sfa_desktop.sync.errors import Offline, SyncError
from sfa_desktop.sync.status import SyncStatus

JOB_ID = "sync"
log = logging.getLogger(__name__)


class SyncScheduler:
    """Runs `sync` on a daemon thread of its own and publishes a SyncStatus after each step.

    APScheduler only times the syncs: each run gets a daemon thread, so a sync blocked on
    a slow server never holds up quitting (the pool's threads would, at interpreter exit).

    `sync` does one sync and returns its report; `pending` counts the outbox; `publish`
    receives every status (the app marshals it to the UI thread) and `changed` the
    Changes a sync brought in.
    """

    def __init__(
        self,
        sync: Callable[[], SyncReport],
        pending: Callable[[], int],
        publish: Callable[[SyncStatus], None],
        changed: Callable[[Changes], None] = lambda _changes: None,
        interval_minutes: float = 15,
    ) -> None:
        self._sync = sync
        self._pending = pending
        self._publish = publish
        self._changed = changed
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._gate = threading.Lock()  # guards _busy and _asked
        self._busy = False  # a background thread is syncing
        self._asked = False  # sync_now came while it was
        self._stopping = False  # set by shutdown: a sync left behind may find things closed
        self.status = SyncStatus(signed_in=True)
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._scheduler.add_job(
            self._run_in_background,
            "interval",
            id=JOB_ID,
            minutes=interval_minutes,
            next_run_time=utcnow(),  # also on start
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop timing syncs; wait up to `timeout` seconds (None: as long as it takes) for
        a running one, which is then left behind on its daemon thread (and ends quietly
        when what it uses is closed under it)."""
        self._stopping = True
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def sync_now(self) -> None:
        """Sync as soon as possible; asked while one runs, another follows it (what was
        written during the running one goes up then, not an interval later). Started
        here, not by moving the job's next run: APScheduler, still booking the run that
        just ended, could write its own next time over that one and lose the request."""
        if self._stopping:
            return
        with self._gate:
            if self._busy:
                self._asked = True
                return
        self._run_in_background()

    def set_interval(self, minutes: float) -> None:
        self._scheduler.reschedule_job(JOB_ID, trigger="interval", minutes=minutes)

    def _run_in_background(self) -> None:
        with self._gate:
            if self._busy:
                return  # one runs already (a sync asked for meanwhile follows it: _runs)
            self._busy, self._asked = True, False
        self._thread = threading.Thread(target=self._runs, name="sfa-sync", daemon=True)
        self._thread.start()

    def _runs(self) -> None:
        """Sync, and again while someone asked for a sync during the last one."""
        while True:
            self.run()
            with self._gate:
                if not self._asked or self._stopping:
                    self._busy = False
                    return
                self._asked = False

    def run(self) -> SyncReport | None:
        """One sync now, on the calling thread; returns None if one is already running."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            self._show(replace(self.status, running=True))
            report: SyncReport | None = None
            error, offline = "", False
            try:
                report = self._sync()
            except SyncError as failure:
                error, offline = str(failure), isinstance(failure, Offline)
            except Exception:
                if self._stopping:  # the app quit and closed the client under this sync
                    return None
                raise
            if report is not None and report.changes:
                self._changed(report.changes)
            _log(report, error, offline)
            self._show(
                SyncStatus(
                    signed_in=True,
                    last_sync=report.finished_at if report else self.status.last_sync,
                    pending=self._pending(),
                    offline=offline,
                    error=error,
                    warnings=tuple(report.warnings) if report else (),
                    mail=report.mail if report else self.status.mail,
                )
            )
            return report
        finally:
            self._lock.release()

    def _show(self, status: SyncStatus) -> None:
        self.status = status
        self._publish(status)


def _log(report: SyncReport | None, error: str, offline: bool) -> None:
    if report is not None:
        log.info(
            "synced: %d pushed, %d pulled, %d conflicts, %d refused",
            report.pushed,
            report.pulled,
            report.conflicts,
            report.rejected,
        )
        for warning in report.warnings:
            log.warning("sync warning: %s", warning)
    elif error:
        (log.info if offline else log.warning)("sync failed: %s", error)
