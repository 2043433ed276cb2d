"""The sync state in the status bar: online/offline, last sync, pending changes."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from sfa_desktop.sync.status import SyncStatus
from sfa_desktop.ui.common.format import moment


def describe(status: SyncStatus) -> str:
    if status.running:
        state = "Syncing…"
    elif not status.signed_in:
        state = "Not signed in"
    else:
        state = "Online" if status.online else "Offline"
    synced = f"Last sync {moment(status.last_sync)}" if status.last_sync else "Not synced yet"
    pending = {0: "no pending changes", 1: "1 pending change"}.get(
        status.pending, f"{status.pending:,} pending changes"
    )
    problem = "" if status.offline else status.error
    parts = [state, synced, pending, problem, status.mail, *status.warnings]
    return "   ·   ".join(part for part in parts if part)


class SyncStatusLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(describe(SyncStatus()), parent)
        self.setContentsMargins(8, 0, 8, 0)

    def show_status(self, status: SyncStatus) -> None:
        colour = "#188038" if status.online else "#b3261e" if status.error else "#5f6368"
        self.setText(f"<span style='color:{colour}'>●</span> {describe(status)}")
