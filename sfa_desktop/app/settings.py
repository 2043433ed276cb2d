"""The user's settings over the site's: stored as JSON, announced by a signal, some admin-locked.

A value comes from, first to last: the site file when the admin locked the setting, the
user's own value, the site file's default, the schema's default.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from sfa_desktop.core.enums import CONTACT_CHANNELS, Channel
from sfa_desktop.settings_schema import SCHEMA, Setting, cross_problems
from sfa_desktop.site_config import SiteConfig

__all__ = ["LOCKED_HINT", "SCHEMA", "Setting", "Settings", "channel_costs", "cross_problems"]

LOCKED_HINT = "Set by your administrator"
log = logging.getLogger(__name__)


def channel_costs(settings: Settings) -> dict[Channel, int]:
    """Cost per contact channel in minor units, from the settings."""
    return {c: int(settings[f"cost_{c.value}"]) * 100 for c in CONTACT_CHANNELS}


class Settings(QObject):
    """The user's settings, persisted to a JSON file; `changed(name, value)` on every change."""

    changed = Signal(str, object)

    def __init__(
        self,
        path: Path | None,
        schema: tuple[Setting, ...] = SCHEMA,
        site: SiteConfig | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.site = site
        self.schema = {setting.name: setting for setting in schema}
        self._site_values = {
            name: self.schema[name].coerce(value)
            for name, value in (site.defaults.items() if site else ())
            if name in self.schema
        }
        self._locked = site.locked & set(self.schema) if site else frozenset()
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
        if name not in self._locked and name in self._values:
            return self._values[name]
        return self._site_values.get(name, self.schema[name].default)

    def locked(self, name: str) -> bool:
        """Whether the site file fixes this setting (the user cannot change it)."""
        return name in self._locked

    def set(self, name: str, value: Any) -> bool:
        """Change a setting (coerced to its type), save, and announce it if it changed.

        Returns False, changing nothing, when the setting is locked by the site file.
        """
        value = self.schema[name].coerce(value)
        if name in self._locked:
            if value != self[name]:
                log.info("setting %s is locked by %s; not changed", name, self.site_path)
            return False
        if value == self[name]:
            return True
        self._values[name] = value
        self._save()
        self.changed.emit(name, value)
        return True

    @property
    def site_path(self) -> Path | None:
        return self.site.path if self.site else None

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._values, indent=2, sort_keys=True), encoding="utf-8")
