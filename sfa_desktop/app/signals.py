"""The application-wide signals and the sync status the status bar shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar says about sync; the sync client feeds it."""

    last_sync: datetime | None = None
    pending: int = 0
    online: bool = False
    message: str = ""


class AppSignals(QObject):
    """One instance per running app, handed to every view (no global registry)."""

    # A write landed: the `Changes` value says which entity kinds to refresh.
    changes_applied = Signal(object)
    # The sync state changed (`SyncStatus`).
    sync_status = Signal(object)
    # A message the window should show the user (an error nobody else handled).
    message = Signal(str)
    # Undo availability changed: the label of the change to undo, or "".
    undo_changed = Signal(str)
