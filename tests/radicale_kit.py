"""A real Radicale (CalDAV/CardDAV server, pip package `radicale`) on a free loopback
port, its storage in a temporary folder, one user with a plain htpasswd password; and
"the phone": the `caldav` library talking to it directly."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from caldav.davclient import DAVClient
from required_tools import unavailable

USER, PASSWORD = "rep", "phone-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Radicale:
    """A Radicale process; `url` is its root (what a rep types)."""

    def __init__(self, folder: Path) -> None:
        try:
            import radicale  # noqa: F401
        except ImportError:
            unavailable("needs the radicale package (pip install -e '.[dev]')")
        folder.mkdir(parents=True, exist_ok=True)
        users = folder / "users"
        users.write_text(f"{USER}:{PASSWORD}\n")
        self.port = _free_port()
        config = folder / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {users}\n"
            "htpasswd_encryption = plain\n"
            "[storage]\n"
            f"filesystem_folder = {folder / 'collections'}\n"
            "[logging]\n"
            "level = warning\n"
        )
        self.config = config
        self.log_path = folder / "radicale.log"
        self.url = f"http://127.0.0.1:{self.port}/"
        self.start()

    def start(self) -> None:
        """Start (or start again, same port and storage) the server process."""
        self.log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.config)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"radicale stopped: see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("radicale did not start in 20 s")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def phone(self) -> DAVClient:
        """A client as the rep's phone would be."""
        return DAVClient(url=self.url, username=USER, password=PASSWORD, enable_rfc6764=False)


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    server = Radicale(tmp_path / "radicale")
    yield server
    server.stop()


def make_calendar(server: Radicale, name: str = "Work") -> Any:
    """A new event calendar of the user, made the phone's way."""
    return server.phone().principal().make_calendar(name=name)
