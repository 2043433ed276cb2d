"""The application-wide signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppSignals(QObject):
    """One instance per running app, handed to every view (no global registry)."""

    # A write landed: the `Changes` value says which entity kinds to refresh.
    changes_applied = Signal(object)
    # The sync state changed (`sfa_desktop.sync.status.SyncStatus`).
    sync_status = Signal(object)
    # A message the window should show the user (an error nobody else handled).
    message = Signal(str)
    # Undo availability changed: the label of the change to undo, or "".
    undo_changed = Signal(str)
