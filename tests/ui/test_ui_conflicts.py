"""The conflict inbox page: a real conflict from two devices, reviewed and restored."""

from __future__ import annotations

from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sync_fixtures import Device
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.core.entities import Account
from sfa_desktop.ui.review.conflicts_page import ConflictsPage


def test_conflict_is_listed_restored_and_synced(
    device: Device, qtbot: QtBot, qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    laptop, desktop = device("rob", "laptop"), device("rob", "desktop")
    account = laptop.store.create(Account, {"name": "Fjord Freight", "city": "Oslo"}).value
    laptop.engine().run_once()
    desktop.engine().run_once()
    laptop.store.update(Account, account.id, {"city": "Bergen"})
    desktop.store.update(Account, account.id, {"city": "Tromsø"})
    laptop.engine().run_once()
    desktop.engine().run_once()  # later arrival: Tromsø wins, Bergen is kept
    laptop.engine().run_once()  # the laptop, whose value lost, is told

    ctx = make_context(laptop.store, tmp_path)
    page = ConflictsPage(ctx)
    page.resize(1280, 800)
    page.show()
    page.activate()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    qtmodeltester.check(page.model)
    item = page.selected()
    assert item is not None
    assert (item.record_title, item.conflict.field) == ("Fjord Freight", "city")
    assert page.restore_button.isEnabled()
    screenshot(qtbot, ctx, page, tmp_path / "conflicts.png")

    page.restore_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.summary.text() == "Nothing to review."
    assert laptop.store.get(Account, account.id).city == "Bergen"
    laptop.engine().run_once()
    desktop.engine().run_once()
    assert desktop.store.get(Account, account.id).city == "Bergen"
    settle(qtbot, ctx)
    ctx.tasks.shutdown()
