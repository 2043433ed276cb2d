"""The Debian packages a bundle needs: shared libraries its ELF files load that it does not
carry, found with objdump, ldconfig and dpkg on the build machine (as dpkg-shlibdeps would)."""

from __future__ import annotations

import platform
import re
import subprocess
from pathlib import Path

# Always listed: what Qt's xcb/EGL/font/D-Bus plugins load, even when found nowhere else.
BASELINE = (
    "libegl1",
    "libgl1",
    "libxkbcommon-x11-0",
    "libxcb1",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0t64 | libglib2.0-0",
)
# Only for a Wayland session (X11 works without them).
RECOMMENDS = "libwayland-client0, libwayland-cursor0, libwayland-egl1"
# Loaded by the dynamic linker itself, or by libc: covered by the libc6 dependency.
_FROM_LIBC = re.compile(r"^(ld-linux[-\w]*|lib(c|m|dl|pthread|rt|util|resolv))\.so")


def _elf_files(folder: Path) -> list[Path]:
    files = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def missing_libraries(folder: Path) -> set[str]:
    """Sonames some ELF file in `folder` needs that no file in `folder` provides."""
    files = _elf_files(folder)
    provided = {path.name for path in folder.rglob("*")}
    needed: set[str] = set()
    for start in range(0, len(files), 200):
        batch = [str(path) for path in files[start : start + 200]]
        output = subprocess.run(
            ["objdump", "-p", *batch], capture_output=True, text=True, check=True
        ).stdout
        needed |= set(re.findall(r"^\s+NEEDED\s+(\S+)$", output, re.MULTILINE))
    return {name for name in needed - provided if not _FROM_LIBC.match(name)}


def packages_for(sonames: set[str]) -> set[str]:
    """The installed Debian packages holding those libraries (unknown ones are skipped)."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    where = dict(re.findall(r"^\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)$", cache, re.MULTILINE))
    # dpkg knows each file by its real path (/usr/lib/…, after usrmerge).
    paths = [str(Path(where[name]).resolve()) for name in sorted(sonames) if name in where]
    if not paths:
        return set()
    owners = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
    return {line.split(":")[0] for line in owners.splitlines() if ": " in line}


def depends(folder: Path) -> str:
    """The Depends field: libc6 at the build's glibc, the baseline, and what the scan found."""
    found = packages_for(missing_libraries(folder)) - {"libc6"}
    baseline_names = {alt.strip() for entry in BASELINE for alt in entry.split("|")}
    glibc = platform.libc_ver()[1] or "2.31"
    extra = sorted(p for p in found - baseline_names if not p.startswith("libwayland"))
    return ", ".join([f"libc6 (>= {glibc})", *BASELINE, *extra])
