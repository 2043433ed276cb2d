"""Desktop notifications for task and event reminders: the system tray when there is one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QStyle, QSystemTrayIcon

from sfa_desktop.core.entities import CalendarEvent, Task
from sfa_desktop.ui.common.format import day

if TYPE_CHECKING:
    from sfa_desktop.core.rules.recurrence import Occurrence


class Notifier:
    """Shows a reminder in the tray, or in the window's status bar without a tray."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, window)
            self.tray.setToolTip("SFA Desktop")
            self.tray.show()
        self.shown: list[str] = []

    def remind(self, task: Task) -> None:
        due = f" (due {day(task.due_date)})" if task.due_date else ""
        self.show("Task reminder", f"{task.title}{due}")

    def remind_event(self, occurrence: Occurrence) -> None:
        self.show("Upcoming event", reminder_text(occurrence.event, occurrence.starts_at))

    def show(self, title: str, text: str) -> None:
        self.shown.append(text)
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information)
        else:
            self._window.statusBar().showMessage(f"Reminder: {text}", 15_000)


def reminder_text(event: CalendarEvent, starts_at: datetime) -> str:
    """'Quarterly review at 09:30 · Hamburg office' (time in local time)."""
    local = starts_at.astimezone()
    where = f" · {event.location}" if event.location else ""
    return f"{event.title} at {local:%H:%M}{where}"
