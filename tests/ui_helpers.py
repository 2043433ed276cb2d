"""Helpers for the UI tests: wait for background work, build a context, take screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from sfa_desktop.app.context import AppContext
from sfa_desktop.store import Store
from sfa_desktop.ui.app import application, build_context


def settle(qtbot: QtBot, ctx: AppContext, timeout: int = 5000) -> None:
    """Wait until every background job has delivered its result."""
    qtbot.waitUntil(ctx.tasks.is_idle, timeout=timeout)


def make_context(store: Store, tmp_path: Path) -> AppContext:
    application()
    return build_context(store, tmp_path / "settings.json")


def screenshot(qtbot: QtBot, ctx: AppContext, widget: object, path: Path) -> Path:
    """Grab `widget` once its lazily loaded rows have arrived; copy to $SFA_UI_SHOTS if set."""
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    settle(qtbot, ctx)
    widget.grab()
    settle(qtbot, ctx)
    assert widget.grab().save(str(path))
    shots = os.environ.get("SFA_UI_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(shots) / path.name)
    return path


def shortcut(qtbot: QtBot, window: object, keys: str) -> None:
    """Press a key sequence like 'Ctrl+K' in `window`, made the active window first."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(window, QWidget)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    combo = QKeySequence(keys)[0]
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())
