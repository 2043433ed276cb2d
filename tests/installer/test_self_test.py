"""`sfa-desktop --self-test` from source: what it prints, and a clear failure for a bad site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sfa_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "installer" / "site.example.toml"


def self_test(
    tmp_path: Path, *args: str, site: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run it with a private HOME so no file of the developer's is read."""
    drop = ("SFA_SITE_CONFIG", "QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")  # no display
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    # No OS keyring runs here (a plain-file one does not count): a --db store's passphrase
    # comes from the environment, as in a script.
    env |= {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env |= {"SFA_STORE_PASSPHRASE": "self-test passphrase"}
    if site is not None:
        env["SFA_SITE_CONFIG"] = str(site)
    command = [sys.executable, "-m", "sfa_desktop", "--self-test", *args]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_self_test_passes_with_the_example_site(tmp_path: Path) -> None:
    result = self_test(tmp_path, "--db", str(tmp_path / "check.db"), site=EXAMPLE)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"sfa-desktop {__version__} (Python ")
    assert "from source" in lines[0]
    assert f"site config: {EXAMPLE}: Acme EMEA sales (Acme Ltd)" in result.stdout
    assert "server https://sfa.acme.example" in result.stdout
    assert "locked: sync_interval, sync_server" in result.stdout
    assert f"database: {tmp_path / 'check.db'} (schema " in result.stdout
    assert "on offscreen (no display)" in result.stdout
    assert "window ok" in result.stdout
    assert lines[-1] == "self-test passed"
    assert (tmp_path / "check.db").exists()


@pytest.mark.slow
def test_self_test_without_a_site_file(tmp_path: Path) -> None:
    result = self_test(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "site config: none found" in result.stdout


def test_self_test_fails_in_one_line_on_a_bad_site_file(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text(EXAMPLE.read_text().replace("interval_minutes = 15", "interval_minutes = 0"))
    result = self_test(tmp_path, site=bad)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"self-test failed: site config: {bad}:18: sync.interval_minutes must be between "
        "1 and 1440, got 0"
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_the_app_starts_without_a_bad_site_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sfa_desktop.cli import site_or_none

    bad = tmp_path / "site.toml"
    bad.write_text("locked = 3\n[site]\norganisation = 'Acme'\n")
    monkeypatch.setenv("SFA_SITE_CONFIG", str(bad))
    site, problem = site_or_none()
    assert site is None
    assert f"{bad}:1: locked must be a list" in problem
    assert "The site configuration was ignored" in capsys.readouterr().err
    monkeypatch.setenv("SFA_SITE_CONFIG", str(EXAMPLE))
    site, problem = site_or_none()
    assert problem == ""
    assert site is not None
    assert site.organisation == "Acme Ltd"
