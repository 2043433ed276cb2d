"""Keeps the sync status current: pending changes from the outbox, sync times from the client."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject

from sfa_desktop.app.context import AppContext
from sfa_desktop.sync.status import SyncStatus


class SyncStatusTracker(QObject):
    """Recounts the outbox after every change; `update` is for the sync client to call."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.status = SyncStatus()
        ctx.signals.changes_applied.connect(self.refresh)

    def refresh(self, *_: object) -> None:
        self._ctx.query(lambda store: store.outbox_count(), self._counted)

    def update(self, status: SyncStatus) -> None:
        self.status = status
        self._ctx.signals.sync_status.emit(status)

    def _counted(self, pending: int) -> None:
        self.update(replace(self.status, pending=pending))
