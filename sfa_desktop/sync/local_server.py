"""`sfa-server` in a child process on loopback, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import TracebackType

import httpx

from sfa_desktop.demo import DemoSize, first_rep
from sfa_desktop.sync.errors import SyncError

DEMO_PASSWORD = "demo-password"  # the server's `demo-seed` default
SERVER_COMMAND = (sys.executable, "-m", "sync_server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """Runs `sfa-server` commands with `env` (in `cwd`, default this one) and serves on a
    free 127.0.0.1 port. The one way the demo, the tests and the benchmarks start a server."""

    def __init__(self, env: Mapping[str, str], cwd: Path | None = None) -> None:
        self.env = dict(os.environ) | dict(env)
        self.cwd = cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The serving process's id while it runs (its workers are its children)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def run(self, *args: str) -> str:
        """One `sfa-server` command (migrate, admin ..., demo-seed); its output."""
        result = subprocess.run(
            [*SERVER_COMMAND, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0:
            raise SyncError(
                f"sfa-server {args[0]} failed (is the server extra installed? "
                f"pip install -e '.[all]'): {result.stderr.strip() or result.stdout.strip()}"
            )
        return result.stdout

    def start(self, timeout: float = 60, workers: int = 1) -> None:
        """Serve (with `workers` processes); the child stops when our end of its stdin pipe
        closes, so it never outlives this process, however it ends (a crash or SIGKILL too)."""
        command = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--stop-with-parent"]
        if workers != 1:
            command += ["--workers", str(workers)]
        self._process = subprocess.Popen(
            [*SERVER_COMMAND, *command], env=self.env, cwd=self.cwd, stdin=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SyncError(f"The server stopped at start (exit {self._process.returncode}).")
            try:
                httpx.get(f"{self.url}/docs", timeout=1, trust_env=False)  # loopback: no proxy
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise SyncError("The server did not start in time.")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stdin is not None:
            self._process.stdin.close()
        self._process = None

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def demo_rep_username(contacts: int, seed: int = 7) -> str:
    """The first demo rep's sign-in name (the server derives it from the email the same way)."""
    rep = first_rep(DemoSize.scaled(contacts), seed=seed, today=date.today())
    return rep.email.split("@", 1)[0]


class LocalServer(ServerProcess):
    """The demo server: a SQLite file and token key in `folder`, seeded with the demo org once."""

    def __init__(self, folder: Path, contacts: int = 2_000, seed: int = 7) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(
            {
                "SFA_DATABASE_URL": f"sqlite:///{folder / 'server.db'}",
                "SFA_SECRET_KEY": _secret(folder / "secret-key"),
            }
        )
        self.contacts = contacts
        self.seed = seed

    def start(self, timeout: float = 60, workers: int = 1) -> None:
        self.run("demo-seed", "--contacts", str(self.contacts), "--seed", str(self.seed))
        super().start(timeout, workers)


def _secret(path: Path) -> str:
    """The server's token key, kept beside its database so restarts keep sessions."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()
