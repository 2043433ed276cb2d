"""The README demo command in a real X11 window: Xvfb started here, Qt's xcb platform (not
offscreen). The main window is mapped and painted (a screenshot taken by another X client
is saved and checked), SIGTERM quits it within 2 s and no process is left behind."""

from __future__ import annotations

import collections
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from process_kit import (
    READY_LINE,
    AppProcess,
    alive,
    command_line,
    private_env,
    sfa_desktop_command,
    wait_until,
)
from PySide6.QtGui import QImage
from required_tools import needs, unavailable

pytestmark = pytest.mark.slow

SCREEN = (1280, 800)
# Another X client grabs the root window: what is really on the X server's screen.
GRAB = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1], 'PNG') else 1)\n"
)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A fresh Xvfb on a display number it picks itself (-displayfd: no clash)."""
    needs("Xvfb")
    needs("xwininfo")
    read, write = os.pipe()
    size = f"{SCREEN[0]}x{SCREEN[1]}x24"
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        number = b""
        while not number.endswith(b"\n") and select.select([read], [], [], 30)[0]:
            chunk = os.read(read, 16)
            if not chunk:
                break
            number += chunk
        if not number.strip():
            unavailable("Xvfb did not start")
        yield f":{number.decode().strip()}"
    finally:
        os.close(read)
        xvfb.terminate()
        xvfb.wait(10)


def x_env(home: Path, display: str) -> dict[str, str]:
    return private_env(home, DISPLAY=display, QT_QPA_PLATFORM="xcb")


def mapped_windows(display: str, title: str) -> list[str]:
    """Ids of the viewable top-level windows called `title`, from xwininfo."""
    env = os.environ | {"DISPLAY": display}
    tree = subprocess.run(
        ["xwininfo", "-root", "-children"], env=env, capture_output=True, text=True, check=False
    ).stdout
    found = []
    for line in tree.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("0x") and f'"{title}"' in line:
            info = subprocess.run(
                ["xwininfo", "-id", parts[0]], env=env, capture_output=True, text=True, check=False
            ).stdout
            if "Map State: IsViewable" in info:
                found.append(parts[0])
    return found


def screenshot(display: str, path: Path) -> QImage:
    env = os.environ | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    subprocess.run([sys.executable, "-c", GRAB, str(path)], env=env, check=True, timeout=60)
    return QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)


def colours(image: QImage) -> collections.Counter[int]:
    pixels = memoryview(bytes(image.constBits())).cast("I")  # type: ignore[arg-type]
    return collections.Counter(pixels)


def test_the_readme_demo_opens_a_painted_window_and_quits_clean(
    display: str, tmp_path: Path, qapp: object
) -> None:
    demo = AppProcess([*sfa_desktop_command(), "demo"], x_env(tmp_path, display))
    try:
        demo.wait_for_line(READY_LINE, 240)
        assert wait_until(lambda: mapped_windows(display, "SFA Desktop"), 20), demo.output
        shot = tmp_path / "demo-window.png"
        counts: collections.Counter[int] = collections.Counter()

        def painted() -> bool:
            nonlocal counts
            counts = colours(screenshot(display, shot))
            return len(counts) >= 50

        assert wait_until(painted, 30, step=0.5), f"{len(counts)} colours in {shot}"
        image = QImage(str(shot))
        assert (image.width(), image.height()) == SCREEN
        commonest = counts.most_common(1)[0][1] / (SCREEN[0] * SCREEN[1])
        assert commonest < 0.9, f"{commonest:.0%} of {shot} is one colour"
        print(f"screenshot {shot}: {len(counts)} colours, the commonest {commonest:.0%}")
        servers = demo.others()
        assert len(servers) == 1, [command_line(pid) for pid in servers]
        seconds = demo.stop(signal.SIGTERM)
        print(f"SIGTERM: the app exited in {seconds:.2f} s")
        assert seconds < 2.0, demo.output
        assert demo.process.returncode == 128 + signal.SIGTERM, demo.output
        assert not alive(servers[0])
        assert demo.others() == []
        assert "Traceback" not in demo.output
    finally:
        demo.kill_tree()


def test_the_self_test_starts_qt_on_the_display(display: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [*sfa_desktop_command(), "--self-test"],
        env={k: v for k, v in x_env(tmp_path, display).items() if k != "QT_QPA_PLATFORM"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " on xcb, " in result.stdout, result.stdout
    assert time.monotonic() - started < 60
