"""Start-up: only the first page is built, background services wait for its data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from store_keys import TEST_KEY
from ui_helpers import settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.ui import app
from sfa_desktop.ui.main_window import MainWindow

# What a cold start must not import before the first page is on screen.
DEFERRED_MODULES = (
    "sfa_desktop.ui.calendar.calendar_page",
    "sfa_desktop.ui.forecast.forecast_page",
    "sfa_desktop.ui.pipeline.pipeline_page",
    "sfa_desktop.ui.plans.plans_page",
    "sfa_desktop.ui.imports.import_wizard",
    "sfa_desktop.interchange",
    "sfa_desktop.ui.duplicates.duplicates_dialog",
    "sfa_desktop.store.duplicates",
    "phonenumbers",
    "rapidfuzz",
    "vobject",
    "sfa_desktop.sync.account",
    "PySide6.QtCharts",
    "httpx",
    "keyring",
    "apscheduler",
    "icalendar",
    "openpyxl",
    "alembic",
)


def test_starting_the_app_imports_none_of_the_deferred_modules() -> None:
    probe = (
        "import sys, sfa_desktop.ui.app, sfa_desktop.ui.accounts.accounts_page; "
        f"print(sorted(set({DEFERRED_MODULES!r}) & set(sys.modules)))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"


def test_only_the_start_page_is_built_until_another_is_shown(ctx: AppContext, qtbot: QtBot) -> None:
    window = MainWindow(ctx, "Accounts")
    qtbot.addWidget(window)
    assert window.built_pages() == ["Accounts"]
    window.go("Calendar")
    assert window.built_pages() == ["Accounts", "Calendar"]
    assert window.current_page() is window.calendar
    assert window.leads is window.page("Leads")  # asking for a page builds it
    assert window.built_pages() == ["Accounts", "Calendar", "Leads"]
    settle(qtbot, ctx)


def test_ready_comes_after_the_first_page_has_its_rows_then_reminders_start(
    ctx: AppContext, qtbot: QtBot
) -> None:
    window = MainWindow(ctx, "Accounts")
    qtbot.addWidget(window)
    window.show()
    rows_when_ready: list[int] = []
    window.ready.connect(lambda: rows_when_ready.append(window.accounts.model.rowCount()))
    with qtbot.waitSignal(window.ready):
        window.start()
    assert rows_when_ready
    assert rows_when_ready[0] > 0
    assert window.reminders is not None
    assert window.event_reminders is not None
    window.close()
    settle(qtbot, ctx)


def test_run_shows_the_first_page_then_starts_syncing(
    demo_template: Path, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "app.db"
    shutil.copy(demo_template, path)
    seen: dict[str, object] = {}

    def ready(window: MainWindow) -> None:
        seen["rows"] = window.accounts.model.rowCount()
        QTimer.singleShot(0, lambda: finish(window))

    def finish(window: MainWindow) -> None:
        seen["remote"] = window.forecast.team.remote  # handed over once sync started
        window.close()  # ends run() even with other top-level widgets open

    assert app.run(path, "accounts", on_ready=ready, key=TEST_KEY) == 0
    assert isinstance(seen["rows"], int)
    assert seen["rows"] > 0
    assert seen["remote"] is not None
