"""The task manager, settings, sync status and reminders (app layer, no widgets)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from ui_helpers import settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.app.reminders import ReminderService
from sfa_desktop.app.settings import Settings
from sfa_desktop.app.sync_status import SyncStatusTracker
from sfa_desktop.app.taskman import TaskManager
from sfa_desktop.core.entities import Task
from sfa_desktop.core.errors import DomainError
from sfa_desktop.operations.records import create_record
from sfa_desktop.sync.status import SyncStatus
from sfa_desktop.ui.shell.settings_dialog import SettingsDialog
from sfa_desktop.ui.shell.status_bar import describe


def test_db_work_runs_on_one_thread_in_order_and_answers_on_the_main_thread(qtbot: QtBot) -> None:
    tasks = TaskManager()
    seen: list[tuple[int, str]] = []
    answered_on: set[int] = set()
    for number in range(20):
        tasks.run_db(
            lambda n=number: (n, threading.current_thread().name),  # type: ignore[misc]
            lambda result: (seen.append(result), answered_on.add(threading.get_ident())),
        )
    qtbot.waitUntil(tasks.is_idle)
    assert [n for n, _ in seen] == list(range(20))
    assert len({name for _, name in seen}) == 1
    assert answered_on == {threading.get_ident()}
    tasks.shutdown()


def test_errors_go_to_the_failed_callback_or_the_unhandled_signal(qtbot: QtBot) -> None:
    tasks = TaskManager()
    failures: list[BaseException] = []

    def boom() -> None:
        raise DomainError("nope")

    tasks.run_db(boom, failed=failures.append)
    with qtbot.waitSignal(tasks.unhandled_error) as blocker:
        tasks.run_network(boom)
    qtbot.waitUntil(tasks.is_idle)
    assert [str(f) for f in failures] == ["nope"]
    assert str(blocker.args[0]) == "nope"
    tasks.shutdown()


def test_work_asked_for_after_shutdown_is_dropped(qtbot: QtBot) -> None:
    """A debounce timer that fires while the app quits asks for a query after the pools
    closed: nothing runs and nothing is raised into the Qt event loop (it was a
    RuntimeError "cannot schedule new futures after shutdown")."""
    tasks = TaskManager()
    tasks.shutdown()
    ran: list[str] = []
    tasks.run_db(lambda: ran.append("db"))
    tasks.run_network(lambda: ran.append("net"))
    qtbot.wait(50)
    assert ran == []
    assert tasks.is_idle()


def test_settings_coerce_persist_and_announce(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "config" / "settings.json"
    settings = Settings(path)
    assert settings["sync_interval"] == 15
    with qtbot.waitSignal(settings.changed) as blocker:
        settings.set("sync_interval", 30)
    assert blocker.args == ["sync_interval", 30]
    settings.set("default_channel", "carrier pigeon")  # not a choice: back to the default
    assert settings["default_channel"] == "call"
    assert json.loads(path.read_text())["sync_interval"] == 30
    assert Settings(path)["sync_interval"] == 30
    path.write_text("not json")
    assert Settings(path)["sync_interval"] == 15


def test_settings_dialog_is_built_from_the_schema(tmp_path: Path, qtbot: QtBot) -> None:
    settings = Settings(tmp_path / "settings.json")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert set(dialog.widgets) == set(settings.schema)
    spin = dialog.widgets["default_duration"]
    spin.setValue(45)  # type: ignore[attr-defined]
    dialog.accept()
    assert settings["default_duration"] == 45


def test_sync_status_counts_pending_changes(plain_ctx: AppContext, qtbot: QtBot) -> None:
    tracker = SyncStatusTracker(plain_ctx)
    with qtbot.waitSignal(plain_ctx.signals.sync_status) as blocker:
        plain_ctx.run_op(lambda s: create_record(s, Task, {"title": "One"}))
    status = blocker.args[0]
    assert isinstance(status, SyncStatus)
    assert status.pending == plain_ctx.store.outbox_count() >= 1
    assert describe(status).startswith("Not signed in   ·   Not synced yet")
    synced = SyncStatus(signed_in=True, last_sync=datetime(2026, 11, 23, 9, tzinfo=UTC))
    tracker.update(synced)
    assert describe(synced).startswith("Online   ·   Last sync")
    offline = SyncStatus(signed_in=True, offline=True, error="Offline: no route", pending=2)
    assert describe(offline).startswith("Offline   ·   Not synced yet   ·   2 pending changes")
    settle(qtbot, plain_ctx)


def test_reminders_fire_once_per_task(plain_ctx: AppContext, qtbot: QtBot) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    plain_ctx.store.create(Task, {"title": "Ring Jörg", "remind_at": past})
    plain_ctx.store.create(Task, {"title": "Later", "remind_at": past + timedelta(days=1)})
    service = ReminderService(plain_ctx)
    with qtbot.waitSignal(service.due) as blocker:
        service.check()
    assert blocker.args[0].title == "Ring Jörg"
    with qtbot.assertNotEmitted(service.due, wait=100):
        service.check()
        settle(qtbot, plain_ctx)


@pytest.mark.parametrize("module", ["sfa_desktop.operations"])
def test_operations_import_without_qt(module: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, *a):\n"
        "        if name.startswith(('PySide6', 'shiboken6')): raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"pkg = importlib.import_module({module!r})\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
