"""Settings declared once (name, type, default, description), stored as JSON, with a signal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from sfa_desktop.core.enums import CONTACT_CHANNELS, DEFAULT_CHANNEL_COST, Channel


@dataclass(frozen=True)
class Setting:
    """One user setting; `choices` restricts a str setting to a few values."""

    name: str
    type: type
    default: Any
    label: str
    description: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 1_000_000

    def coerce(self, value: Any) -> Any:
        """`value` as this setting's type, or the default when it does not fit."""
        if self.type is bool:
            return value if isinstance(value, bool) else self.default
        if self.type is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
            return value if ok and self.minimum <= value <= self.maximum else self.default
        if not isinstance(value, str) or (self.choices and value not in self.choices):
            return self.default
        return value


SCHEMA: tuple[Setting, ...] = (
    Setting(
        "sync_server",
        str,
        "",
        "Sync server",
        "Address of the sync server, e.g. https://sfa.example.com",
    ),
    Setting(
        "sync_interval",
        int,
        15,
        "Sync every (minutes)",
        "How often to sync in the background",
        minimum=1,
        maximum=24 * 60,
    ),
    Setting(
        "start_page",
        str,
        "today",
        "Start page",
        "The page shown when the app starts",
        choices=("today", "accounts", "contacts", "leads"),
    ),
    Setting(
        "default_channel",
        str,
        Channel.CALL.value,
        "Default channel",
        "Channel preselected when logging an activity",
        choices=tuple(c.value for c in Channel),
    ),
    Setting(
        "default_duration",
        int,
        30,
        "Default duration (minutes)",
        "Duration preselected when logging an activity",
        maximum=24 * 60,
    ),
    Setting(
        "reminders",
        bool,
        True,
        "Reminders",
        "Notify me when a task or event reminder is due",
    ),
    Setting(
        "reminder_check",
        int,
        60,
        "Check reminders every (seconds)",
        "How often to look for due reminders",
        minimum=5,
        maximum=3600,
    ),
)


SCHEMA += (
    Setting(
        "stale_days",
        int,
        30,
        "Stale deal after (days)",
        "Mark open deals with no stage change or activity for this long",
        minimum=1,
        maximum=3650,
    ),
    *(
        Setting(
            f"cost_{channel.value}",
            int,
            DEFAULT_CHANNEL_COST[channel] // 100,
            f"Cost of one {channel.value}",
            f"Cost to serve of one {channel.value} (whole currency units)",
            maximum=1_000_000,
        )
        for channel in CONTACT_CHANNELS
    ),
)


def channel_costs(settings: Settings) -> dict[Channel, int]:
    """Cost per contact channel in minor units, from the settings."""
    return {c: int(settings[f"cost_{c.value}"]) * 100 for c in CONTACT_CHANNELS}


class Settings(QObject):
    """The user's settings, persisted to a JSON file; `changed(name, value)` on every change."""

    changed = Signal(str, object)

    def __init__(self, path: Path | None, schema: tuple[Setting, ...] = SCHEMA) -> None:
        super().__init__()
        self.path = path
        self.schema = {setting.name: setting for setting in schema}
        self._values: dict[str, Any] = {}
        if path is not None and path.exists():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
            for name, value in stored.items() if isinstance(stored, dict) else ():
                if name in self.schema:
                    self._values[name] = self.schema[name].coerce(value)

    def __getitem__(self, name: str) -> Any:
        return self._values.get(name, self.schema[name].default)

    def set(self, name: str, value: Any) -> None:
        """Change a setting (coerced to its type), save, and announce it if it changed."""
        value = self.schema[name].coerce(value)
        if value == self[name]:
            return
        self._values[name] = value
        self._save()
        self.changed.emit(name, value)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._values, indent=2, sort_keys=True), encoding="utf-8")
