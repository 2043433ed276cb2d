"""The running app syncs in the background and shows it in the status bar."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pytestqt.qtbot import QtBot
from sync_fixtures import Device

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.settings import Settings
from sfa_desktop.app.signals import AppSignals
from sfa_desktop.app.sync_service import SyncService
from sfa_desktop.app.sync_status import SyncStatusTracker
from sfa_desktop.app.taskman import TaskManager
from sfa_desktop.core.entities import Account
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.ui.shell.status_bar import describe


def test_background_sync_brings_changes_and_reports_status(
    device: Device, server: TestClient, qtbot: QtBot, tmp_path: Path
) -> None:
    other = device("rob", "desktop")
    other.store.create(Account, {"name": "Made elsewhere"})
    other.engine().run_once()

    laptop = device("rob", "laptop")
    ctx = AppContext(laptop.store, TaskManager(), AppSignals(), Settings(tmp_path / "s.json"))
    tracker = SyncStatusTracker(ctx)
    service = SyncService(ctx, tracker, laptop)
    arrived: list[object] = []
    ctx.signals.changes_applied.connect(arrived.append)
    try:
        service.start_if_signed_in()  # signed in by the fixture: syncs at once
        qtbot.waitUntil(lambda: tracker.status.last_sync is not None, timeout=15_000)
        assert any(EntityKind.ACCOUNT in changes for changes in arrived)  # type: ignore[operator]
        assert laptop.store.count(Account) == 1
        assert describe(tracker.status).startswith("Online")

        laptop.store.create(Account, {"name": "Made here"})
        ctx.announce(ctx.store.create(Account, {"name": "And here"}).changes)
        qtbot.waitUntil(lambda: tracker.status.pending == 2, timeout=5_000)
        service.sync_now()
        qtbot.waitUntil(
            lambda: tracker.status.pending == 0 and not tracker.status.running, timeout=15_000
        )
    finally:
        service.shutdown()
        ctx.tasks.shutdown()
    other.engine().run_once()
    assert other.store.count(Account) == 3
