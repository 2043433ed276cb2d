"""Before Qt starts on X11: can its xcb platform plugin load and reach the display?

Qt aborts (SIGABRT) when it cannot, with a message that names the wrong package; this
says in one line what to install or fix. No Qt import: it must run before QApplication.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path

PLUGIN = "libqxcb.so"
# What PySide6's libqxcb.so and libQt6XcbQpa.so.6 load from the system (their NEEDED
# entries and Qt Gui's; `ldd` on the plugin), and the Debian/Ubuntu package of each.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}


def uses_xcb(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when Qt will start on X11: Linux with DISPLAY set and no other platform asked
    for (QT_QPA_PLATFORM, or a Wayland session that Qt prefers)."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if asked:
        return asked == "xcb"
    wayland = env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland"
    return bool(env.get("DISPLAY")) and not wayland


def has_display(environ: Mapping[str, str] | None = None) -> bool:
    """False on Linux with no display at all and no platform asked for (SSH, CI)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def problem(environ: Mapping[str, str] | None = None) -> str | None:
    """One line saying why Qt's xcb platform would not start, or None (also when the app
    will not use xcb)."""
    env = os.environ if environ is None else environ
    if not uses_xcb(env):
        return None
    missing = [name for name in XCB_LIBRARIES if _load_error(name) is not None]
    if not missing:
        error = _plugin_error()
        if error is None:
            return _display_error(env.get("DISPLAY", ""))
        library = Path(error.split(":", 1)[0].strip()).name  # the loader names it first
        if not library.startswith("lib") or library == PLUGIN:
            return f"Qt's X11 platform plugin cannot load: {error}"
        missing = [library]
    packages = sorted({XCB_LIBRARIES[name] for name in missing if name in XCB_LIBRARIES})
    unknown = [name for name in missing if name not in XCB_LIBRARIES]
    remedies = [f"on Debian/Ubuntu: sudo apt-get install {' '.join(packages)}"] if packages else []
    if unknown:
        remedies.append(f"install the packages that provide {', '.join(unknown)}")
    return (
        f"The app window needs system libraries that are missing ({', '.join(missing)}); "
        + "; ".join(remedies)
    )


def exit_if_unusable() -> None:
    """Print `problem()` as one line and exit 1, rather than let Qt abort."""
    found = problem()
    if found is not None:
        print(f"sfa-desktop: {found}", file=sys.stderr)
        raise SystemExit(1)


def _load_error(name: str) -> str | None:
    try:
        ctypes.CDLL(name)
    except OSError as error:
        return str(error)
    return None


def _plugin_error() -> str | None:
    """The loader's error for PySide6's xcb plugin (catches a library not in the table)."""
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / PLUGIN
        if plugin.exists():
            return _load_error(str(plugin))
    return None


def _display_error(display: str) -> str | None:
    """Why the X server at `display` refuses us, or None (Qt aborts when it refuses)."""
    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode() or None, None)
    try:
        if xcb.xcb_connection_has_error(connection) == 0:
            return None
    finally:
        xcb.xcb_disconnect(connection)
    return (
        f"Cannot open the X display {display!r} (DISPLAY): is the X server running and "
        "may this user use it? (QT_QPA_PLATFORM=offscreen runs without a window)"
    )
