"""Real app processes for the lifecycle tests: a private home, their output, their process
tree (by session, from /proc), and a server that accepts connections and never answers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "The app is open"  # what `sfa-desktop demo` prints once its window is up


def sfa_desktop_command() -> list[str]:
    """The README's `.venv/bin/sfa-desktop`, else the module."""
    script = Path(sys.executable).with_name("sfa-desktop")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sfa_desktop"]


def private_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an app that must not touch the developer's data or display:
    HOME and XDG folders under `home`, no keyring (so no secret lands anywhere), offscreen
    Qt unless `extra` says otherwise."""
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "SFA_SITE_CONFIG")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("XDG_")}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONUNBUFFERED": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }
    (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env | extra


class AppProcess:
    """A command in a session of its own (so its whole tree can be found), output kept."""

    def __init__(self, command: list[str], env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            env=dict(env),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.pid = self.process.pid
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, text: str, timeout: float) -> None:
        """Until a line contains `text`; fails with the output so far otherwise."""
        if not wait_until(lambda: text in self.output or self.process.poll() is not None, timeout):
            pytest.fail(f"no {text!r} within {timeout} s:\n{self.output}")
        time.sleep(0.1)  # the reader may be a line behind the exit
        if text not in self.output:
            pytest.fail(f"exited {self.process.returncode} before {text!r}:\n{self.output}")

    def others(self) -> list[int]:
        """The living processes of its session other than itself (the demo server)."""
        return [pid for pid in session_members(self.pid) if pid != self.pid]

    def stop(self, signum: int, timeout: float = 10) -> float:
        """Send `signum`; seconds until the process has exited (fails past `timeout`)."""
        started = time.monotonic()
        os.kill(self.pid, signum)
        return self.wait(timeout, started)

    def wait(self, timeout: float, started: float | None = None) -> float:
        started = time.monotonic() if started is None else started
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {timeout} s later:\n{self.output}")
        return time.monotonic() - started

    def kill_tree(self) -> None:
        """Clean up after a failed test: every process of the session."""
        for pid in session_members(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(10)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)


def session_members(sid: int) -> list[int]:
    """Living (not zombie) processes whose session id is `sid`, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


class SilentServer:
    """A loopback port that accepts connections, reads the requests and never answers
    (a server hung or behind a black-holed link); `asked` is set once a request came."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.asked = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        for connection in [*self._held, self._socket]:
            connection.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        try:
            while connection.recv(4096):
                self.asked.set()
        except OSError:
            return
