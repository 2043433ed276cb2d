"""Forecasts end to end through a real `sfa-server` process: two reps and their manager."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from forecast_scenario import (
    Q4,
    QUOTAS,
    check_rep_view,
    manager_reads_and_adjusts,
    reps_sell_and_submit,
)
from store_keys import TEST_KEY

from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.local_server import ServerProcess

PASSWORD = "correct horse battery"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    server = ServerProcess(
        os.environ
        | {
            "SFA_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
            "SFA_SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
        }
    )
    server.run("migrate")
    server.run("admin", "create-org", "acme")
    for username, role, manager in [("mia", "manager", []), ("rob", "rep", ["--manager", "mia"]),
                                    ("ria", "rep", ["--manager", "mia"])]:  # fmt: skip
        server.run(
            "admin", "create-user", username, "--org", "acme", "--name", username.title(),
            "--email", f"{username}@example.com", "--password", PASSWORD, "--role", role,
            *manager,
        )  # fmt: skip
    for username, amount in QUOTAS.items():
        server.run("admin", "set-quota", username, str(Q4), str(amount))
    with server:
        yield server.url


@pytest.mark.slow
def test_forecast_through_a_real_server(server_url: str, tmp_path: Path) -> None:
    devices = {}
    for username in ("rob", "ria", "mia"):
        store = Store.open(tmp_path / f"{username}.db", key=TEST_KEY)
        account = SyncAccount(store, Credentials(persistent=False))
        account.sign_in(server_url, username, PASSWORD, f"{username}-laptop")
        devices[username] = account
    try:
        reps_sell_and_submit(devices["rob"], devices["ria"])
        check_rep_view(devices["rob"])
        manager_reads_and_adjusts(devices["mia"])
    finally:
        for account in devices.values():
            account.close()
            account.store.close()
