"""`serve --stop-with-parent`: stop when stdin reaches its end, i.e. the parent that holds
the pipe's other end has exited, however it ended (a crash or SIGKILL too)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

GRACE_SECONDS = 5.0  # for uvicorn's graceful shutdown before the process is ended hard


def stop_when_stdin_closes(grace: float = GRACE_SECONDS) -> threading.Thread:
    """Watch stdin on a daemon thread; at its end ask this process to stop (SIGTERM, which
    uvicorn answers with a graceful shutdown) and end it after `grace` seconds."""
    fd = sys.stdin.fileno()

    def watch() -> None:
        try:
            while os.read(fd, 4096):
                pass  # the parent never writes; anything it did is ignored
        except OSError:
            pass  # a closed or broken stdin means the same
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(1)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
