"""Event reminders: APScheduler date jobs recomputed from the store, shown on the main thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QObject, QTimer, Signal

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import EntityKind, EventStatus
from sfa_desktop.core.rules.recurrence import Occurrence, expand_all
from sfa_desktop.store import Changes, Store

# Reminders can be set up to 28 days ahead; look that far (plus a day) for occurrences.
LOOKAHEAD = timedelta(days=29)
REFRESH_MS = 6 * 3600 * 1000
_SILENT = (EventStatus.CANCELLED, EventStatus.COMPLETED)
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def upcoming_reminders(store: Store, now: datetime) -> list[tuple[datetime, Occurrence]]:
    """(remind at, occurrence) for every occurrence not yet started whose event has a reminder."""
    events = [
        event
        for event in store.events_between(now, now + LOOKAHEAD)
        if event.reminder_minutes is not None and event.status not in _SILENT
    ]
    found = []
    for occurrence in expand_all(events, now, now + LOOKAHEAD):
        if occurrence.starts_at <= now:
            continue
        minutes = occurrence.event.reminder_minutes or 0
        found.append((occurrence.starts_at - timedelta(minutes=minutes), occurrence))
    return found


class EventReminders(QObject):
    """Emits `due(occurrence)` on the main thread when an event's reminder time comes.

    The jobs are recomputed from the store at start and whenever events change (local
    edits and events synced in alike), so a reminder follows the event wherever it moves.
    """

    due = Signal(object)
    # From the scheduler's thread; Qt queues it to this object's (the main) thread.
    _fired = Signal(object)

    def __init__(self, ctx: AppContext, clock: Clock = _now) -> None:
        super().__init__()
        self._ctx = ctx
        self._clock = clock
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._announced: set[tuple[str, datetime]] = set()
        self._generation = 0
        self.scheduled: dict[tuple[str, datetime], datetime] = {}
        self._fired.connect(self._deliver)
        self._refresh = QTimer(self, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.recompute)
        ctx.signals.changes_applied.connect(self._changes_applied)

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()
        self._refresh.start()
        self.recompute()

    def stop(self) -> None:
        self._refresh.stop()
        if self._scheduler.running:
            # Empty first (under the scheduler's lock): a job finishing during shutdown
            # would otherwise fail to remove itself in the scheduler's thread.
            self._scheduler.remove_all_jobs()
            self._scheduler.shutdown(wait=False)

    def recompute(self) -> None:
        """Ask the store for upcoming reminders (DB thread) and reschedule the jobs."""
        if not self._scheduler.running:
            return
        self._generation += 1
        generation, now = self._generation, self._clock()
        self._ctx.query(
            lambda store: upcoming_reminders(store, now),
            lambda found: self._schedule(generation, found),
        )

    def _schedule(self, generation: int, found: list[tuple[datetime, Occurrence]]) -> None:
        if generation != self._generation or not self._scheduler.running:
            return
        self._scheduler.remove_all_jobs()
        self.scheduled = {}
        now = self._clock()
        for remind_at, occurrence in found:
            if occurrence.key in self._announced:
                continue
            self.scheduled[occurrence.key] = remind_at
            self._scheduler.add_job(
                self._fired.emit,
                "date",
                run_date=max(remind_at, now),
                args=(occurrence,),
                misfire_grace_time=None,
            )

    def _deliver(self, occurrence: Occurrence) -> None:
        if occurrence.key in self._announced or not self._ctx.settings["reminders"]:
            return
        self._announced.add(occurrence.key)
        self.scheduled.pop(occurrence.key, None)
        self.due.emit(occurrence)

    def _changes_applied(self, changes: Changes) -> None:
        if EntityKind.EVENT in changes:
            self.recompute()
