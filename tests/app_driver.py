"""Runs the real app in a test's subprocess and does what a rep would do once it is up.

    python tests/app_driver.py demo-then-quit ARGS...  `sfa-desktop demo ARGS`, window closed
    python tests/app_driver.py sign-in URL DB [S]      File ▸ Sign in to URL on a new store
    python tests/app_driver.py sync URL DB [S]         a signed-in store syncing with URL

Prints a line starting "driver:" when it has done its part; with S, closes the window S
seconds later (printing "driver: closing the window").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer

from sfa_desktop import cli
from sfa_desktop.ui import app
from sfa_desktop.ui.main_window import MainWindow
from sfa_desktop.ui.shell.login_dialog import Credentials as Typed

KEY = bytes.fromhex("5fa0de5c" * 8)  # store_keys.TEST_KEY
REP = "rep"


def demo_then_quit(args: list[str]) -> int:
    """The demo as `sfa-desktop demo` runs it, its window closed once it is up."""
    real_run = app.run

    def run(*positional: Any, on_ready: Any = None, **named: Any) -> int:
        def ready(window: MainWindow) -> None:
            if on_ready is not None:
                on_ready(window)
            print("driver: closing the window", flush=True)
            QTimer.singleShot(200, window.close)

        return real_run(*positional, on_ready=ready, **named)

    app.run = run  # type: ignore[assignment]  # cli._demo imports it when called
    return cli.main(["demo", *args])


def close_later(window: MainWindow, seconds: float | None) -> None:
    def close() -> None:
        print("driver: closing the window", flush=True)
        window.close()

    if seconds is not None:
        QTimer.singleShot(int(seconds * 1000), close)


def sign_in(url: str, db: Path, close_after: float | None) -> int:
    def ready(window: MainWindow) -> None:
        typed = Typed(url, REP, "secret", "test laptop", None)
        # After this callback the window is connected to the sync service.
        QTimer.singleShot(0, lambda: window.sign_in_requested.emit(typed))
        QTimer.singleShot(0, lambda: print("driver: signing in", flush=True))
        close_later(window, close_after)

    return app.run(db, on_ready=ready, key=KEY)


def sync(url: str, db: Path, close_after: float | None) -> int:
    from sfa_desktop.store import Store
    from sfa_desktop.sync.account import SyncAccount
    from sfa_desktop.sync.credentials import Credentials, SavedSession

    store = Store.open(db, key=KEY)
    store.set_state(server_url=url, username=REP)
    credentials = Credentials(persistent=False)
    credentials.save(url, REP, SavedSession("r" * 43, "s" * 43))
    account = SyncAccount(store, credentials)

    def ready(window: MainWindow) -> None:
        print("driver: syncing", flush=True)
        close_later(window, close_after)

    return app.run(db, account=account, on_ready=ready)


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "demo-then-quit":
        sys.exit(demo_then_quit(rest))
    handler = {"sign-in": sign_in, "sync": sync}[mode]
    sys.exit(handler(rest[0], Path(rest[1]), float(rest[2]) if len(rest) > 2 else None))
