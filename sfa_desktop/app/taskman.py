"""Background work: one database thread, a small network pool, results on the main thread."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal

T = TypeVar("T")
Done = Callable[[T], None]
Failed = Callable[[BaseException], None]


class DaemonPool:
    """Up to `workers` calls at once, each on a daemon thread of its own: a call blocked
    on the network never holds up the process's exit (a ThreadPoolExecutor's would)."""

    def __init__(self, workers: int, name: str) -> None:
        self._slots = threading.BoundedSemaphore(workers)
        self._name = name
        self._numbers = itertools.count()
        self._waiting: set[Future[Any]] = set()
        self._threads: set[threading.Thread] = set()
        self._closed = False

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[T] = Future()
        self._waiting.add(future)
        name = f"{self._name}_{next(self._numbers)}"
        thread = threading.Thread(target=self._run, args=(future, fn), name=name, daemon=True)
        self._threads.add(thread)
        thread.start()
        return future

    def shutdown(self, timeout: float | None = None) -> None:
        """Cancel the calls still waiting for a slot and wait up to `timeout` seconds (None:
        as long as it takes) for the running ones; those still running are left behind."""
        self._closed = True
        for future in list(self._waiting):
            future.cancel()
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def _run(self, future: Future[T], fn: Callable[[], T]) -> None:
        try:
            with self._slots:
                self._waiting.discard(future)
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    future.set_result(fn())
                except BaseException as error:
                    future.set_exception(error)
        finally:
            self._threads.discard(threading.current_thread())


class TaskManager(QObject):
    """Runs callables off the main thread and calls back on the main thread.

    All store work goes to one single-thread executor, so the database sees one writer
    and reads in submission order; network calls get a separate pool of daemon threads,
    which shutdown does not wait for (quitting never waits for a slow server).
    """

    # A closure that must run on the main thread (queued from a worker).
    _deliver = Signal(object)
    # An error nobody asked to handle.
    unhandled_error = Signal(object)

    def __init__(self, parent: QObject | None = None, network_workers: int = 4) -> None:
        super().__init__(parent)
        self._db = ThreadPoolExecutor(1, thread_name_prefix="sfa-db")
        self._net = DaemonPool(network_workers, "sfa-net")
        self._closed = False
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

    def shutdown(self, network_timeout: float | None = None) -> None:
        """Stop accepting work; wait for the running database job, and up to
        `network_timeout` seconds (None: as long as they take) for network calls, which are
        then left behind on their daemon threads. Results that come later are dropped, and
        work asked for later (a debounce timer firing while the app quits) is not started."""
        self._closed = True
        self._db.shutdown(wait=True, cancel_futures=True)
        self._net.shutdown(network_timeout)

    def _submit(
        self,
        pool: Executor | DaemonPool,
        fn: Callable[[], Any],
        done: Done[Any] | None,
        failed: Failed | None,
    ) -> None:
        if self._closed:
            return  # quitting: nobody is left to want the answer
        self._pending += 1
        future = pool.submit(fn)
        future.add_done_callback(lambda f: self._delivered(partial(self._finish, f, done, failed)))

    def _delivered(self, closure: Callable[[], None]) -> None:
        if not self._closed:  # after shutdown nobody waits for it (the window is gone)
            self._deliver.emit(closure)

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
