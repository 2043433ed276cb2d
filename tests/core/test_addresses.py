"""Passwords never go in clear: one address rule (https, or http to this computer) refuses
http:// to another host wherever an address is entered: the rule, `sfa-desktop login
--server`, the site file, a stored setting (the dialogs: tests/ui/test_ui_server_address.py)."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

from sfa_desktop import cli, paths, site_config
from sfa_desktop.core.addresses import check_server_url, server_url_problem
from sfa_desktop.settings_schema import SCHEMA

IN_CLEAR = ["http://sfa.example.com", "http://10.0.0.5:8765", "HTTP://sfa.example.com/"]
LOOPBACK = [
    "http://127.0.0.1:8765",
    "http://localhost:8765/",
    "http://[::1]:8765",
    "http://127.8.0.1",
]


def refusal(url: str) -> str:
    return f"must use https:// (http:// is allowed only for a loopback address), got {url!r}"


@pytest.mark.parametrize("url", IN_CLEAR)
def test_http_to_another_host_is_refused(url: str) -> None:
    assert server_url_problem(url) == refusal(url.rstrip("/"))
    with pytest.raises(ValueError, match="must use https://"):
        check_server_url(url)


@pytest.mark.parametrize("url", [*LOOPBACK, "https://sfa.example.com/", "https://10.0.0.5:443"])
def test_https_and_loopback_http_pass(url: str) -> None:
    assert server_url_problem(url) is None
    assert check_server_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", IN_CLEAR)
def test_the_cli_login_refuses_it_before_asking_the_password(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "secret")
    err = io.StringIO()
    argv = ["login", "--server", url, "--user", "rob", "--db", str(tmp_path / "c.db")]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(argv)
    assert code == 2
    assert err.getvalue() == f"Sign-in refused: --server {refusal(url.rstrip('/'))}.\n"
    assert not (tmp_path / "c.db").exists()  # nothing opened, nothing sent
    assert asked == []


def test_the_cli_login_refuses_a_site_file_it_did_not_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site file's own check names the line; the login then has no server."""
    site = tmp_path / "site.toml"
    site.write_text('[site]\norganisation = "Acme"\n[sync]\nserver_url = "http://sfa.acme"\n')
    monkeypatch.setenv(site_config.ENV_VAR, str(site))
    monkeypatch.setattr(paths, "admin_site_files", lambda: [])
    monkeypatch.setattr(paths, "user_site_file", lambda: Path("/nonexistent/site.toml"))
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["login", "--user", "rob", "--db", str(tmp_path / "c.db")])
    assert code == 2
    assert f"{site}:4: sync.server_url {refusal('http://sfa.acme')}" in err.getvalue()


def test_a_stored_http_server_setting_does_not_count() -> None:
    (server,) = (setting for setting in SCHEMA if setting.name == "sync_server")
    assert server.problem("http://sfa.example.com") == refusal("http://sfa.example.com")
    assert server.coerce("http://sfa.example.com") == ""  # the default: no server
    assert server.problem("") is None  # no server at all is fine
    assert server.coerce("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
