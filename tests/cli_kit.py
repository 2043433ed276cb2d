"""What the end-to-end tests of the headless commands share: a rep's environment under a
temporary home, the acme organisation's server process, and running `sfa-desktop`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "correct horse battery"
PASSPHRASE = "a passphrase for the store"
CLIENT = (sys.executable, "-m", "sfa_desktop")
TESTS = str(Path(__file__).resolve().parent)
NO_KEYRING = "keyring.backends.fail.Keyring"


def rep_env(home: Path, keyring: str = NO_KEYRING, **extra: str) -> dict[str, str]:
    """The environment of a rep's commands: everything under `home` (made here), the
    store's passphrase from the environment, `keyring` as the keyring backend."""
    home.mkdir(parents=True, exist_ok=True)
    return os.environ | {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "PYTHON_KEYRING_BACKEND": keyring,
        "PYTHONPATH": os.pathsep.join(filter(None, [TESTS, os.environ.get("PYTHONPATH")])),
        "SFA_STORE_PASSPHRASE": PASSPHRASE,
        **extra,
    }


def acme_server(folder: Path, users: tuple[str, ...] = ("rob",)) -> ServerProcess:
    """A migrated `sfa-server` on a SQLite file in `folder` with org acme and `users`
    (password PASSWORD), started; the caller stops it."""
    folder.mkdir(parents=True, exist_ok=True)
    process = ServerProcess(
        {"SFA_DATABASE_URL": f"sqlite:///{folder / 'server.db'}", "SFA_SECRET_KEY": "k" * 40}
    )
    process.run("migrate")
    process.run("admin", "create-org", "acme")
    for name in users:
        user = (name, "--org", "acme", "--name", name.title(), "--email", f"{name}@example.com")
        process.run("admin", "create-user", *user, "--password", PASSWORD)
    process.start()
    return process


def run_client(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """`sfa-desktop ARGS` in `env`, its output as text."""
    return subprocess.run(
        [*CLIENT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def login(server_url: str, db: Path, env: dict[str, str], user: str = "rob") -> None:
    """`sfa-desktop login` as `user` into the store `db`; it must work."""
    done = run_client("login", "--server", server_url, "--user", user, "--db", str(db),
                      env=env, stdin=PASSWORD + "\n")  # fmt: skip
    assert done.returncode == 0, done.stderr


def edit_offline(db: Path, name: str) -> None:
    """An account made on the laptop (the store `db`) that has not synced yet."""
    from sfa_desktop.core.entities import Account
    from sfa_desktop.security import store_key
    from sfa_desktop.store import Store

    store = Store.open(db, key=store_key.unlock(db, PASSPHRASE).key)
    store.create(Account, {"name": name})
    store.close()
