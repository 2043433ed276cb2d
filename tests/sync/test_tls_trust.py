"""Which certificates the client trusts, against a real HTTPS server whose CA the test made:
none by default (a one-line refusal at once, no retries), the site file's CA bundle, the
operating system's store (truststore), and `--self-test` saying which."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_fixtures import PASSWORD
from tls_kit import CA_NAME, TlsServer, tls_server

from sfa_desktop import cli, paths, self_test, site_config
from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.errors import UntrustedCertificate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    with tls_server(tmp_path_factory.mktemp("tls")) as running:
        yield running


@pytest.fixture(autouse=True)
def no_site_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """No site file and no certificate variables but what a test sets."""
    for name in (site_config.ENV_VAR, "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(paths, "admin_site_files", lambda: [])
    monkeypatch.setattr(paths, "user_site_file", lambda: Path("/nonexistent/site.toml"))


def site_file(folder: Path, server: TlsServer, bundle: bool = True) -> Path:
    path = folder / "site.toml"
    lines = ["[site]", 'organisation = "Acme"', "[sync]", f'server_url = "{server.url}"']
    path.write_text("\n".join(lines + [f'ca_bundle = "{server.ca_pem}"'] * bundle) + "\n")
    return path


def login(monkeypatch: pytest.MonkeyPatch, db: Path, *server: str) -> tuple[int, str, str, float]:
    """`sfa-desktop login` in process, the password on stdin; (code, out, err, seconds)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    argv = ["login", *(["--server", *server] if server else []), "--user", "rob", "--db", str(db)]
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue(), time.monotonic() - started


def test_an_untrusted_certificate_is_refused_at_once_in_one_line(
    server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err, seconds = login(monkeypatch, tmp_path / "c.db", server.url)
    print(f"untrusted certificate refused in {seconds:.2f} s")
    assert code == 1
    assert err.count("\n") == 1, err
    assert err.startswith(f"Sign-in failed: The certificate of {server.url} is not trusted")
    assert "(unable to get local issuer certificate)" in err
    assert "sync.ca_bundle" in err
    assert seconds < 5  # no retries: a certificate does not become trusted by waiting


def test_the_apps_sign_in_gives_up_on_an_untrusted_certificate_at_once(
    server: TlsServer,
) -> None:
    client = SyncClient(server.url)  # the default policy, as the window's sign-in
    started = time.monotonic()
    with pytest.raises(UntrustedCertificate, match="unable to get local issuer certificate"):
        client.login("rob", PASSWORD, "laptop")
    seconds = time.monotonic() - started
    client.close()
    print(f"untrusted certificate refused in {seconds:.2f} s (default retry policy)")
    assert seconds < 5


def test_the_site_files_ca_bundle_is_trusted(
    server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(site_config.ENV_VAR, str(site_file(tmp_path, server)))
    code, out, err, _seconds = login(monkeypatch, tmp_path / "c.db")
    assert (code, err) == (0, "")
    assert f"Signed in as Rob on {server.url}." in out


@pytest.fixture
def system_store(tmp_path: Path, server: TlsServer) -> list[str]:
    """A command prefix that runs with the test CA as the system's only CA: /etc/ssl/certs
    replaced in a private mount namespace (no variable for httpx or certifi to read)."""
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(server.ca_pem, certs / "ca-certificates.crt")
    mount = f'mount --bind {certs} /etc/ssl/certs && exec "$@"'
    prefix = ["unshare", "--map-root-user", "--mount", "sh", "-c", mount, "sh"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode().strip()}")
    return prefix


def test_a_ca_in_the_system_store_is_trusted(
    server: TlsServer, tmp_path: Path, system_store: list[str]
) -> None:
    drop = ("SFA_SITE_CONFIG", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "SFA_STORE_PASSPHRASE": "tls test store"}
    env |= {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    argv = ["login", "--server", server.url, "--user", "rob", "--db", str(tmp_path / "c.db")]
    result = subprocess.run(
        [*system_store, sys.executable, "-m", "sfa_desktop", *argv],
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"Signed in as Rob on {server.url}." in result.stdout


def test_self_test_reports_the_servers_tls_in_one_line(
    server: TlsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = self_test._Check(tmp_path / "x.db")
    assert check.server() == "no server configured (site file or sign-in), TLS not checked"
    monkeypatch.setenv(site_config.ENV_VAR, str(site_file(tmp_path, server)))
    check.site_file()
    assert check.server() == (f"{server.url} TLS ok (TLSv1.3), certificate issued by {CA_NAME}")
    check.site = None
    check.signed_in = server.url.replace("127.0.0.1", "localhost")  # a store's server
    assert check.server().endswith(f"TLS ok (TLSv1.3), certificate issued by {CA_NAME}")


def test_self_test_fails_on_a_server_it_does_not_trust(server: TlsServer, tmp_path: Path) -> None:
    drop = ("SFA_SITE_CONFIG", "SSL_CERT_FILE", "SSL_CERT_DIR", "QT_QPA_PLATFORM", "DISPLAY")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env |= {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env |= {site_config.ENV_VAR: str(site_file(tmp_path, server, bundle=False))}
    result = subprocess.run(
        [sys.executable, "-m", "sfa_desktop", "--self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"self-test failed: server: The certificate of {server.url} is not trusted by this "
        "computer (unable to get local issuer certificate)"
    )
    assert result.stderr.count("\n") == 1, result.stderr
