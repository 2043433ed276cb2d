"""Task reminders: a main-thread timer asks the store for due reminders on the DB thread."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Task


class ReminderService(QObject):
    """Emits `due(task)` once per task whose reminder time has come."""

    due = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._announced: set[tuple[str, datetime | None]] = set()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        ctx.settings.changed.connect(self._setting_changed)
        self._apply_interval()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        if self._ctx.settings["reminders"]:
            now = datetime.now().astimezone()
            self._ctx.query(lambda store: store.due_reminders(now), self._found)

    def _found(self, tasks: list[Task]) -> None:
        for task in tasks:
            key = (task.id, task.remind_at)
            if key not in self._announced:
                self._announced.add(key)
                self.due.emit(task)

    def _apply_interval(self) -> None:
        self._timer.setInterval(int(self._ctx.settings["reminder_check"]) * 1000)

    def _setting_changed(self, name: str, _value: object) -> None:
        if name == "reminder_check":
            self._apply_interval()
