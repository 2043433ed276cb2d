"""The Windows (Inno Setup) and macOS (pkgbuild/hdiutil) recipes, filled in from the site file.

They are built on those systems: each folder holds the site file, the icon and a script.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from installer.layout import BUNDLE_ID, RESOURCES, TEMPLATES
from installer.site import Site


def fill(template: str, site: Site) -> str:
    """Replace @KEY@ placeholders with the site's values."""
    values = {
        "ORGANISATION": site.publisher,
        "CONTACT": site.maintainer,
        "VERSION": site.version,
        "PACKAGE_VERSION": site.package_version,
        "NUMERIC_VERSION": site.numeric_version,
        "BUNDLE_ID": BUNDLE_ID,
    }
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    if leftover := re.findall(r"@[A-Z_]+@", template):
        raise ValueError(f"unfilled placeholders: {leftover}")
    return template


def write_windows(site: Site, folder: Path) -> Path:
    """folder/sfa-desktop.iss, site.toml and sfa-desktop.ico; returns the .iss."""
    script = _prepare(site, folder) / "sfa-desktop.iss"
    text = fill((TEMPLATES / "sfa-desktop.iss.in").read_text(encoding="utf-8"), site)
    script.write_text(text.replace("\n", "\r\n"), encoding="utf-8-sig")  # as Inno Setup likes
    shutil.copyfile(RESOURCES / "sfa-desktop.ico", folder / "sfa-desktop.ico")
    return script


def write_macos(site: Site, folder: Path) -> Path:
    """folder/build-macos.sh and site.toml; returns the script."""
    script = _prepare(site, folder) / "build-macos.sh"
    script.write_text(fill((TEMPLATES / "build-macos.sh.in").read_text("utf-8"), site), "utf-8")
    script.chmod(0o755)
    return script


def _prepare(site: Site, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(site.text, encoding="utf-8")
    return folder
