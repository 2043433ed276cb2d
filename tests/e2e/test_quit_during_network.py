"""Quitting while a sign-in or a sync waits on a server that never answers: the app
process ends within 2 s (it never waits for the blocked call)."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from process_kit import ROOT, AppProcess, SilentServer, private_env

pytestmark = pytest.mark.slow

QUIT_SECONDS = 2.0
DRIVER = [sys.executable, str(ROOT / "tests" / "app_driver.py")]


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.mark.parametrize(
    ("mode", "signum"),
    [
        ("sign-in", signal.SIGTERM),
        ("sign-in", signal.SIGINT),
        ("sync", signal.SIGTERM),
        ("sync", signal.SIGINT),
    ],
)
def test_a_signal_quits_while_a_call_hangs(
    tmp_path: Path, silent: SilentServer, mode: str, signum: int
) -> None:
    app = AppProcess([*DRIVER, mode, silent.url, str(tmp_path / "app.db")], env(tmp_path))
    try:
        app.wait_for_line("driver:", 60)
        assert silent.asked.wait(20), f"no request reached the server:\n{app.output}"
        seconds = app.stop(signum)
        print(f"{mode}, {signal.Signals(signum).name}: exited in {seconds:.2f} s")
        assert seconds < QUIT_SECONDS, app.output
        assert app.process.returncode == 128 + signum, app.output
        assert app.others() == []
    finally:
        app.kill_tree()


def env(home: Path) -> dict[str, str]:
    return private_env(home, PYTHONPATH=str(ROOT / "tests"))


@pytest.mark.parametrize("mode", ["sign-in", "sync"])
def test_closing_the_window_quits_while_a_call_hangs(
    tmp_path: Path, silent: SilentServer, mode: str
) -> None:
    command = [*DRIVER, mode, silent.url, str(tmp_path / "app.db"), "1.5"]
    app = AppProcess(command, env(tmp_path))
    try:
        app.wait_for_line("driver: closing the window", 60)
        closed = time.monotonic()
        assert silent.asked.is_set(), f"no request reached the server:\n{app.output}"
        seconds = app.wait(10, closed)
        print(f"{mode}, window closed: exited in {seconds:.2f} s")
        assert seconds < QUIT_SECONDS, app.output
        assert app.process.returncode == 0, app.output
    finally:
        app.kill_tree()
