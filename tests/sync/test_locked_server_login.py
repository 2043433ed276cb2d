"""A locked server is enforced by `sfa-desktop login` (issue 23, point 3): a site file
that locks `sync_server` refuses any other `--server`, before a password is asked or a
database opened; the locked server itself, or none given, signs in as before."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

from sfa_desktop import cli, paths, site_config

LOCKED = "https://sfa.acme.example"
SITE = f"""locked = ["sync_server"]
[site]
organisation = "Acme"
[sync]
server_url = "{LOCKED}"
"""


@pytest.fixture
def locked_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(SITE)
    monkeypatch.setenv(site_config.ENV_VAR, str(site))
    monkeypatch.setattr(paths, "admin_site_files", lambda: [])
    monkeypatch.setattr(paths, "user_site_file", lambda: Path("/nonexistent/site.toml"))
    return site


def _login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *server: str
) -> tuple[int, str, list[str]]:
    asked: list[str] = []
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "secret")
    err = io.StringIO()
    argv = ["login", *server, "--user", "rob", "--db", str(tmp_path / "c.db")]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(argv)
    return code, err.getvalue(), asked


def test_another_server_is_refused_in_one_line(
    locked_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err, asked = _login(tmp_path, monkeypatch, "--server", "https://pilot.acme.example")
    assert code == 2
    assert err == f"Sign-in refused: this computer's site file locks the server to {LOCKED}.\n"
    assert asked == []
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize("server", [(), ("--server", LOCKED), ("--server", LOCKED + "/")])
def test_the_locked_server_goes_on_to_the_sign_in(
    locked_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ...]
) -> None:
    code, err, _asked = _login(tmp_path, monkeypatch, *server)
    assert "locks the server" not in err  # it went on (and could not reach the example host)
    assert code != 0 or err == ""
