"""Site defaults sit beneath the user's values, locked settings always take the site's value,
and the dialogs show them read-only."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QSpinBox
from pytestqt.qtbot import QtBot

from sfa_desktop.app.settings import LOCKED_HINT, Settings
from sfa_desktop.site_config import SiteConfig
from sfa_desktop.ui.shell.login_dialog import LoginDialog
from sfa_desktop.ui.shell.settings_dialog import SettingsDialog

SITE = SiteConfig(
    path=Path("/etc/sfa-desktop/site.toml"),
    organisation="Acme Ltd",
    defaults={"sync_server": "https://sfa.acme.example", "sync_interval": 30, "stale_days": 45},
    locked=frozenset({"sync_server", "sync_interval"}),
)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    path = tmp_path / "settings.json"
    # Values the user saved before the admin locked two of them.
    path.write_text(json.dumps({"sync_interval": 5, "stale_days": 10, "sync_server": "x"}))
    return path


def test_site_defaults_under_user_values_and_locks_over_them(settings_path: Path) -> None:
    settings = Settings(settings_path, site=SITE)
    assert settings["sync_server"] == "https://sfa.acme.example"  # locked: site wins
    assert settings["sync_interval"] == 30  # locked: site wins over the user's 5
    assert settings["stale_days"] == 10  # not locked: the user's value wins
    assert Settings(None, site=SITE)["stale_days"] == 45  # no user value: the site default
    assert settings["default_duration"] == 30  # neither: the schema default
    assert settings.locked("sync_interval")
    assert not settings.locked("stale_days")


def test_setting_a_locked_value_is_refused(settings_path: Path, qtbot: QtBot) -> None:
    settings = Settings(settings_path, site=SITE)
    with qtbot.assertNotEmitted(settings.changed):
        assert settings.set("sync_interval", 60) is False
    assert settings["sync_interval"] == 30
    with qtbot.waitSignal(settings.changed) as blocker:
        assert settings.set("stale_days", 60) is True
    assert blocker.args == ["stale_days", 60]
    assert Settings(settings_path, site=SITE)["stale_days"] == 60


def test_without_a_site_nothing_is_locked(settings_path: Path) -> None:
    settings = Settings(settings_path)
    assert settings["sync_interval"] == 5
    assert not any(settings.locked(name) for name in settings.schema)


def test_settings_dialog_disables_locked_fields(
    settings_path: Path, qtbot: QtBot, tmp_path: Path
) -> None:
    settings = Settings(settings_path, site=SITE)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    for name in ("sync_server", "sync_interval"):
        assert not dialog.widgets[name].isEnabled()
        assert dialog.widgets[name].toolTip() == LOCKED_HINT
    assert dialog.widgets["stale_days"].isEnabled()
    dialog.resize(680, 420)
    shot = tmp_path / "settings-locked.png"
    assert dialog.grab().save(str(shot))
    if os.environ.get("SFA_UI_SHOTS"):
        dialog.grab().save(str(Path(os.environ["SFA_UI_SHOTS"]) / shot.name))
    interval = dialog.widgets["sync_interval"]
    assert isinstance(interval, QSpinBox)
    assert interval.value() == 30
    interval.setValue(90)  # even if a locked widget were changed, the value is not saved
    dialog.accept()
    assert settings["sync_interval"] == 30
    assert json.loads(settings_path.read_text())["sync_interval"] == 5  # the file untouched


def test_login_dialog_prefills_a_locked_server_read_only(settings_path: Path, qtbot: QtBot) -> None:
    settings = Settings(settings_path, site=SITE)
    dialog = LoginDialog(settings["sync_server"], [], locked=settings.locked("sync_server"))
    qtbot.addWidget(dialog)
    assert dialog.server.text() == "https://sfa.acme.example"
    assert dialog.server.isReadOnly()
    assert dialog.server.toolTip() == LOCKED_HINT
    open_dialog = LoginDialog("https://other.example", [])
    qtbot.addWidget(open_dialog)
    assert not open_dialog.server.isReadOnly()
