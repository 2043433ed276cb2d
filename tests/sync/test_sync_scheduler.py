"""Background sync: on start, on demand, never two at once, status published each time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Changes
from sfa_desktop.sync.engine import SyncReport
from sfa_desktop.sync.errors import Offline
from sfa_desktop.sync.scheduler import SyncScheduler
from sfa_desktop.sync.status import SyncStatus


class Recorder:
    def __init__(self) -> None:
        self.statuses: list[SyncStatus] = []
        self.changes: list[Changes] = []
        self.done = threading.Event()

    def publish(self, status: SyncStatus) -> None:
        self.statuses.append(status)
        if not status.running:
            self.done.set()


def test_runs_on_start_on_a_worker_thread_and_publishes_status() -> None:
    recorder = Recorder()
    threads: list[str] = []

    def sync() -> SyncReport:
        threads.append(threading.current_thread().name)
        return SyncReport(
            pushed=1, changes=Changes.of(EntityKind.ACCOUNT), finished_at=datetime.now(UTC)
        )

    scheduler = SyncScheduler(sync, lambda: 0, recorder.publish, recorder.changes.append)
    scheduler.start()
    try:
        assert recorder.done.wait(10)
    finally:
        scheduler.shutdown()
    assert threads
    assert threads[0] != threading.main_thread().name
    assert recorder.statuses[0].running
    final = recorder.statuses[-1]
    assert (final.running, final.offline, final.error, final.pending) == (False, False, "", 0)
    assert final.last_sync is not None
    assert recorder.changes == [Changes.of(EntityKind.ACCOUNT)]


def test_never_two_syncs_at_once() -> None:
    entered, release = threading.Event(), threading.Event()
    calls = []

    def slow_sync() -> SyncReport:
        calls.append(1)
        entered.set()
        release.wait(10)
        return SyncReport(finished_at=datetime.now(UTC))

    scheduler = SyncScheduler(slow_sync, lambda: 3, lambda _s: None)
    worker = threading.Thread(target=scheduler.run)
    worker.start()
    assert entered.wait(10)
    assert scheduler.run() is None  # refused while the first one runs
    release.set()
    worker.join(10)
    assert calls == [1]
    assert scheduler.status.pending == 3


def test_offline_is_reported_and_the_last_sync_time_kept() -> None:
    recorder = Recorder()
    outcomes: list[object] = [SyncReport(finished_at=datetime(2026, 1, 1, tzinfo=UTC)), None]

    def sync() -> SyncReport:
        outcome = outcomes.pop(0)
        if outcome is None:
            raise Offline("Offline: the server cannot be reached.")
        assert isinstance(outcome, SyncReport)
        return outcome

    scheduler = SyncScheduler(sync, lambda: 2, recorder.publish)
    scheduler.run()
    scheduler.run()
    final = recorder.statuses[-1]
    assert final.offline
    assert "cannot be reached" in final.error
    assert final.last_sync == datetime(2026, 1, 1, tzinfo=UTC)
    assert final.pending == 2


def test_sync_now_triggers_a_run_promptly() -> None:
    recorder = Recorder()
    runs = threading.Semaphore(0)

    def sync() -> SyncReport:
        runs.release()
        return SyncReport(finished_at=datetime.now(UTC))

    scheduler = SyncScheduler(sync, lambda: 0, recorder.publish, interval_minutes=60)
    scheduler.start()
    try:
        assert runs.acquire(timeout=10)  # the start-up run
        scheduler.sync_now()
        assert runs.acquire(timeout=10)  # the one asked for, long before the hour is up
    finally:
        scheduler.shutdown()


def test_a_sync_left_behind_at_quit_ends_quietly() -> None:
    """Quitting closes the HTTP client under a sync still running (httpx then raises
    RuntimeError): that sync ends without a traceback; before shutdown such an error is
    not hidden."""
    entered, release = threading.Event(), threading.Event()

    def closed_under_it() -> SyncReport:
        entered.set()
        release.wait(10)
        raise RuntimeError("Cannot send a request, as the client has been closed.")

    scheduler = SyncScheduler(closed_under_it, lambda: 0, lambda _s: None)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(scheduler.run()))
    worker.start()
    assert entered.wait(10)
    scheduler.shutdown(timeout=0)
    release.set()
    worker.join(10)
    assert outcome == [None]
    running = SyncScheduler(closed_under_it, lambda: 0, lambda _s: None)
    release.set()
    try:
        running.run()
    except RuntimeError:
        pass
    else:
        raise AssertionError("an error outside a quit must not be hidden")


def test_sync_now_during_a_sync_runs_another_after_it() -> None:
    """Asked while a sync runs, the next one follows at once (not an interval later): what
    the rep wrote during the running sync goes up."""
    started, release = threading.Semaphore(0), threading.Event()

    def sync() -> SyncReport:
        started.release()
        assert release.wait(10)
        return SyncReport(finished_at=datetime.now(UTC))

    scheduler = SyncScheduler(sync, lambda: 0, Recorder().publish, interval_minutes=60)
    scheduler.start()
    try:
        assert started.acquire(timeout=10)  # the start-up run, still running
        scheduler.sync_now()
        time.sleep(0.5)  # the scheduler handles the request while the sync still runs
        release.set()
        assert started.acquire(timeout=10)  # the one asked for during it
    finally:
        release.set()
        scheduler.shutdown()
