"""What every view receives: the store, the task manager, signals, settings and undo."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sfa_desktop.app.settings import Settings
from sfa_desktop.app.signals import AppSignals
from sfa_desktop.app.taskman import Failed, TaskManager
from sfa_desktop.core.errors import DomainError
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, Store

T = TypeVar("T")


@dataclass
class AppContext:
    """The running app's services, handed down explicitly (there is no global instance)."""

    store: Store
    tasks: TaskManager
    signals: AppSignals
    settings: Settings
    last_undo: Undo | None = field(default=None)

    def query(
        self, fn: Callable[[Store], T], done: Callable[[T], None], failed: Failed | None = None
    ) -> None:
        """Read on the DB thread; `done(value)` on the main thread."""
        store = self.store
        self.tasks.run_db(lambda: fn(store), done, failed or self._report)

    def run_op(
        self,
        op: Callable[[Store], OpResult[T]],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
    ) -> None:
        """Write on the DB thread; then remember its undo, announce the changes, call `done`."""
        store = self.store

        def finished(result: OpResult[T]) -> None:
            if result.undo is not None:
                self._set_undo(result.undo)
            self.announce(result.changes)
            if done is not None:
                done(result.value)

        self.tasks.run_db(lambda: op(store), finished, failed or self._report)

    def undo(self, done: Callable[[str], None] | None = None) -> None:
        """Apply the inverse of the last change through the store (so it is synced too)."""
        undo = self.last_undo
        if undo is None:
            return
        self._set_undo(None)
        store = self.store

        def finished(changes: Changes) -> None:
            self.announce(changes)
            if done is not None:
                done(undo.label)

        self.tasks.run_db(lambda: undo.apply(store), finished, self._report)

    def forget_undo(self) -> None:
        """Drop the last undo (after a change it must not be applied over, such as a merge)."""
        if self.last_undo is not None:
            self._set_undo(None)

    def announce(self, changes: Changes) -> None:
        if changes:
            self.signals.changes_applied.emit(changes)

    def _set_undo(self, undo: Undo | None) -> None:
        self.last_undo = undo
        self.signals.undo_changed.emit(undo.label if undo else "")

    def _report(self, error: BaseException) -> None:
        if isinstance(error, DomainError):
            self.signals.message.emit(str(error))
        else:
            logging.getLogger(__name__).error("unexpected error", exc_info=error)
            self.signals.message.emit(f"Unexpected error: {error!r}")
            raise error
