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
        "/opt/sfa-desktop/site.toml",
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
    assert not any("/etc/" in entry for entry in entries), "the package ships nothing in /etc"
    # No conffiles (an edited one stalls unattended upgrades); a preinst for the old layout.
    control = run("dpkg-deb", "-I", str(out / DEB))
    assert "conffiles" not in control.stdout
    assert " preinst " in control.stdout


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
    unpacked: Path, tmp_path: Path, site: Path | None
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "QT_")) and k != "SFA_SITE_CONFIG"
    }
    env |= {
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    if site is not None:
        env["SFA_SITE_CONFIG"] = str(site)
    return run(str(unpacked / "opt/sfa-desktop/sfa-desktop"), "--self-test", env=env, cwd=tmp_path)


def test_the_bundled_binary_passes_its_self_test(unpacked: Path, tmp_path: Path) -> None:
    """Without $SFA_SITE_CONFIG the binary finds the packaged site file beside itself."""
    if Path("/etc/sfa-desktop/site.toml").exists():
        pytest.skip("this machine's /etc/sfa-desktop/site.toml would be used instead")
    site = unpacked / "opt/sfa-desktop/site.toml"
    result = bundled_self_test(unpacked, tmp_path, None)
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


# Upgrades without a terminal (issue 23, point 6). The packages below are the built package's
# control files and site file at another revision, without the 200 MB bundle, installed into
# a throw-away root and dpkg database (the maintainer scripts run there, chroot-less).

PACKAGED = "opt/sfa-desktop/site.toml"
LOCAL = "etc/sfa-desktop/site.toml"
# Scripts run outside a chroot (with $DPKG_ROOT), dependencies not installed in the root.
DPKG_FORCE = ("--force-script-chrootless", "--force-depends", "--force-not-root")


def site_package(deb: Path, unpacked: Path, folder: Path, revision: int, old: bool = False) -> Path:
    """`deb` as version <app>-<revision>; `old`: in the layout up to 0.1.0-1, the site file
    as the conffile /etc/sfa-desktop/site.toml and no preinst."""
    tree = folder / f"tree-{revision}-{'old' if old else 'built'}"
    tree.mkdir()
    assert run("dpkg-deb", "-e", str(deb), str(tree / "DEBIAN")).returncode == 0
    shipped = [p for p in (unpacked / PACKAGED, unpacked / LOCAL) if p.exists()]
    assert len(shipped) == 1, shipped
    text = re.sub(
        r"(?m)^package_revision = \d+", f"package_revision = {revision}", shipped[0].read_text()
    )
    target = LOCAL if old else shipped[0].relative_to(unpacked).as_posix()
    (tree / target).parent.mkdir(parents=True)
    (tree / target).write_text(text)
    (tree / target).chmod(0o644)
    control = tree / "DEBIAN/control"
    version = f"Version: {__version__}-{revision}"
    control.write_text(re.sub(r"(?m)^Version: .*$", version, control.read_text()))
    digest = run("md5sum", str(tree / target)).stdout.split()[0]
    (tree / "DEBIAN/md5sums").write_text(f"{digest}  {target}\n")
    if old:
        (tree / "DEBIAN/conffiles").write_text(f"/{LOCAL}\n")
        (tree / "DEBIAN/preinst").unlink(missing_ok=True)
    package = folder / f"{tree.name}.deb"
    built = run("dpkg-deb", "--root-owner-group", "-b", str(tree), str(package))
    assert built.returncode == 0, built.stderr
    return package


def dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dpkg on the throw-away root, as an unattended upgrade runs it: no terminal, stdin closed."""
    (root / "var/lib/dpkg/updates").mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/info").mkdir(exist_ok=True)
    (root / "var/lib/dpkg/status").touch()
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["dpkg", f"--root={root}", "--log=/dev/null", *DPKG_FORCE, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def state(root: Path) -> str:
    query = ["dpkg-query", f"--root={root}", "-W", "-f=${db:Status-Abbrev}", "sfa-desktop"]
    return run(*query).stdout.strip()


def test_an_edited_site_file_survives_an_unattended_upgrade(
    out: Path, unpacked: Path, tmp_path: Path
) -> None:
    """Before: /etc/sfa-desktop/site.toml was a conffile and this upgrade stopped at dpkg's
    prompt (rc 1, package half-configured). Now the package replaces its own file in /opt and
    never touches the machine's /etc file, which the app reads first."""
    needs("dpkg")
    first = site_package(out / DEB, unpacked, tmp_path, 1)
    second = site_package(out / DEB, unpacked, tmp_path, 2)
    root = tmp_path / "root"
    installed = dpkg(root, "-i", str(first))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert state(root) == "ii"
    local = root / LOCAL
    local.parent.mkdir(parents=True, exist_ok=True)
    shipped = (
        unpacked / PACKAGED if (unpacked / PACKAGED).exists() else unpacked / LOCAL
    ).read_text()
    edited = shipped.replace("interval_minutes = 15", "interval_minutes = 5")
    assert edited != shipped
    local.write_text(edited)

    upgraded = dpkg(root, "-i", str(second))

    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert state(root) == "ii"
    assert "Configuration file" not in upgraded.stdout + upgraded.stderr
    assert local.read_text() == edited
    assert "package_revision = 2" in (root / PACKAGED).read_text()


def test_the_old_conffile_layout_stalls_an_unattended_upgrade(
    out: Path, unpacked: Path, tmp_path: Path
) -> None:
    """What the test above guards against, shown with the layout up to 0.1.0-1."""
    needs("dpkg")
    root = tmp_path / "root"
    assert (
        dpkg(root, "-i", str(site_package(out / DEB, unpacked, tmp_path, 1, old=True))).returncode
        == 0
    )
    (root / LOCAL).write_text((root / LOCAL).read_text() + "# edited here\n")

    upgraded = dpkg(root, "-i", str(site_package(out / DEB, unpacked, tmp_path, 2, old=True)))

    assert upgraded.returncode != 0
    assert "Configuration file '/etc/sfa-desktop/site.toml'" in upgraded.stdout + upgraded.stderr
    assert "end of file on stdin at conffile prompt" in upgraded.stderr
    assert state(root) != "ii"


@pytest.mark.parametrize("edited", [False, True], ids=["unchanged", "edited"])
def test_an_upgrade_from_the_conffile_layout(
    out: Path, unpacked: Path, tmp_path: Path, edited: bool
) -> None:
    """The old conffile is removed if unchanged (else it would hide the new packaged file) and
    kept as this machine's override if edited; either way no prompt."""
    needs("dpkg")
    root = tmp_path / "root"
    assert (
        dpkg(root, "-i", str(site_package(out / DEB, unpacked, tmp_path, 1, old=True))).returncode
        == 0
    )
    local = root / LOCAL
    if edited:
        local.write_text(local.read_text() + "# edited here\n")
    before = local.read_text()

    upgraded = dpkg(root, "-i", str(site_package(out / DEB, unpacked, tmp_path, 2)))

    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert state(root) == "ii"
    assert "package_revision = 2" in (root / PACKAGED).read_text()
    if edited:
        assert local.read_text() == before
    else:
        assert not local.exists()
