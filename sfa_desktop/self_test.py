"""`sfa-desktop --self-test`: check an installation (site file, store, keyring, Qt) and exit.

Qt starts on the platform the app would use (X11 when DISPLAY is set, or QT_QPA_PLATFORM),
so missing system libraries show here; with no display at all (SSH, CI) it runs
offscreen. The installers run it on the bundled executable.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import platform
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sfa_desktop import __version__, site_config
from sfa_desktop.site_config import SiteConfig, SiteConfigError


class _Check:
    """What the steps share: the site config found and the store's path."""

    def __init__(self, db: Path, key: bytes | None = None) -> None:
        self.db = db
        self.key = key  # None: the store's own key (keyring or passphrase)
        self.site: SiteConfig | None = None
        self.signed_in = ""  # the server the --db store is signed in to

    def site_file(self) -> str:
        self.site = site_config.discover()
        if self.site is None:
            return "none found (the app uses its built-in defaults)"
        return f"{self.site.path}: {self.site.describe()}"

    def database(self) -> str:
        from sfa_desktop.store import Store
        from sfa_desktop.store.encryption import is_plain
        from sfa_desktop.store.engine import connect
        from sfa_desktop.store.migrate import HEAD_REVISION

        source = "a throwaway key"
        if self.key is None:
            from sfa_desktop.security import store_key

            found = store_key.load(self.db, ask=store_key.console_ask, attempts=3)
            self.key, source = found.key, f"its key from the {found.source}"
        store = Store.open(self.db, key=self.key)
        self.signed_in = store.state("server_url") or ""
        store.close()
        if is_plain(self.db):
            raise RuntimeError("the database file is not encrypted")
        connection = connect(self.db, self.key)
        try:
            (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            (cipher,) = connection.execute("PRAGMA cipher_version").fetchone()
        finally:
            connection.close()
        if revision != HEAD_REVISION:
            raise RuntimeError(f"schema {revision} after migrating, expected {HEAD_REVISION}")
        return f"{self.db} (schema {revision}, SQLCipher {cipher}, {source})"

    def sync_stack(self) -> str:
        from sfa_desktop.sync.credentials import Credentials
        from sfa_desktop.sync.engine import SyncReport
        from sfa_desktop.sync.scheduler import SyncScheduler

        SyncScheduler(SyncReport, lambda: 0, lambda _status: None)  # resolves its trigger
        from sfa_desktop.security import keyring_backend

        stored = Credentials().persistent
        where = "sign-in kept there" if stored else "sign-in kept in the encrypted store"
        return f"scheduler ok, keyring {keyring_backend.describe()} ({where})"

    def server(self) -> str:
        """The TLS of the site file's server (else the signed-in one); a server not reached
        passes (the network may be down), a certificate not trusted fails."""
        from sfa_desktop.sync import tls
        from sfa_desktop.sync.errors import Offline, UntrustedCertificate

        url = (self.site.server_url if self.site else "") or self.signed_in
        if not url:
            return "no server configured (site file or sign-in), TLS not checked"
        try:
            return tls.describe(url)
        except Offline as error:
            return f"{error}, TLS not checked"
        except UntrustedCertificate as error:
            raise _Refused(str(error)) from None

    def qt(self) -> str:
        from sfa_desktop.app import platform_check

        headless = not platform_check.has_display()
        if headless:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        problem = platform_check.problem()
        if problem is not None:
            raise RuntimeError(problem)
        from PySide6 import __version__ as pyside_version

        import sfa_desktop.ui
        from sfa_desktop.app.context import AppContext
        from sfa_desktop.app.settings import Settings
        from sfa_desktop.app.signals import AppSignals
        from sfa_desktop.app.taskman import TaskManager
        from sfa_desktop.store import Store
        from sfa_desktop.ui.app import application
        from sfa_desktop.ui.main_window import MainWindow

        modules = [m.name for m in pkgutil.iter_modules(sfa_desktop.ui.__path__, "sfa_desktop.ui.")]
        for name in modules:
            importlib.import_module(name)
        app = application()
        store = Store.open(self.db, key=self.key)
        ctx = AppContext(store, TaskManager(), AppSignals(), Settings(None, site=self.site))
        try:
            window = MainWindow(ctx)
            if window.grab().isNull():
                raise RuntimeError("the main window did not render")
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            ctx.tasks.shutdown()
            store.close()
        platform_name = app.platformName() + (" (no display)" if headless else "")
        return f"PySide6 {pyside_version} on {platform_name}, {len(modules)} UI modules, window ok"


def run(db: Path | None = None) -> int:
    """Print one line per check; 0 when all pass, else 1 with the reason on stderr."""
    frozen = "bundled" if getattr(sys, "frozen", False) else "from source"
    print(f"sfa-desktop {__version__} (Python {platform.python_version()}, {frozen})")
    with _store_path(db) as path:
        # The throwaway store is encrypted with a key held in memory; a store given with
        # --db is opened with its own key.
        check = _Check(path, None if db is not None else secrets.token_bytes(32))
        steps: list[tuple[str, Callable[[], str]]] = [
            ("site config", check.site_file),
            ("database", check.database),
            ("sync", check.sync_stack),
            ("server", check.server),
            ("qt", check.qt),
        ]
        for name, step in steps:
            try:
                print(f"{name}: {step()}", flush=True)
            except SiteConfigError as error:
                return _failed(name, "; ".join(error.problems))
            except _Refused as error:
                return _failed(name, str(error))
            except Exception as error:  # report any failure as one line, never a traceback
                return _failed(name, f"{type(error).__name__}: {error}")
    print("self-test passed")
    return 0


class _Refused(Exception):
    """A check failed for a reason its message says in full."""


def _failed(step: str, reason: str) -> int:
    print(f"self-test failed: {step}: {reason}", file=sys.stderr)
    return 1


@contextlib.contextmanager
def _store_path(db: Path | None) -> Iterator[Path]:
    if db is not None:
        yield db
        return
    with tempfile.TemporaryDirectory(prefix="sfa-self-test-") as folder:
        yield Path(folder) / "self-test.db"
