"""End to end: a real `sfa-server` process on loopback and two client databases offline."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from stand_in_keyrings import FILE_ENV
from store_keys import TEST_KEY

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.enums import AuditAction, EntityKind
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "correct horse battery"
CLIENT = (sys.executable, "-m", "sfa_desktop")


def _run(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        args, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """Server settings, and for the client processes a keyring standing in for the OS one
    (tests/stand_in_keyrings.py: its entries in one file, as an OS keyring's database)."""
    tests = str(Path(__file__).resolve().parents[1])
    return os.environ | {
        "SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "SFA_SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
        "PYTHON_KEYRING_BACKEND": "stand_in_keyrings.FileStandIn",
        FILE_ENV: str(tmp_path / "os-keyring.json"),
        "PYTHONPATH": os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
    }


@pytest.fixture
def server_url(environment: dict[str, str]) -> Iterator[str]:
    server = ServerProcess(environment)
    server.run("migrate")
    server.run("admin", "create-org", "acme")
    server.run(
        "admin",
        "create-user",
        "rob",
        "--org",
        "acme",
        "--name",
        "Rob Rep",
        "--email",
        "rob@example.com",
        "--password",
        PASSWORD,
    )
    with server:
        yield server.url


def _device(path: Path, url: str, name: str) -> SyncAccount:
    account = SyncAccount(Store.open(path, key=TEST_KEY), Credentials(persistent=False))
    account.sign_in(url, "rob", PASSWORD, name)
    return account


def test_two_offline_devices_converge_through_a_real_server(
    server_url: str, tmp_path: Path
) -> None:
    laptop = _device(tmp_path / "laptop.db", server_url, "laptop")
    desktop = _device(tmp_path / "desktop.db", server_url, "desktop")
    account = laptop.store.create(Account, {"name": "Fjord Freight", "city": "Oslo"}).value
    laptop.engine().run_once()
    desktop.engine().run_once()

    # Both go offline and edit the same records.
    laptop.store.update(Account, account.id, {"city": "Bergen", "phone": "+47 55 00 00 00"})
    contact = laptop.store.create(Contact, {"last_name": "Olsen", "account_id": account.id}).value
    desktop.store.update(Account, account.id, {"city": "Stavanger", "industry": "Shipping"})

    laptop.engine().run_once()
    second = desktop.engine().run_once()
    laptop.engine().run_once()

    for device in (laptop, desktop):
        merged = device.store.get(Account, account.id)
        assert (merged.city, merged.phone, merged.industry) == (
            "Stavanger",
            "+47 55 00 00 00",
            "Shipping",
        )
        assert device.store.get(Contact, contact.id).last_name == "Olsen"
        assert device.store.outbox_count() == 0
    assert second.conflicts == 1
    # The laptop's Bergen lost: the laptop is told (through its pull), the desktop is not.
    assert desktop.store.conflicts() == []
    (conflict,) = laptop.store.conflicts()
    assert (conflict.field, conflict.kept_value, conflict.lost_value) == (
        "city",
        "Stavanger",
        "Bergen",
    )
    laptop.store.close()
    desktop.store.close()


def test_headless_login_and_sync_commands_keep_the_token_in_the_keyring(
    server_url: str, environment: dict[str, str], tmp_path: Path
) -> None:
    db = str(tmp_path / "cli.db")
    out = _run(
        *CLIENT,
        "login",
        "--server",
        server_url,
        "--user",
        "rob",
        "--db",
        db,
        env=environment,
        stdin=PASSWORD + "\n",
    )
    assert "Signed in as Rob Rep" in out
    assert "Your sign-in is kept in the system keyring." in out
    assert "refresh_token" in (tmp_path / "os-keyring.json").read_text()
    out = _run(*CLIENT, "sync", "--db", db, env=environment)
    assert "Synced:" in out


def test_headless_login_takes_the_server_from_the_site_file(
    server_url: str, environment: dict[str, str], tmp_path: Path
) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[site]\norganisation = "Acme"\n\n[sync]\nserver_url = "{server_url}"\n')
    login = (*CLIENT, "login", "--user", "rob", "--db", str(tmp_path / "site.db"))
    out = _run(*login, env=environment | {"SFA_SITE_CONFIG": str(site)}, stdin=PASSWORD + "\n")
    assert f"Signed in as Rob Rep on {server_url}." in out

    missing = subprocess.run(
        login,
        env=environment | {"SFA_SITE_CONFIG": str(tmp_path / "none.toml")},
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert "Sign-in needs --server URL" in missing.stderr


def test_an_edit_shows_in_the_history_on_the_other_device(server_url: str, tmp_path: Path) -> None:
    """The server writes the trail; the other device pulls it over a real socket."""
    laptop = _device(tmp_path / "laptop.db", server_url, "Rob's laptop")
    desktop = _device(tmp_path / "desktop.db", server_url, "Rob's desktop")
    account = laptop.store.create(Account, {"name": "Fjord Freight", "city": "Oslo"}).value
    laptop.engine().run_once()
    desktop.engine().run_once()
    laptop.store.update(Account, account.id, {"city": "Bergen", "notes": "Quay 7. " * 60})
    laptop.engine().run_once()
    desktop.store.update(Account, account.id, {"industry": "Shipping"})  # not synced yet
    desktop.engine().run_once()  # push, then pull the trail (its own entry included)
    desktop.store.update(Account, account.id, {"segment": "Enterprise"})

    history = desktop.store.history(EntityKind.ACCOUNT, account.id)
    assert [(h.action, h.actor_name, h.device_name, h.pending) for h in history] == [
        (AuditAction.UPDATED, "You", "", True),
        (AuditAction.UPDATED, "Rob Rep", "Rob's desktop", False),
        (AuditAction.UPDATED, "Rob Rep", "Rob's laptop", False),
        (AuditAction.CREATED, "Rob Rep", "Rob's laptop", False),
    ]
    edit = {change.field: (change.old, change.new) for change in history[2].changes}
    assert edit["city"] == ("Oslo", "Bergen")
    assert len(edit["notes"][1]) == 200  # long text is cut on the server
    assert [change.field for change in history[0].changes] == ["segment"]
    laptop.store.close()
    desktop.store.close()
