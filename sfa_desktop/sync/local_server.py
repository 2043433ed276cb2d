"""A sync server on loopback for the demo: seeded once, started and stopped with the app."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from types import TracebackType

import httpx

from sfa_desktop.core.enums import Role
from sfa_desktop.demo import DemoSize, demo_users
from sfa_desktop.sync.errors import SyncError

DEMO_PASSWORD = "demo-password"  # the server's `demo-seed` default
_SERVER = (sys.executable, "-m", "sync_server")


def demo_rep_username(contacts: int, seed: int = 7) -> str:
    """The first demo rep's sign-in name (the server derives it from the email the same way)."""
    users = demo_users(DemoSize.scaled(contacts), seed=seed, today=date.today())
    rep = next(user for user in users if user.role is Role.REP)
    return rep.email.split("@", 1)[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalServer:
    """`sfa-server` in a child process on 127.0.0.1 with a SQLite file in `folder`."""

    def __init__(self, folder: Path, contacts: int = 2_000, seed: int = 7) -> None:
        self.folder = folder
        self.contacts = contacts
        self.seed = seed
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._env = dict(os.environ)
        self._env["SFA_DATABASE_URL"] = f"sqlite:///{folder / 'server.db'}"

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*_SERVER, *args],
            env=self._env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0:
            raise SyncError(
                "The demo server could not be prepared (is the server extra installed? "
                f"pip install -e '.[all]'): {result.stderr.strip() or result.stdout.strip()}"
            )

    def _secret(self) -> str:
        """The server's token key, kept beside its database so restarts keep sessions."""
        path = self.folder / "secret-key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def start(self, timeout: float = 60) -> LocalServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._env["SFA_SECRET_KEY"] = self._secret()
        self._run("demo-seed", "--contacts", str(self.contacts), "--seed", str(self.seed))
        self._process = subprocess.Popen(
            [*_SERVER, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self._env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SyncError(
                    f"The demo server stopped at start (exit {self._process.returncode})."
                )
            try:
                httpx.get(f"{self.url}/docs", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise SyncError("The demo server did not start in time.")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
