"""The real thing, once per session: PyInstaller bundle + .deb + recipes from the example site,
checked with dpkg-deb and lintian, unpacked, and the bundled binary's --self-test run."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from required_tools import needs

from sfa_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "installer" / "site.example.toml"
DEB = f"sfa-desktop_{__version__}-1_amd64.deb"

pytestmark = pytest.mark.slow


def run(*command: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        command, capture_output=True, text=True, timeout=600, check=False, **kwargs
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in ("dpkg-deb", "objdump"):
        needs(tool)
    folder = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    result = run(
        sys.executable,
        "-m",
        "installer",
        "build",
        "--site",
        str(EXAMPLE),
        "--out",
        str(folder),
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"\n{result.stdout}installer build took {time.monotonic() - started:.0f} s")
    return folder


@pytest.fixture(scope="module")
def unpacked(out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    result = run("dpkg-deb", "-x", str(out / DEB), str(root))
    assert result.returncode == 0, result.stderr
    return root


def test_control_fields(out: Path) -> None:
    info = run("dpkg-deb", "--info", str(out / DEB))
    assert info.returncode == 0, info.stderr
    fields = dict(
        line.strip().split(": ", 1)
        for line in info.stdout.splitlines()
        if line.startswith(" ") and ": " in line and not line.startswith("  ")
    )
    assert fields["Package"] == "sfa-desktop"
    assert fields["Version"] == f"{__version__}-1"
    assert fields["Architecture"] == "amd64"
    assert fields["Maintainer"] == "Acme IT <it@acme.example>"
    assert int(fields["Installed-Size"]) > 50_000  # KiB
    for package in (
        "libegl1",
        "libxkbcommon-x11-0",
        "libfontconfig1",
        "libdbus-1-3",
        "libglib2.0-0",
    ):
        assert package in fields["Depends"]
    assert "Acme Ltd" in info.stdout
    assert run("dpkg-deb", "-f", str(out / DEB), "Package").stdout.strip() == "sfa-desktop"


def test_contents(out: Path) -> None:
    listing = run("dpkg-deb", "--contents", str(out / DEB)).stdout
    entries = {line.split()[5].removeprefix("."): line for line in listing.splitlines()}
    expected = [
        "/opt/sfa-desktop/sfa-desktop",
        "/usr/share/applications/sfa-desktop.desktop",
        "/usr/share/icons/hicolor/256x256/apps/sfa-desktop.png",
        "/usr/share/icons/hicolor/128x128/apps/sfa-desktop.png",
        "/usr/share/icons/hicolor/48x48/apps/sfa-desktop.png",
        "/usr/share/icons/hicolor/scalable/apps/sfa-desktop.svg",
        "/usr/share/doc/sfa-desktop/copyright",
        "/usr/share/man/man1/sfa-desktop.1.gz",
        "/etc/sfa-desktop/site.toml",
        "/opt/sfa-desktop/_internal/sfa_desktop/store/migrations/env.py",
        "/opt/sfa-desktop/_internal/sfa_desktop/store/migrations/versions/0001_initial_schema.py",
    ]
    for path in expected:
        assert path in entries, path
    assert entries["/opt/sfa-desktop/sfa-desktop"].startswith("-rwxr-xr-x root/root")
    assert "/usr/bin/sfa-desktop -> /opt/sfa-desktop/sfa-desktop" in listing
    # Left out on purpose: the server, dev tools, QML/Quick, and a plain-file keyring.
    for unwanted in ("sync_server", "hypothesis", "_pytest", "keyrings/alt", "Qt6Quick", "Qt6Qml"):
        assert unwanted not in listing, unwanted
    control = run("dpkg-deb", "-I", str(out / DEB), "conffiles").stdout
    assert control.split() == ["/etc/sfa-desktop/site.toml"]


def test_md5sums_cover_every_installed_file(out: Path, unpacked: Path, tmp_path: Path) -> None:
    """Issue 23, point 7: dpkg --verify and debsums need DEBIAN/md5sums."""
    import hashlib

    control = tmp_path / "control"
    result = run("dpkg-deb", "-e", str(out / DEB), str(control))
    assert result.returncode == 0, result.stderr
    listed = {}
    for line in (control / "md5sums").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {
        path.relative_to(unpacked).as_posix(): path
        for path in unpacked.rglob("*")
        if path.is_file() and not path.is_symlink()
    }
    assert set(listed) == set(files)
    assert len(listed) > 100
    for name, path in files.items():
        actual = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
        assert listed[name] == actual, name


def test_desktop_entry(unpacked: Path) -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment, method-assign]
    entry.read(unpacked / "usr/share/applications/sfa-desktop.desktop")
    section = entry["Desktop Entry"]
    assert section["Exec"] == "sfa-desktop"
    assert section["Icon"] == "sfa-desktop"
    assert "Acme Ltd" in section["Comment"]
    needs("desktop-file-validate")
    check = run(
        "desktop-file-validate", str(unpacked / "usr/share/applications/sfa-desktop.desktop")
    )
    assert check.returncode == 0, check.stdout


def bundled_self_test(
    unpacked: Path, tmp_path: Path, site: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_"))}
    env |= {
        "QT_QPA_PLATFORM": "offscreen",
        "SFA_SITE_CONFIG": str(site),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    return run(str(unpacked / "opt/sfa-desktop/sfa-desktop"), "--self-test", env=env, cwd=tmp_path)


def test_the_bundled_binary_passes_its_self_test(unpacked: Path, tmp_path: Path) -> None:
    site = unpacked / "etc/sfa-desktop/site.toml"
    result = bundled_self_test(unpacked, tmp_path, site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"sfa-desktop {__version__} (Python 3.11")
    assert "bundled" in result.stdout.splitlines()[0]
    assert f"site config: {site}: Acme EMEA sales (Acme Ltd)" in result.stdout
    assert "server https://sfa.acme.example" in result.stdout
    assert "scheduler ok" in result.stdout
    assert "window ok" in result.stdout
    assert result.stdout.splitlines()[-1] == "self-test passed"


def test_the_bundled_binary_rejects_a_bad_site_file(unpacked: Path, tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text(
        '[site]\norganisation = "Acme"\n[sync]\nserver_url = "http://sfa.acme.example"\n'
    )
    result = bundled_self_test(unpacked, tmp_path, bad)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"self-test failed: site config: {bad}:4: sync.server_url must use https:// "
        "(http:// is allowed only for a loopback address), got 'http://sfa.acme.example'"
    )


def test_lintian_is_clean_apart_from_the_shipped_overrides(out: Path) -> None:
    needs("lintian")
    result = run("lintian", "--fail-on", "warning", str(out / DEB))
    problems = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert not problems, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def script_text(out: Path) -> str:
    return (out / "macos" / "build-macos.sh").read_text()


def test_windows_and_macos_recipes(out: Path) -> None:
    iss = (out / "windows" / "sfa-desktop.iss").read_text(encoding="utf-8-sig")
    assert f"AppVersion={__version__}-1" in iss
    assert "AppPublisher=Acme Ltd" in iss
    assert 'Source: "..\\bundle\\sfa-desktop\\*"' in iss
    assert 'DestDir: "{commonappdata}\\sfa-desktop"' in iss
    assert not re.findall(r"@[A-Z_]+@", iss + script_text(out))
    assert (out / "windows" / "site.toml").read_text() == EXAMPLE.read_text()
    assert (out / "windows" / "sfa-desktop.ico").stat().st_size > 1000
    script = out / "macos" / "build-macos.sh"
    assert run("bash", "-n", str(script)).returncode == 0
    text = script.read_text()
    assert f'version="{__version__}-1"' in text
    assert "pkgbuild" in text
    assert "hdiutil" in text
    assert (out / "macos" / "site.toml").read_text() == EXAMPLE.read_text()


def test_build_refuses_an_invalid_site_file(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text('[site]\norganisation = "Acme"\ncolour = "red"\n')
    result = run(
        sys.executable,
        "-m",
        "installer",
        "build",
        "--site",
        str(bad),
        "--out",
        str(tmp_path),
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert f"{bad}:3: site.colour is not a known key" in result.stderr
    assert not list(tmp_path.glob("*.deb"))
