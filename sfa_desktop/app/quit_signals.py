"""Ctrl+C (SIGINT) and SIGTERM quit the running app.

Python runs a signal handler only between bytecodes, and Qt's event loop runs none while
idle, so Qt would swallow the signal: the C-level handler writes the signal number to a
socket (`signal.set_wakeup_fd`) and a QSocketNotifier on the other end wakes the loop.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

SIGNALS = tuple(
    s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGBREAK", None)) if s is not None
)


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """The Python-level handler: the work happens when the notifier wakes the loop."""


class QuitOnSignals(QObject):
    """Calls `quit(signum)` on the main thread for SIGINT/SIGTERM until `uninstall()`."""

    def __init__(self, quit: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous: dict[int, Any] = {s: signal.signal(s, _ignore) for s in SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def uninstall(self) -> None:
        """Give the signals back to their previous handlers (KeyboardInterrupt for Ctrl+C)."""
        if not self._previous:
            return
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()

    def _woken(self) -> None:
        received = b""
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while chunk := self._reader.recv(64):
                received += chunk
        for signum in dict.fromkeys(received):  # each signal once, in arrival order
            if signum in self._previous:
                self._quit(signum)
