"""The Linux .deb: the bundle under /opt, a launcher, desktop entry, icons and the site file."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import textwrap
from email.utils import format_datetime
from pathlib import Path

from installer import debdeps
from installer.bundle import folder_size
from installer.layout import (
    APP_NAME,
    INSTALL_DIR,
    LOCAL_SITE_FILE,
    RESOURCES,
    SITE_FILE,
    TEMPLATES,
)
from installer.site import Site

ICON_SIZES = (256, 128, 48, 32, 16)


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def stage(site: Site, bundle: Path, root: Path) -> Path:
    """Lay out the package tree under `root` (the DEBIAN folder included)."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / INSTALL_DIR.lstrip("/"), symlinks=True, copy_function=_link)
    launcher = root / "usr/bin" / APP_NAME
    launcher.parent.mkdir(parents=True)
    launcher.symlink_to(f"{INSTALL_DIR}/{APP_NAME}")
    share = root / "usr/share"
    _write(
        share / "applications" / f"{APP_NAME}.desktop",
        _fill((RESOURCES / "sfa-desktop.desktop.in").read_text(encoding="utf-8"), site),
    )
    for size in ICON_SIZES:
        icon = share / f"icons/hicolor/{size}x{size}/apps/{APP_NAME}.png"
        icon.parent.mkdir(parents=True)
        shutil.copyfile(RESOURCES / f"sfa-desktop-{size}.png", icon)
    scalable = share / f"icons/hicolor/scalable/apps/{APP_NAME}.svg"
    scalable.parent.mkdir(parents=True)
    shutil.copyfile(RESOURCES / "sfa-desktop.svg", scalable)
    docs = share / "doc" / APP_NAME
    _write(docs / "copyright", _fill((TEMPLATES / "copyright").read_text("utf-8"), site))
    _gzip(docs / "changelog.Debian.gz", _changelog(site))
    _write(root / SITE_FILE.lstrip("/"), site.text)
    overrides = share / "lintian/overrides" / APP_NAME
    _write(overrides, (TEMPLATES / "lintian-overrides").read_text("utf-8"))
    man = share / "man/man1" / f"{APP_NAME}.1.gz"
    _gzip(man, _fill((TEMPLATES / "sfa-desktop.1").read_text("utf-8"), site))
    debian = root / "DEBIAN"
    # No conffiles: an edited conffile makes a non-interactive upgrade stop at dpkg's prompt.
    _write(debian / "preinst", (TEMPLATES / "preinst").read_text("utf-8"))
    _write(debian / "control", control(site, root))
    for path in root.rglob("*"):  # folders and programs 0755, the rest (libraries too) 0644
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or _program(path) else 0o644)
    _write(debian / "md5sums", md5sums(root))
    (debian / "md5sums").chmod(0o644)
    (debian / "preinst").chmod(0o755)
    return root


def md5sums(root: Path) -> str:
    """DEBIAN/md5sums: the MD5 of every installed file (`debsums` and dpkg --verify read it)."""
    import hashlib

    lines = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] == "DEBIAN" or path.is_symlink() or not path.is_file():
            continue
        digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
        lines.append(f"{digest}  {relative.as_posix()}\n")
    return "".join(lines)


def control(site: Site, root: Path) -> str:
    installed_kib = (folder_size(root) + 1023) // 1024
    return "\n".join(
        (
            f"Package: {APP_NAME}",
            f"Version: {site.package_version}",
            f"Architecture: {architecture()}",
            f"Maintainer: {site.maintainer}",
            f"Installed-Size: {installed_kib}",
            f"Depends: {debdeps.depends(root / INSTALL_DIR.lstrip('/'))}",
            f"Recommends: {debdeps.RECOMMENDS}",
            "Section: misc",
            "Priority: optional",
            "Description: offline-first sales-force automation client",
            *_paragraph(
                f"SFA Desktop for {site.publisher}: accounts, contacts, activities, calendar,"
                " tasks, leads, pipeline, account plans and forecasts, kept in a local"
                " database and synchronised with the organisation's sync server."
            ),
            " .",
            *_paragraph(
                f"Site configuration: {SITE_FILE}, replaced on upgrade; a machine's own"
                f" {LOCAL_SITE_FILE}, if present, is used instead."
            ),
            "",
        )
    )


def _paragraph(text: str) -> list[str]:
    """Extended-description lines of at most 80 characters (lintian), each led by a space."""
    lines = textwrap.wrap(text, width=79, break_long_words=True, break_on_hyphens=False)
    return [f" {line}" for line in lines]


def build(site: Site, bundle: Path, out: Path) -> Path:
    """Stage and build out/sfa-desktop_<version>_<arch>.deb; returns its path."""
    root = stage(site, bundle, out / "deb-root")
    deb = out / f"{APP_NAME}_{site.package_version}_{architecture()}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", str(root), str(deb)],
        check=True,
        capture_output=True,
        text=True,
    )
    shutil.rmtree(root)
    print(f"deb: {deb} ({deb.stat().st_size / 2**20:.0f} MiB)")
    return deb


def _fill(template: str, site: Site) -> str:
    from datetime import date

    for key, value in (
        ("@ORGANISATION@", site.publisher),
        ("@VERSION@", site.version),
        ("@YEAR@", str(date.today().year)),
    ):
        template = template.replace(key, value)
    return template


def _changelog(site: Site) -> str:
    from datetime import UTC, datetime

    when = format_datetime(datetime.now(UTC).replace(microsecond=0))
    entry = textwrap.fill(
        f"Built for {site.publisher} from {site.config.path.name}.",
        width=78,
        initial_indent="  * ",
        subsequent_indent="    ",
        break_on_hyphens=False,
    )
    return (
        f"{APP_NAME} ({site.package_version}) unstable; urgency=medium\n\n"
        f"{entry}\n\n"
        f" -- {site.maintainer}  {when}\n"
    )


def _program(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o111) and ".so" not in path.name


def _link(source: str, target: str) -> None:
    """Hard-link instead of copying a 200 MB tree when both sit on one file system."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _gzip(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
