"""Background work: one database thread, a small network pool, results on the main thread."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal

T = TypeVar("T")
Done = Callable[[T], None]
Failed = Callable[[BaseException], None]


class TaskManager(QObject):
    """Runs callables off the main thread and calls back on the main thread.

    All store work goes to one single-thread executor, so the database sees one writer
    and reads in submission order; network calls get a separate pool.
    """

    # A closure that must run on the main thread (queued from a worker).
    _deliver = Signal(object)
    # An error nobody asked to handle.
    unhandled_error = Signal(object)

    def __init__(self, parent: QObject | None = None, network_workers: int = 4) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(1, thread_name_prefix="sfa-db")
        self._net = ThreadPoolExecutor(network_workers, thread_name_prefix="sfa-net")
        self._pending = 0
        self._when_idle: list[Callable[[], None]] = []
        self._deliver.connect(self._run_closure, Qt.ConnectionType.QueuedConnection)

    def run_db(
        self, fn: Callable[[], T], done: Done[T] | None = None, failed: Failed | None = None
    ) -> None:
        """Run `fn` on the database thread; `done(result)` or `failed(error)` on this thread."""
        self._submit(self._db, fn, done, failed)

    def run_network(
        self, fn: Callable[[], T], done: Done[T] | None = None, failed: Failed | None = None
    ) -> None:
        self._submit(self._net, fn, done, failed)

    def is_idle(self) -> bool:
        """True when no submitted work waits for its callback (handy in tests)."""
        return self._pending == 0

    def when_idle(self, fn: Callable[[], None]) -> None:
        """Call `fn` on this thread once every job submitted so far, and any job their
        callbacks submit, has delivered its result (at once if nothing is pending)."""
        self._when_idle.append(fn)
        if self._pending == 0:
            QTimer.singleShot(0, self._idle)

    def shutdown(self) -> None:
        """Stop accepting work and wait for the running jobs."""
        self._db.shutdown(wait=True, cancel_futures=True)
        self._net.shutdown(wait=True, cancel_futures=True)

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        fn: Callable[[], Any],
        done: Done[Any] | None,
        failed: Failed | None,
    ) -> None:
        self._pending += 1
        future = pool.submit(fn)
        future.add_done_callback(
            lambda f: self._deliver.emit(partial(self._finish, f, done, failed))
        )

    def _run_closure(self, closure: Callable[[], None]) -> None:
        try:
            closure()
        except RuntimeError as error:
            # The widget that asked was closed and deleted before the answer came: drop it.
            if "already deleted" not in str(error):
                raise

    def _finish(self, future: Future[Any], done: Done[Any] | None, failed: Failed | None) -> None:
        self._pending -= 1
        if self._pending == 0 and self._when_idle:
            QTimer.singleShot(0, self._idle)  # after the callback below and the repaint
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            if done is not None:
                done(future.result())
        elif failed is not None:
            failed(error)
        else:
            self.unhandled_error.emit(error)

    def _idle(self) -> None:
        if self._pending:
            return  # a callback submitted more work: wait for that too
        waiting, self._when_idle = self._when_idle, []
        for fn in waiting:
            fn()
