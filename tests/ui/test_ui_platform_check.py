"""Before Qt starts on X11: a library the xcb plugin cannot load, or a display that refuses
us, is one line naming what to install or check (Qt would abort instead)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from process_kit import ROOT, private_env, sfa_desktop_command
from required_tools import unavailable

from sfa_desktop.app import platform_check

BROKEN = ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")  # what a plain Debian desktop lacked
WAYLAND = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        (
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"},
            "linux",
            False,
        ),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "darwin", False),
    ],
)
def test_xcb_is_checked_only_when_qt_will_use_it(
    env: dict[str, str], platform: str, expected: bool
) -> None:
    assert platform_check.uses_xcb(env, platform) is expected


def without_libraries(tmp_path: Path) -> dict[str, str]:
    """An environment whose loader finds a broken file for each library of BROKEN first."""
    folder = tmp_path / "broken-libs"
    folder.mkdir()
    for name in BROKEN:
        (folder / name).write_bytes(b"not a shared library")
    env = private_env(tmp_path, DISPLAY=":99", LD_LIBRARY_PATH=str(folder))
    del env["QT_QPA_PLATFORM"]
    return env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_demo_names_the_packages_to_install_instead_of_aborting(tmp_path: Path) -> None:
    result = run([*sfa_desktop_command(), "demo"], without_libraries(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""  # said before anything else, the demo server not started
    assert result.stderr.splitlines() == [
        "sfa-desktop: The app window needs system libraries that are missing "
        "(libxcb-icccm.so.4, libxcb-keysyms.so.1); on Debian/Ubuntu: "
        "sudo apt-get install libxcb-icccm4 libxcb-keysyms1"
    ]


def test_the_self_test_checks_the_platform_the_app_will_use(tmp_path: Path) -> None:
    result = run([*sfa_desktop_command(), "--self-test"], without_libraries(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "self-test failed: qt: RuntimeError: The app window needs system libraries that are "
        "missing (libxcb-icccm.so.4, libxcb-keysyms.so.1); on Debian/Ubuntu: sudo "
        "apt-get install libxcb-icccm4 libxcb-keysyms1"
    ]
    assert "Traceback" not in result.stdout


def test_a_library_missing_from_the_table_is_named_by_the_loader(tmp_path: Path) -> None:
    probe = (
        "from sfa_desktop.app import platform_check as c\n"
        f"for name in {BROKEN!r}: del c.XCB_LIBRARIES[name]\n"
        "print(c.problem())"
    )
    result = run([sys.executable, "-c", probe], without_libraries(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "The app window needs system libraries that are missing (libxcb-icccm.so.4); "
        "install the packages that provide libxcb-icccm.so.4"
    )


def test_a_display_that_does_not_answer_is_named() -> None:
    env = {"DISPLAY": ":4711", "QT_QPA_PLATFORM": "xcb"}
    missing = [name for name in platform_check.XCB_LIBRARIES if platform_check._load_error(name)]
    if missing:
        unavailable(f"the X11 libraries are not installed: {', '.join(missing)}")
    assert platform_check.problem(env) == (
        "Cannot open the X display ':4711' (DISPLAY): is the X server running and may this "
        "user use it? (QT_QPA_PLATFORM=offscreen runs without a window)"
    )


def test_ci_installs_every_package_the_check_can_name() -> None:
    words = set(re.findall(r"[\w.+-]+", (ROOT / ".ci" / "run").read_text()))
    assert set(platform_check.XCB_LIBRARIES.values()) - words == set()
