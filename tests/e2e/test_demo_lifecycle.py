"""`sfa-desktop demo` as a real process: its sync server child ends with the app however
the app ends (window closed, SIGTERM, Ctrl+C, SIGKILL as a crash), and the app quits
within 2 s of a signal."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from process_kit import (
    READY_LINE,
    ROOT,
    AppProcess,
    alive,
    command_line,
    private_env,
    sfa_desktop_command,
    wait_until,
)

pytestmark = pytest.mark.slow

CONTACTS = "150"  # a small organisation: seeded in a few seconds
QUIT_SECONDS = 2.0


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private home for the module: the demo server's data is seeded once."""
    return tmp_path_factory.mktemp("demo-home")


def start(home: Path, command: list[str]) -> tuple[AppProcess, int]:
    """The demo up with its window; the pid of its server child."""
    demo = AppProcess(command, private_env(home))
    try:
        demo.wait_for_line(READY_LINE, 180)
        children = demo.others()
        assert len(children) == 1, [command_line(pid) for pid in children]
        assert "sync_server serve" in command_line(children[0])
    except BaseException:
        demo.kill_tree()
        raise
    return demo, children[0]


def demo_command() -> list[str]:
    return [*sfa_desktop_command(), "demo", "--contacts", CONTACTS]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_quits_the_app_and_its_server_at_once(home: Path, signum: int) -> None:
    demo, server = start(home, demo_command())
    try:
        seconds = demo.stop(signum)
        print(f"{signal.Signals(signum).name}: the app exited in {seconds:.2f} s")
        assert seconds < QUIT_SECONDS, demo.output
        assert demo.process.returncode == 128 + signum, demo.output
        assert not alive(server)  # stopped by the app before it exited
        assert demo.others() == []
        assert "Traceback" not in demo.output
    finally:
        demo.kill_tree()


def test_ctrl_c_in_the_terminal_quits_the_app_too(home: Path) -> None:
    """The terminal sends SIGINT to the whole foreground group: server and app."""
    demo, server = start(home, demo_command())
    try:
        os.killpg(demo.pid, signal.SIGINT)
        seconds = demo.wait(10)
        print(f"Ctrl+C: the app exited in {seconds:.2f} s")
        assert seconds < QUIT_SECONDS, demo.output
        assert not alive(server)
        assert demo.others() == []
    finally:
        demo.kill_tree()


def test_the_server_does_not_outlive_a_crashed_app(home: Path) -> None:
    demo, server = start(home, demo_command())
    try:
        started = time.monotonic()
        demo.stop(signal.SIGKILL)  # as a crash: no Python code runs
        assert wait_until(lambda: not alive(server), 10), "the server outlived the app"
        print(f"SIGKILL: the server ended {time.monotonic() - started:.2f} s after the app")
    finally:
        demo.kill_tree()


def test_closing_the_window_stops_the_server(home: Path) -> None:
    driver = [sys.executable, str(ROOT / "tests" / "app_driver.py"), "demo-then-quit"]
    demo, server = start(home, [*driver, "--contacts", CONTACTS])
    try:
        demo.wait(10)
        assert demo.process.returncode == 0, demo.output
        assert "driver: closing the window" in demo.output
        assert not alive(server)
        assert demo.others() == []
    finally:
        demo.kill_tree()
