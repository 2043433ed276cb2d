"""The PyInstaller one-folder bundle of the desktop app (built for the machine it runs on)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from installer.layout import APP_NAME, BUNDLE_ID, RESOURCES, ROOT, TEMPLATES

SPEC = TEMPLATES / "sfa-desktop.spec"


def icon_for(platform: str = sys.platform) -> Path:
    suffix = {"win32": ".ico", "darwin": ".icns"}.get(platform, "-256.png")
    return RESOURCES / f"sfa-desktop{suffix}"


def build(out: Path, version: str, quiet: bool = True) -> Path:
    """Run PyInstaller into `out`/bundle; returns the folder holding the executable."""
    dist, work = out / "bundle", out / "build"
    env = os.environ | {
        "SFA_ROOT": str(ROOT),
        "SFA_ICON": str(icon_for()),
        "SFA_VERSION": version,
        "SFA_BUNDLE_ID": BUNDLE_ID,
    }
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--clean",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--log-level",
        "WARN" if quiet else "INFO",
    ]
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=quiet, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or "").splitlines()[-30:])
        raise RuntimeError(f"PyInstaller failed ({result.returncode}):\n{tail}")
    folder = dist / APP_NAME
    print(
        f"bundle: {folder} ({folder_size(folder) / 2**20:.0f} MiB, "
        f"{time.monotonic() - started:.0f} s)"
    )
    return folder


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under `folder` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
